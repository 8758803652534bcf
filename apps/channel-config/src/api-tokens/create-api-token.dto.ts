import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches, registerDecorator, type ValidationArguments } from 'class-validator';
import { API_SCOPES, isApiScope, PROJECT_ID_PATTERN, type ApiScope, type ApiTokenProjects } from '@ensoras/contracts';

/** More would be a token for (nearly) everything: "*" says that. */
export const MAX_TOKEN_PROJECTS = 1_000;

/** POST /v1/tokens. */
export class CreateApiTokenDto {
  /** Shown in the audit log beside every change the token makes; unique among active tokens. */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'crm-sync', description: 'Shown in the audit log beside its changes; unique among active tokens' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 100)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({
    oneOf: [
      { type: 'string', enum: ['*'], description: 'Every project' },
      { type: 'array', items: { type: 'string', pattern: PROJECT_ID_PATTERN.source }, minItems: 1, maxItems: MAX_TOKEN_PROJECTS, uniqueItems: true },
    ],
    example: ['acme'],
  })
  @IsTokenProjects()
  projects!: ApiTokenProjects;

  @ApiProperty({ enum: API_SCOPES, isArray: true, minItems: 1, uniqueItems: true, example: ['inbox:read'] })
  @IsScopeList()
  scopes!: ApiScope[];
}

/** `"*"`, or a non-empty list of distinct project ids as the routes take them (the contracts' PROJECT_ID_PATTERN). */
function IsTokenProjects() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isTokenProjects',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => projectsProblem(value) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${projectsProblem(args.value) ?? ''}`,
      },
    });
}

function projectsProblem(value: unknown): string | null {
  if (value === '*') return null;
  if (!Array.isArray(value) || value.length === 0) return 'must be "*" (every project) or a non-empty list of project ids';
  if (value.length > MAX_TOKEN_PROJECTS) return `must list at most ${MAX_TOKEN_PROJECTS} projects (or be "*")`;
  const bad = value.filter((id) => typeof id !== 'string' || !PROJECT_ID_PATTERN.test(id));
  if (bad.length > 0) return `holds ${bad.map((id) => JSON.stringify(id)).join(', ')}: a project id is 1 to 64 letters, digits, "-" or "_"`;
  if (new Set(value).size !== value.length) return 'must not name a project twice';
  return null;
}

/** A non-empty list of distinct known scopes; the unknown ones are named. */
function IsScopeList() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isScopeList',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => scopesProblem(value) === null,
        defaultMessage: (args: ValidationArguments) => `${args.property} ${scopesProblem(args.value) ?? ''}`,
      },
    });
}

function scopesProblem(value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0) return `must be a non-empty list of scopes (${API_SCOPES.join(', ')})`;
  const unknown = value.filter((scope) => !isApiScope(scope));
  if (unknown.length > 0) {
    return `holds unknown scope(s) ${unknown.map((scope) => JSON.stringify(scope)).join(', ')}; the scopes are ${API_SCOPES.join(', ')}`;
  }
  if (new Set(value).size !== value.length) return 'must not name a scope twice';
  return null;
}
