import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources of the workspace packages, so a change is tested without a build.
const packagesDir = fileURLToPath(new URL('./packages', import.meta.url));
const alias = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@ensoras/${name}`, `${packagesDir}/${name}/src/index.ts`]),
);

// SWC, not esbuild: Nest's dependency injection needs decorator metadata.
const plugins = [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022' } })];

export default defineConfig({
  test: {
    // Services started by tests log warnings and errors only; set LOG_LEVEL=log to see everything.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    projects: [
      {
        plugins,
        resolve: { alias },
        test: { name: 'unit', include: ['{apps,packages}/*/src/**/*.spec.ts', 'apps/console/web/src/**/*.spec.ts', 'infra/**/*.spec.ts'], environment: 'node' },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{apps,packages}/*/src/**/*.int-spec.ts', '{apps,packages}/*/test/**/*.int-spec.ts', 'examples/*/*.int-spec.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real servers on a 2-core machine: a few files at a time keeps timings honest.
          maxWorkers: 2,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'chaos',
          include: ['e2e/**/*.chaos-spec.ts'],
          environment: 'node',
          // Minutes of outages on purpose; runs alone, after everything else (see sequence.groupOrder).
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 900_000,
          hookTimeout: 180_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e-spec.ts'],
          environment: 'node',
          // Each file runs five services plus its own servers: one at a time keeps a small machine responsive.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
