import { readFile } from 'node:fs/promises';
import { apiDocumentText } from '@ensoras/runtime';
import { describe, expect, it } from 'vitest';
import { describeApi } from './api-description.js';

const KEPT = new URL('../../../../docs/openapi/ai-responder.json', import.meta.url);

describe('the API description of ai-responder', () => {
  it('is the one kept in docs/openapi/ai-responder.json', async () => {
    const kept = await readFile(KEPT, 'utf8').catch(() => '(missing)');
    expect(apiDocumentText(await describeApi()), 'docs/openapi/ai-responder.json differs from the code: run `npm run openapi` and commit it').toBe(kept);
  });
});
