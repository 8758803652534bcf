import { BadRequestException } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Keyset pagination of the API's lists: a page ends at its last row's keys, and the next page starts after them. New
 * rows never shift or repeat a page, and no page costs an OFFSET scan.
 */

/** A page of a list; `nextCursor` fetches the next one, null on the last. */
export interface KeysetPage<Item> {
  items: Item[];
  nextCursor: string | null;
}

/**
 * Opaque to clients: base64url of a JSON array of the keys, so the form can change without clients depending on it,
 * and a cursor goes into a URL without escaping.
 */
export function encodeCursor(keys: readonly string[]): string {
  return Buffer.from(JSON.stringify(keys), 'utf8').toString('base64url');
}

/** The `count` keys of a cursor; null for anything that is not one (characters, length, encoding, JSON or shape). */
export function decodeCursor(value: string, count: number, maxLength: number): string[] | null {
  if (value.length === 0 || value.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(decoded) || decoded.length !== count || !decoded.every((key) => typeof key === 'string')) return null;
  return decoded as string[];
}

/**
 * The page out of `rows` read with a limit of `limit + 1`: the row beyond the page tells that there is a next one,
 * and the page's last row gives its cursor.
 */
export function pageOf<Row, Item>(rows: readonly Row[], limit: number, view: (row: Row) => Item, cursorOf: (last: Row) => string): KeysetPage<Item> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(view), nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** The 400 of a cursor this API did not hand out, in the shape of the validation errors. */
export function badCursor(message = 'cursor: cursor is not one this API returned'): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [message] });
}

/** Where a newest-first page ended: its last row's createdAt (millisecond precision) and UUID id. */
export interface NewestFirstKey {
  createdAt: Date;
  id: string;
}

/** Cursors of the newest-first lists: `[createdAt ISO, id]`. */
export const newestFirstCursor = {
  encode(key: NewestFirstKey): string {
    return encodeCursor([key.createdAt.toISOString(), key.id]);
  },

  /** Null for anything this service did not hand out (bad encoding, shape, date or id). */
  decode(value: string): NewestFirstKey | null {
    const keys = decodeCursor(value, 2, 200);
    if (!keys) return null;
    const [createdAt, id] = keys as [string, string];
    if (!isUUID(id)) return null;
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) return null;
    return { createdAt: date, id };
  },
};

/**
 * One page of `query` newest first, by (created_at, id) of `alias` (an index on the filter's columns, created_at and
 * id serves it), after `cursor` when given; a cursor this API did not hand out is a 400.
 */
export async function newestFirstPage<Row extends ObjectLiteral & NewestFirstKey, Item>(
  query: SelectQueryBuilder<Row>,
  alias: string,
  page: { limit: number; cursor?: string },
  view: (row: Row) => Item,
): Promise<KeysetPage<Item>> {
  if (page.cursor !== undefined) {
    const after = newestFirstCursor.decode(page.cursor);
    if (!after) throw badCursor();
    query.andWhere(`(${alias}.created_at, ${alias}.id) < (CAST(:cursorCreatedAt AS timestamptz), CAST(:cursorId AS uuid))`, {
      cursorCreatedAt: after.createdAt.toISOString(),
      cursorId: after.id,
    });
  }
  const rows = await query.orderBy(`${alias}.createdAt`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').limit(page.limit + 1).getMany();
  return pageOf(rows, page.limit, view, (last) => newestFirstCursor.encode(last));
}
