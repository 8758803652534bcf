/**
 * The JSON body limit of a service, derived from its request DTOs, so that a body the DTOs accept is never refused
 * by the parser first (which would be a 413 naming no field), and a body larger than any accepted one is refused
 * with a 413 naming the limit before it is read into memory.
 */
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

/** What express.json refuses unless told otherwise (100 KB): kept for services that name no DTOs. */
export const DEFAULT_JSON_BODY_LIMIT_BYTES = 100 * 1024;

/**
 * The most one UTF-16 unit (MaxLength) or one UTF-8 byte (IsByteLength) of a string can take in a JSON body:
 * `\uXXXX` (a control character, or any character in JSON written with ensure_ascii).
 */
const WORST_CASE_BYTES_PER_CHARACTER = 6;
/** A property's name, quotes, separators, indentation, and a number, boolean or enum value. */
const BYTES_PER_PROPERTY = 64;
/** validator.js's bound for IsEmail: 64 (local part) + 1 + 255 (domain). */
const EMAIL_MAX_LENGTH = 320;

type DtoClass = abstract new (...args: never[]) => object;

/** The largest JSON body any of the DTOs accepts, in bytes (the largest of them, not their sum). */
export function jsonBodyLimitOf(...dtos: DtoClass[]): number {
  return Math.max(DEFAULT_JSON_BODY_LIMIT_BYTES, ...dtos.map((dto) => largestBodyOf(dto, [])));
}

function largestBodyOf(dto: DtoClass, path: DtoClass[]): number {
  if (path.includes(dto)) throw new Error(`${dto.name} nests itself: its largest body is unbounded`);
  const byProperty = new Map<string, { maxLength?: number; email?: boolean; nested?: boolean; string?: boolean }>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const property = byProperty.get(metadata.propertyName) ?? {};
    if (metadata.name === 'maxLength') property.maxLength = Number(metadata.constraints[0]);
    if (metadata.name === 'isByteLength' && metadata.constraints[1] !== undefined) property.maxLength = Number(metadata.constraints[1]);
    if (metadata.name === 'isEmail') property.email = true;
    if (metadata.name === 'isString') property.string = true;
    if (metadata.type === ValidationTypes.NESTED_VALIDATION) property.nested = true;
    byProperty.set(metadata.propertyName, property);
  }
  let bytes = 2; // the braces
  for (const [name, property] of byProperty) {
    bytes += BYTES_PER_PROPERTY + name.length;
    if (property.nested) {
      const type: unknown = Reflect.getMetadata('design:type', dto.prototype, name);
      if (typeof type !== 'function' || type === Array || type === Object) {
        throw new Error(`${dto.name}.${name}: nested type unknown (arrays are not bounded here)`);
      }
      bytes += largestBodyOf(type as DtoClass, [...path, dto]);
    } else if (property.maxLength !== undefined || property.email) {
      bytes += WORST_CASE_BYTES_PER_CHARACTER * (property.maxLength ?? EMAIL_MAX_LENGTH);
    } else if (property.string) {
      throw new Error(`${dto.name}.${name} is a string without MaxLength or IsByteLength: its largest body is unbounded`);
    }
  }
  return bytes;
}

/** express.json with the limit, and a JSON 413 naming that limit instead of the HTML page express would send. */
export function useJsonBodyLimit(app: INestApplication, limitBytes: number): void {
  (app as NestExpressApplication).useBodyParser('json', { limit: limitBytes });
  app.use((error: unknown, _request: unknown, response: JsonResponse, next: (error?: unknown) => void) => {
    if ((error as { type?: unknown } | null)?.type !== 'entity.too.large') return next(error);
    response.status(413).json({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `The request body is larger than the limit of ${limitBytes} bytes (${Math.ceil(limitBytes / 1024)} KB)`,
      limitBytes,
    });
  });
}

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}
