// Type-aware lint: floating promises are bugs in a system that must not lose mail; deep imports and
// app-to-app imports break the service boundaries.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', 'infra/**', '**/*.mjs', 'vitest.config.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts', 'e2e/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@ensoras/*/*'], message: 'Import a workspace package by its entry point only.' },
            { group: ['**/apps/*', '../../*/src/*'], message: 'No app imports another app: share through @ensoras/contracts.' },
          ],
        },
      ],
    },
  },
);
