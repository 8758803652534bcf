import { readFile } from 'node:fs/promises';
import { apiDocumentText } from '@ensoras/runtime';
import { describe, expect, it } from 'vitest';
import { describeApi } from './api-description.js';

const KEPT = new URL('../../../../docs/openapi/channel-config.json', import.meta.url);

describe('the API description of channel-config', () => {
  it('is the one kept in docs/openapi/channel-config.json', async () => {
    const kept = await readFile(KEPT, 'utf8').catch(() => '(missing)');
    expect(apiDocumentText(await describeApi()), 'docs/openapi/channel-config.json differs from the code: run `npm run openapi` and commit it').toBe(kept);
  });

  it('asks for a bearer token, and says 401, 403 and 429, on every route but the public ones', async () => {
    const document = await describeApi();
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      (['get', 'put', 'post', 'patch', 'delete'] as const).flatMap((method) => (item[method] ? [{ route: `${method} ${path}`, operation: item[method] }] : [])),
    );
    const isPublic = (route: string) => /^get \/(health|metrics|v1\/oauth\/callback)/.test(route);
    const described = operations.map(({ route, operation }) => ({
      route,
      security: operation.security,
      statuses: ['401', '403', '429'].filter((status) => status in operation.responses),
    }));
    expect(described.filter(({ route }) => isPublic(route))).toEqual(
      ['get /health', 'get /health/live', 'get /health/ready', 'get /metrics', 'get /v1/oauth/callback'].map((route) => ({ route, security: undefined, statuses: [] })),
    );
    for (const entry of described.filter(({ route }) => !isPublic(route))) {
      expect(entry, entry.route).toEqual({ route: entry.route, security: [{ bearer: [] }], statuses: ['401', '403', '429'] });
    }
  });
});
