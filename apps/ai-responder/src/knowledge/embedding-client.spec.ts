import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDING_BATCH_SIZE, EmbeddingClient, isTimeout } from './embedding-client.js';

const API_KEY = 'sk-embed-0123456789abcdef';

interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[] };
}

type Answer = (body: RecordedRequest['body'], response: ServerResponse) => void;

/** `[length of the text, its position]`, listed in reverse: the client must put them back in order by `index`. */
const reversed: Answer = (body, response) => {
  const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: [text.length, index] })).reverse();
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ object: 'list', data, model: body.model }));
};

/** The error `promise` rejects with; fails the test when it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('EmbeddingClient', () => {
  let server: Server;
  let baseUrl: string;
  const requests: RecordedRequest[] = [];
  let answer: Answer = reversed;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      request.on('end', () => {
        const body = JSON.parse(raw) as RecordedRequest['body'];
        requests.push({ method: request.method ?? '', path: request.url ?? '', authorization: request.headers.authorization, body });
        answer(body, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
    answer = reversed;
  });

  const client = (overrides: Partial<{ baseUrl: string; timeoutMs: number }> = {}) =>
    new EmbeddingClient({ model: 'embed-small', baseUrl, apiKey: API_KEY, timeoutMs: 5_000, ...overrides });

  it('posts the inputs to /embeddings in batches of 64 and returns the vectors in the order of the inputs', async () => {
    const inputs = Array.from({ length: 150 }, (_, n) => 'x'.repeat(n + 1));
    const vectors = await client({ baseUrl: `${baseUrl}/` }).embed(inputs);

    expect(EMBEDDING_BATCH_SIZE).toBe(64);
    expect(requests.map((request) => request.body.input.length)).toEqual([64, 64, 22]);
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/v1/embeddings', authorization: `Bearer ${API_KEY}`, body: { model: 'embed-small' } });
    expect(requests.flatMap((request) => request.body.input)).toEqual(inputs);
    expect(vectors).toHaveLength(150);
    // Each vector is its own input's (length n + 1), at its position within the batch.
    expect(vectors.map(([length]) => length)).toEqual(inputs.map((input) => input.length));
    expect(vectors.slice(62, 66).map(([, index]) => index)).toEqual([62, 63, 0, 1]);
    expect(await client().embed([])).toEqual([]);
    expect(requests).toHaveLength(3);
  });

  it('names the status and the start of the body, with the key redacted', async () => {
    answer = (_body, response) => {
      response.statusCode = 401;
      response.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}. ${'x'.repeat(1_000)}` } }));
    };
    const failure = await failureOf(client().embed(['hello']));
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toMatch(/^embed-small at http:\/\/127\.0\.0\.1:\d+\/v1: 401 \{"error":\{"message":"Incorrect API key provided: \*\*\*\. x+$/);
    expect(failure.message).not.toContain(API_KEY);
    expect(failure.message.length).toBeLessThan(400);
    expect(isTimeout(failure)).toBe(false);
  });

  it('refuses an answer without one list of numbers per input', async () => {
    const answers: Array<[unknown, RegExp]> = [
      [{ data: [{ index: 0, embedding: [1, 2] }] }, /expected 2 embeddings, got 1/],
      [{ data: [{ index: 0, embedding: [1] }, { index: 0, embedding: [2] }] }, /index 0 is out of range or repeated/],
      [{ data: [{ index: 0, embedding: [1] }, { index: 1, embedding: 'AAAA' }] }, /embedding 1 is not a list of numbers/],
      [{ data: [{ index: 0, embedding: [1] }, { index: 1, embedding: [] }] }, /embedding 1 is not a list of numbers/],
      [{ error: 'nope' }, /expected 2 embeddings, got none/],
    ];
    for (const [body, message] of answers) {
      answer = (_body, response) => response.end(JSON.stringify(body));
      await expect(client().embed(['a', 'b'])).rejects.toThrow(message);
    }
    answer = (_body, response) => response.end(`not json ${API_KEY}`);
    await expect(client().embed(['a'])).rejects.toThrow(/the response is not JSON: not json \*\*\*$/);
  });

  it('gives up after its timeout, and says when an endpoint cannot be reached', async () => {
    answer = (body, response) => void setTimeout(() => reversed(body, response), 2_000);
    const started = performance.now();
    const slow = await failureOf(client({ timeoutMs: 200 }).embed(['a']));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(slow.message).toMatch(/^embed-small at .*: .*timeout/i);
    expect(isTimeout(slow)).toBe(true);
    // A shorter timeout for one call (a search does not wait as long as the sweep).
    await expect(client({ timeoutMs: 5_000 }).embed(['a'], { timeoutMs: 200 })).rejects.toThrow(/timeout/i);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await failureOf(client({ baseUrl: `http://user:gateway-secret@127.0.0.1:${port}/v1` })
      .embed(['a']));
    expect(unreachable.message).toMatch(/^embed-small at http:\/\/127\.0\.0\.1:\d+\/v1: fetch failed: connect ECONNREFUSED/);
    expect(unreachable.message).not.toContain('gateway-secret');
  });
});
