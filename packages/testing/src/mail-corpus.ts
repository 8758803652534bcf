import { fileURLToPath } from 'node:url';

/**
 * Real-world mail kept in this repository (packages/testing/corpus, each folder with its source's licence), so tests
 * pass in a clone anywhere. The same relative path works from src/ under Vitest and from dist/ when built.
 */
export const MAIL_CORPUS_DIR = fileURLToPath(new URL('../corpus', import.meta.url));
