import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { freePort } from '@ensoras/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleEnvironment } from '../config/console.environment.js';
import { loadEnvironment } from '../config/load-environment.js';
import { startConsole } from '../console-app.js';

const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/index-4f2a9c.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'document.title = "Console";';

describe('console web page', () => {
  let webDir: string;
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    // What `vite build` writes to dist/web.
    webDir = mkdtempSync(join(tmpdir(), 'console-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), INDEX_HTML);
    writeFileSync(join(webDir, 'assets', 'index-4f2a9c.js'), SCRIPT);
    writeFileSync(join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const port = await freePort();
    app = await startConsole(loadEnvironment(ConsoleEnvironment, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CONSOLE_WEB_DIR: webDir }));
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  it('serves index.html for the root and for client-side routes, revalidated on every load', async () => {
    for (const path of ['/', '/p/acme/inbox', '/p/acme/inbox/123', '/p/acme/channels/email?tab=imap']) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(INDEX_HTML);
    }
  });

  it('serves the hashed assets for good and other files of the page as files', async () => {
    const script = await fetch(`${baseUrl}/assets/index-4f2a9c.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(SCRIPT);

    const icon = await fetch(`${baseUrl}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).not.toContain('immutable');
  });

  it('answers a missing asset with a 404, not the page', async () => {
    const response = await fetch(`${baseUrl}/assets/index-0ld.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).not.toContain('<html');
  });

  it('sends the security headers with the page and its files, and no CORS or X-Powered-By header', async () => {
    for (const path of ['/p/acme/inbox', '/assets/index-4f2a9c.js']) {
      const response = await fetch(`${baseUrl}${path}`, { headers: { origin: 'https://elsewhere.example' } });
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy.split('; ')).toEqual(
        expect.arrayContaining(["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'none'"]),
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('answers the probes as every service does, not with the page', async () => {
    for (const path of ['/health/live', '/health/ready', '/health']) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('gives the page to GET only: another method on a page path is a 404', async () => {
    const response = await fetch(`${baseUrl}/p/acme/inbox`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
