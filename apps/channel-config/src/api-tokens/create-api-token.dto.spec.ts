import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CreateApiTokenDto } from './create-api-token.dto.js';

/** Each failing field with its messages, as the 400 answer names them. */
function problems(body: Record<string, unknown>): Record<string, string[]> {
  const errors = validateSync(plainToInstance(CreateApiTokenDto, body), { whitelist: true, forbidNonWhitelisted: true });
  return Object.fromEntries(errors.map((error) => [error.property, Object.values(error.constraints ?? {})]));
}

const valid = { name: 'helpdesk', projects: ['acme'], scopes: ['inbox:read', 'inbox:write'] };

describe('CreateApiTokenDto', () => {
  it('takes a token for listed projects or for every project', () => {
    expect(problems(valid)).toEqual({});
    expect(problems({ ...valid, projects: '*' })).toEqual({});
  });

  it('names unknown scopes and lists the known ones', () => {
    expect(problems({ ...valid, scopes: ['inbox:read', 'admin', 'config:delete'] })).toEqual({
      scopes: ['scopes holds unknown scope(s) "admin", "config:delete"; the scopes are config:read, config:write, inbox:read, inbox:write, knowledge:write'],
    });
  });

  it.each([
    [[], 'scopes must be a non-empty list of scopes (config:read, config:write, inbox:read, inbox:write, knowledge:write)'],
    ['inbox:read', 'scopes must be a non-empty list of scopes (config:read, config:write, inbox:read, inbox:write, knowledge:write)'],
    [['inbox:read', 'inbox:read'], 'scopes must not name a scope twice'],
  ])('refuses scopes %j', (scopes, message) => {
    expect(problems({ ...valid, scopes })).toEqual({ scopes: [message] });
  });

  it.each([
    [[], 'projects must be "*" (every project) or a non-empty list of project ids'],
    ['acme', 'projects must be "*" (every project) or a non-empty list of project ids'],
    [['acme', 'a.b', 7], 'projects holds "a.b", 7: a project id is 1 to 64 letters, digits, "-" or "_"'],
    [['acme', 'acme'], 'projects must not name a project twice'],
  ])('refuses projects %j', (projects, message) => {
    expect(problems({ ...valid, projects })).toEqual({ projects: [message] });
  });

  it('refuses a missing, empty or control-character name, and trims one', () => {
    expect(Object.keys(problems({ projects: '*', scopes: ['config:read'] }))).toEqual(['name']);
    expect(Object.keys(problems({ ...valid, name: '   ' }))).toEqual(['name']);
    expect(problems({ ...valid, name: 'a\nb' })).toEqual({ name: ['name must not contain control characters'] });
    expect(plainToInstance(CreateApiTokenDto, { ...valid, name: '  helpdesk ' }).name).toBe('helpdesk');
  });
});
