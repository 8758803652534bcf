import { Transform } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, Matches, MinLength } from 'class-validator';

/** DATABASE_URL: a postgres:// URL, or unset for the embedded database. */
export const IsDatabaseUrl = () =>
  applyDecorators(
    IsOptional(),
    Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'DATABASE_URL must be a postgres:// URL (leave it unset for the embedded database)' }),
  );

/** MIGRATIONS_AT_START: "true" (the default) or "false"; anything else is refused rather than read as one of them. */
export const IsMigrationsAtStart = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean({ message: 'MIGRATIONS_AT_START must be true or false' }),
  );

/**
 * What `node apps/<service>/dist/migrate.js` (the migrations Job) needs: the database only, no NATS, token or key.
 * A service's own environment (ServiceEnvironment) has the same fields, so one schema definition serves both.
 */
export class MigrationsEnvironment {
  @IsDatabaseUrl() DATABASE_URL?: string;

  @IsOptional() @IsString() @MinLength(1) DATA_DIR: string = '.data';

  /** Read by the services only: false where the migrations Job migrates and the replicas wait for it (Kubernetes). */
  @IsMigrationsAtStart() MIGRATIONS_AT_START: boolean = true;
}
