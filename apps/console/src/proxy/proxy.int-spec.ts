import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { freePort } from '@ensoras/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConsoleEnvironment } from '../config/console.environment.js';
import { loadEnvironment } from '../config/load-environment.js';
import { startConsole } from '../console-app.js';

const TOKEN = 'console-proxy-admin-token-4711';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Stands in for a service's HTTP only: records what reached it and answers 201 with it, or 401 without a token.
 * `/slow-answer` sends its first chunk and the rest once told; `/slow-upload` reports the first chunk it receives.
 */
async function startUpstream(name: string) {
  const received: ReceivedRequest[] = [];
  let finishAnswer = () => {};
  let firstUploadChunk = signal();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      if (chunks.length === 0) firstUploadChunk.resolve();
      chunks.push(chunk);
    });
    request.on('end', () => {
      const seen = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString() };
      received.push(seen);
      if (request.url === '/slow-answer') return answerSlowly(response);
      if (!request.headers.authorization) return reply(response, 401, { statusCode: 401, message: `${name} wants a token` });
      reply(response, 201, { service: name, method: seen.method, url: seen.url, bodyLength: seen.body.length });
    });
  });
  const answerSlowly = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('first part;');
    finishAnswer = () => response.end('second part');
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    last: () => received.at(-1)!,
    finishAnswer: () => finishAnswer(),
    nextUploadChunk: () => (firstUploadChunk = signal()).promise,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A promise and its resolve (Promise.withResolvers is Node 22). */
function signal() {
  let resolve = () => {};
  const promise = new Promise<void>((resolved) => (resolve = resolved));
  return { promise, resolve };
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-answered-by': 'upstream' });
  response.end(JSON.stringify(body));
}

describe('console API proxy', () => {
  let config: Awaited<ReturnType<typeof startUpstream>>;
  let inbox: Awaited<ReturnType<typeof startUpstream>>;
  let knowledge: Awaited<ReturnType<typeof startUpstream>>;
  let downPort: number;
  let webDir: string;
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    [config, inbox, knowledge] = await Promise.all([startUpstream('channel-config'), startUpstream('ticketing'), startUpstream('ai-responder')]);
    // Nothing listens here: mail-ingest is down.
    downPort = await freePort();
    webDir = mkdtempSync(join(tmpdir(), 'console-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Console</title>');
    const port = await freePort();
    const environment = loadEnvironment(ConsoleEnvironment, {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CHANNEL_CONFIG_URL: config.url,
      TICKETING_URL: inbox.url,
      AI_RESPONDER_URL: knowledge.url,
      MAIL_INGEST_URL: `http://127.0.0.1:${downPort}`,
      CONSOLE_WEB_DIR: webDir,
    });
    app = await startConsole(environment);
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([config, inbox, knowledge].map((upstream) => upstream?.close()));
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  it('forwards /api/config/* to channel-config without the prefix: method, query, body and Authorization as sent', async () => {
    const body = JSON.stringify({ enabled: true, name: 'Support – Ümlaut' });
    const response = await fetch(`${baseUrl}/api/config/v1/projects/acme/channels/email?dryRun=1&q=a%20b`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-answered-by')).toBe('upstream');
    expect(await response.json()).toEqual({
      service: 'channel-config',
      method: 'PUT',
      url: '/v1/projects/acme/channels/email?dryRun=1&q=a%20b',
      bodyLength: body.length,
    });
    expect(config.last()).toMatchObject({ method: 'PUT', body, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
  });

  it('forwards /api/inbox/* to ticketing and /api/knowledge/* to ai-responder', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const tickets = await fetch(`${baseUrl}/api/inbox/v1/projects/acme/tickets?status=open`, { headers });
    expect(await tickets.json()).toMatchObject({ service: 'ticketing', method: 'GET', url: '/v1/projects/acme/tickets?status=open' });

    const removed = await fetch(`${baseUrl}/api/knowledge/v1/projects/acme/knowledge/articles/7`, { method: 'DELETE', headers });
    expect(await removed.json()).toMatchObject({ service: 'ai-responder', method: 'DELETE', url: '/v1/projects/acme/knowledge/articles/7' });
  });

  it("returns the service's own error status and body unchanged", async () => {
    const response = await fetch(`${baseUrl}/api/config/v1/projects/acme/configuration`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ statusCode: 401, message: 'channel-config wants a token' });
  });

  it('streams a request body to the service as it arrives, with no body limit of its own', async () => {
    const firstChunk = inbox.nextUploadChunk();
    const part = 'x'.repeat(512 * 1024);
    const request = httpRequest(`${baseUrl}/api/inbox/v1/projects/acme/tickets/1/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    const answered = once(request, 'response');
    request.write(part);
    // A proxy that buffered would wait for the end of the body and never get here.
    await firstChunk;
    request.end(part);
    const [response] = (await answered) as [IncomingMessage];
    response.resume();
    expect(response.statusCode).toBe(201);
    expect(inbox.last().body.length).toBe(2 * part.length);
  });

  it("streams the service's answer to the browser as it comes", async () => {
    const response = await fetch(`${baseUrl}/api/inbox/slow-answer`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe('first part;');
    inbox.finishAnswer();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    expect(rest).toBe('second part');
  });

  it('answers 502 naming the service when it is down, never its address, and logs no Authorization header', async () => {
    const output: string[] = [];
    const capture = (chunk: string | Uint8Array) => (output.push(String(chunk)), true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const response = await fetch(`${baseUrl}/api/ingest/v1/projects/acme/unattached?page=2`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(502);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ statusCode: 502, error: 'Bad Gateway', message: 'mail-ingest is not reachable' });
      expect(text).not.toContain(String(downPort));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const logged = output.join('');
    // The path as the service would have seen it.
    expect(logged).toContain('mail-ingest is not reachable (ECONNREFUSED): GET /v1/projects/acme/unattached');
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain('page=2');
  });

  it('answers a path under /api/ that no service owns with a JSON 404, whatever the method', async () => {
    for (const [method, path] of [['GET', '/api/nope'], ['POST', '/api/configuration/v1'], ['GET', '/api']] as const) {
      const response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
    expect(config.received.map((request) => request.url)).not.toContain('/v1');
  });

  it('sets no CORS headers: the browser only ever talks to this origin', async () => {
    const response = await fetch(`${baseUrl}/api/config/v1/projects/acme/configuration`, {
      headers: { origin: 'https://elsewhere.example', authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(201);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
