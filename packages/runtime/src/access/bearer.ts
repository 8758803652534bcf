import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerTokenOf(header: string | string[] | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(typeof header === 'string' ? header : '');
  return match ? match[1].trim() : null;
}

/** Compares a presented token with the ADMIN_TOKEN in constant time (digests of equal length); none matches no token. */
export function isAdminToken(presented: string, adminToken: string | undefined): boolean {
  if (!adminToken) return false;
  return timingSafeEqual(digest(presented), digest(adminToken));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
