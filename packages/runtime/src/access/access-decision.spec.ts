import { describe, expect, it } from 'vitest';
import { decideAccess } from './access-decision.js';

const readerOfA = { projects: ['project-a'], scopes: ['config:read' as const] };

describe('decideAccess', () => {
  it('lets a token do what its scope allows on its own project', () => {
    expect(decideAccess(readerOfA, { kind: 'scope', scope: 'config:read' }, 'project-a')).toEqual({ allowed: true });
  });

  it('refuses another project, naming it', () => {
    expect(decideAccess(readerOfA, { kind: 'scope', scope: 'config:read' }, 'project-b')).toEqual({
      allowed: false,
      message: 'This token is not for the project "project-b"',
      projectId: 'project-b',
    });
  });

  it('refuses a route whose scope it lacks, naming the scope, before looking at the project', () => {
    for (const projectId of ['project-a', 'project-b']) {
      expect(decideAccess(readerOfA, { kind: 'scope', scope: 'config:write' }, projectId)).toEqual({
        allowed: false,
        message: 'This token lacks the scope "config:write"',
        missingScope: 'config:write',
      });
    }
  });

  it('does not take a read scope for the write scope of the same area, nor the other way round', () => {
    const writer = { projects: '*' as const, scopes: ['inbox:write' as const] };
    expect(decideAccess(writer, { kind: 'scope', scope: 'inbox:read' }, 'p')).toMatchObject({ allowed: false, missingScope: 'inbox:read' });
    expect(decideAccess(writer, { kind: 'scope', scope: 'inbox:write' }, 'p')).toEqual({ allowed: true });
  });

  it('lets a token for "*" reach any project, and routes without one', () => {
    const everywhere = { projects: '*' as const, scopes: ['inbox:read' as const] };
    expect(decideAccess(everywhere, { kind: 'scope', scope: 'inbox:read' }, 'anything')).toEqual({ allowed: true });
    expect(decideAccess(everywhere, { kind: 'scope', scope: 'inbox:read' }, undefined)).toEqual({ allowed: true });
  });

  it('keeps a token for a list of projects off routes that span all projects', () => {
    expect(decideAccess(readerOfA, { kind: 'scope', scope: 'config:read' }, undefined)).toMatchObject({ allowed: false });
  });

  it('refuses every scoped token on admin-only routes, even one with every scope for every project', () => {
    const all = { projects: '*' as const, scopes: ['config:read', 'config:write', 'inbox:read', 'inbox:write', 'knowledge:write'] as const };
    expect(decideAccess({ ...all, scopes: [...all.scopes] }, { kind: 'admin' }, 'p')).toEqual({
      allowed: false,
      message: 'This route needs the ADMIN_TOKEN; API tokens cannot use it',
    });
  });

  it('lets any token read reference data that belongs to no project, whatever its scopes', () => {
    expect(decideAccess({ projects: ['p-a'], scopes: ['inbox:read'] }, { kind: 'any-token' }, undefined)).toEqual({ allowed: true });
  });
});
