import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleEnvironment } from './console.environment.js';

const webDir = mkdtempSync(join(tmpdir(), 'console-web-'));
writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Console</title>');
afterAll(() => rmSync(webDir, { recursive: true, force: true }));

const base = { CONSOLE_WEB_DIR: webDir };
const errorsOf = (source: Record<string, string>) => validateSync(plainToInstance(ConsoleEnvironment, { ...base, ...source }));
const messagesOf = (source: Record<string, string>) => errorsOf(source).flatMap((error) => Object.values(error.constraints ?? {}));

describe('ConsoleEnvironment', () => {
  it('defaults to port 3000 on all interfaces, forwarding to the services where npm start runs them', () => {
    const environment = plainToInstance(ConsoleEnvironment, base);
    expect(validateSync(environment)).toEqual([]);
    expect(environment).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      CHANNEL_CONFIG_URL: 'http://127.0.0.1:3001',
      TICKETING_URL: 'http://127.0.0.1:3002',
      AI_RESPONDER_URL: 'http://127.0.0.1:3003',
      MAIL_INGEST_URL: 'http://127.0.0.1:3004',
    });
  });

  it('looks for the built page in dist/web beside the compiled server unless CONSOLE_WEB_DIR says otherwise', () => {
    // Run from src/ here; from dist/ once built, where `vite build` writes the page.
    expect(new ConsoleEnvironment().CONSOLE_WEB_DIR).toBe(join(import.meta.dirname, '..', 'web') + '/');
  });

  it('accepts service host names as compose gives them', () => {
    const environment = plainToInstance(ConsoleEnvironment, {
      ...base,
      CHANNEL_CONFIG_URL: 'http://channel-config:3001',
      TICKETING_URL: 'http://ticketing:3002',
      AI_RESPONDER_URL: 'https://ai-responder.internal:8443',
      MAIL_INGEST_URL: 'http://mail-ingest:3004',
    });
    expect(validateSync(environment)).toEqual([]);
  });

  it('rejects a service address that is not an http(s) URL, naming the variable', () => {
    expect(messagesOf({ TICKETING_URL: 'ticketing:3002' })).toEqual(['TICKETING_URL must be an http(s) URL, e.g. http://127.0.0.1:3001']);
    expect(errorsOf({ MAIL_INGEST_URL: 'nats://127.0.0.1:4222' }).map((error) => error.property)).toEqual(['MAIL_INGEST_URL']);
  });

  it('rejects a port outside 1–65535 and a HOST with spaces', () => {
    expect(errorsOf({ PORT: '70000' }).map((error) => error.property)).toEqual(['PORT']);
    expect(errorsOf({ PORT: 'web' }).map((error) => error.property)).toEqual(['PORT']);
    expect(errorsOf({ HOST: 'local host' }).map((error) => error.property)).toEqual(['HOST']);
  });

  it('refuses to start without the built page, saying how to build it', () => {
    const empty = join(webDir, 'empty');
    mkdirSync(empty);
    expect(messagesOf({ CONSOLE_WEB_DIR: empty })).toEqual([
      `CONSOLE_WEB_DIR must be the built web page; ${empty} has no index.html (run \`npm run build\`)`,
    ]);
  });
});
