import { describe, expect, it } from 'vitest';
import { actorLabel } from './labels.ts';

describe('actorLabel', () => {
  it('names who made an audited change', () => {
    expect(actorLabel({ kind: 'admin' })).toBe('Admin token');
    expect(actorLabel({ kind: 'token', id: '0d9c…', name: 'helpdesk' })).toBe('API token "helpdesk"');
    expect(actorLabel({ kind: 'system' })).toBe('System');
  });
});
