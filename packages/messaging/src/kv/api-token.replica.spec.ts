import { describe, expect, it } from 'vitest';
import { apiTokenKey, apiTokenOfEntry } from './api-token.replica.js';

describe('apiTokenOfEntry', () => {
  it('takes a well-formed record, with a project list or "*"', () => {
    const token = { id: 't1', name: 'helpdesk', projects: ['acme', 'beta_2'], scopes: ['inbox:read', 'inbox:write'] };
    expect(apiTokenOfEntry(() => token)).toEqual({ token });
    expect(apiTokenOfEntry(() => ({ ...token, projects: '*' }))).toEqual({ token: { ...token, projects: '*' } });
  });

  it.each([
    ['not JSON', () => JSON.parse('{oops')],
    ['not an object', () => 'text'],
    ['no id or name', () => ({ name: 'x', projects: '*', scopes: [] })],
    ['projects is neither "*" nor a list of project ids', () => ({ id: 't', name: 'x', projects: ['a.b'], scopes: [] })],
    ['projects is neither "*" nor a list of project ids', () => ({ id: 't', name: 'x', projects: 'acme', scopes: [] })],
    ['scopes holds an unknown scope', () => ({ id: 't', name: 'x', projects: '*', scopes: ['config:read', 'root'] })],
  ])('refuses an entry that is %s', (reason, read) => {
    expect(apiTokenOfEntry(read)).toEqual({ skipped: reason });
  });
});

describe('apiTokenKey', () => {
  it('is the hex SHA-256 of the secret, a valid KV key that does not reveal it', () => {
    // The FIPS 180-2 test vector.
    expect(apiTokenKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(apiTokenKey('ens_other')).toMatch(/^[0-9a-f]{64}$/);
  });
});
