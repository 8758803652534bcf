import type { Middleware } from '../middleware.js';

/**
 * The page loads only what the console itself serves: its scripts and styles, its API calls (one origin), and
 * images from itself or data: URLs, so a remote image in a mail body (a tracking pixel) is never fetched.
 * Mantine writes its CSS variables and responsive style props into <style> elements at run time, hence
 * 'unsafe-inline' for styles (a nonce would need the page rewritten per request); scripts get no such exception,
 * so the page must not carry an inline <script> (e.g. Mantine's ColorSchemeScript).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // frame-ancestors for browsers that predate it: the console is never framed (clickjacking).
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * On every response, set before anything answers. A forwarded answer keeps them unless the service sets its own;
 * on JSON they do no harm. There are no CORS headers: the browser only ever talks to this origin.
 */
export const securityHeaders: Middleware = (_request, response, next) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  next();
};
