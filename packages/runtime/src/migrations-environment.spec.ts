import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { MigrationsEnvironment } from './migrations-environment.js';

const read = (source: Record<string, string>) => {
  const environment = plainToInstance(MigrationsEnvironment, source);
  return { environment, messages: validateSync(environment).flatMap((error) => Object.values(error.constraints ?? {})) };
};

describe('MigrationsEnvironment', () => {
  it('migrates at start unless MIGRATIONS_AT_START is "false"', () => {
    expect(read({}).environment.MIGRATIONS_AT_START).toBe(true);
    expect(read({ MIGRATIONS_AT_START: 'true' }).environment.MIGRATIONS_AT_START).toBe(true);
    expect(read({ MIGRATIONS_AT_START: 'false' }).environment.MIGRATIONS_AT_START).toBe(false);
  });

  it('refuses anything else rather than guessing which was meant', () => {
    expect(read({ MIGRATIONS_AT_START: 'no' }).messages).toEqual(['MIGRATIONS_AT_START must be true or false']);
    expect(read({ MIGRATIONS_AT_START: '0' }).messages).toEqual(['MIGRATIONS_AT_START must be true or false']);
  });

  it('needs nothing but the database: no NATS, admin token or port', () => {
    const { environment, messages } = read({ DATABASE_URL: 'postgres://migrator@db:5432/ensoras' });
    expect(messages).toEqual([]);
    expect(environment).toMatchObject({ DATABASE_URL: 'postgres://migrator@db:5432/ensoras', DATA_DIR: '.data' });
    expect(read({ DATABASE_URL: 'mysql://db/ensoras' }).messages).toEqual([
      'DATABASE_URL must be a postgres:// URL (leave it unset for the embedded database)',
    ]);
  });
});
