import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { startKnowledgeApi, type KnowledgeApi } from '../test-support/knowledge-api-harness.js';
import type { RetrievedPassage } from './knowledge-retriever.js';
import { PassageEmbedder } from './passage-embedder.js';

const ADMIN = 'admin-token-for-embedding-tests';
const API_KEY = 'sk-embeddings-0123456789abcdef';
const DIMENSIONS = 64;


/** What the fake knows that full-text search cannot: these words mean one thing, which has a dimension of its own. */
const MEANINGS: Readonly<Record<string, number>> = { cryptocurrency: 0, crypto: 0, bitcoin: 0, btc: 0, ether: 0 };
const STOP_WORDS = new Set('a an and are at be by can do does for from how i in is it my of on or our the to we with you your'.split(' '));

/**
 * A deterministic stand-in for an embeddings model: a bag of words, each counted in the dimension of its meaning or
 * else in one of the other 63 chosen by a hash of the model's name and the word, so "bitcoin" lands where
 * "cryptocurrency" does, and another model puts the other words elsewhere.
 */
function fakeEmbedding(text: string, model: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) {
    if (STOP_WORDS.has(word)) continue;
    vector[MEANINGS[word] ?? 1 + (createHash('sha256').update(`${model}:${word}`).digest().readUInt32BE(0) % (DIMENSIONS - 1))]! += 1;
  }
  return vector;
}

interface FakeEmbeddings {
  server: Server;
  baseUrl: string;
  requests: Array<{ model: string; input: string[]; authorization: string | undefined }>;
  /** While true every request gets a 500 that echoes the key, as some gateways do. */
  failing: boolean;
}

/** An OpenAI-compatible `/embeddings` route over real HTTP, answering in reverse order of the inputs (with `index`). */
async function startFakeEmbeddings(): Promise<FakeEmbeddings> {
  const fake: FakeEmbeddings = { server: undefined as unknown as Server, baseUrl: '', requests: [], failing: false };
  fake.server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(raw) as { model: string; input: string[] };
      fake.requests.push({ ...body, authorization: request.headers.authorization });
      response.setHeader('content-type', 'application/json');
      if (request.url !== '/v1/embeddings' || fake.failing) {
        response.statusCode = request.url !== '/v1/embeddings' ? 404 : 500;
        response.end(JSON.stringify({ error: { message: `upstream overloaded for key ${API_KEY}`, type: 'server_error' } }));
        return;
      }
      const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, body.model) }));
      response.end(JSON.stringify({ object: 'list', model: body.model, data: data.reverse() }));
    });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  return fake;
}

/** The error `promise` rejects with; fails the test when it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const CRYPTO = {
  title: 'Cryptocurrency',
  body: 'Cryptocurrency is accepted at checkout through our partner Coinbase Commerce. The exchange rate is fixed for 15 minutes.',
};
const SHIPPING = {
  title: 'Shipping',
  body: '<h2>Delivery times</h2><p>Orders ship within one business day. Delivery in Germany takes 1 to 2 days, in the rest of the EU 3 to 5 days.</p><h2>Costs</h2><p>Shipping is free from 50 euros; below that it costs 4.90 euros.</p>',
};
const PAYMENT = {
  title: 'Payment methods',
  body: 'We accept credit cards, PayPal and invoice. Paying by invoice is possible for orders up to 500 euros; the invoice is due within 14 days.',
};
const RETURNS = {
  title: 'Returns and refunds',
  body: '## How do I return an item?\n\nYou can return any item within 30 days of delivery.\n\n## When do I get my money back?\n\nRefunds are paid within 5 to 7 business days.',
};
/** "Do you take bitcoin?": no article says "bitcoin"; "take" is only in the shipping times. */
const BITCOIN_QUESTION = 'Do you take bitcoin?';

describe.each([
  { backend: 'PGlite', postgres: false },
  { backend: 'PostgreSQL', postgres: true },
])('knowledge base with embeddings (hybrid retrieval, $backend)', ({ postgres }) => {
  const project = 'p-embed';
  let fake: FakeEmbeddings;
  let nats: NatsTestServer;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let api: KnowledgeApi;
  let app: INestApplication | undefined;

  async function start(model: string): Promise<void> {
    const environment = Object.assign(new AiResponderEnvironment(), {
      NATS_URL: nats.url,
      DATABASE_URL: database?.url,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: ADMIN,
      PORT: 0,
      AI_EMBEDDINGS_MODEL: model,
      AI_BASE_URL: fake.baseUrl,
      AI_API_KEY: API_KEY,
      AI_TIMEOUT_MS: 5_000,
    });
    api = await startKnowledgeApi(environment);
    app = api.app;
  }

  beforeAll(async () => {
    [fake, nats, database, dataDir] = await Promise.all([
      startFakeEmbeddings(),
      startNats(),
      postgres ? createTestDatabase() : Promise.resolve(undefined),
      mkdtemp(join(tmpdir(), 'ai-responder-embeddings-')),
    ]);
    await start('fake-embed-1');
  });

  afterAll(async () => {
    await app?.close();
    fake?.server.closeAllConnections();
    await Promise.allSettled([nats?.stop(), database?.drop(), new Promise((resolve) => fake?.server.close(resolve))]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown) => api.call(method, `${project}/${path}`, body);

  const search = async (q: string): Promise<RetrievedPassage[]> => {
    const response = await call('GET', `knowledge/search?q=${encodeURIComponent(q)}`);
    expect(response.status).toBe(200);
    return response.body.passages as RetrievedPassage[];
  };

  /** The project's passages: how many, how many embedded with `model`, and their vectors as text. */
  async function embeddings(model: string): Promise<{ passages: number; embedded: number; vectors: string[] }> {
    const rows = await app!.get(DataSource).query<Array<{ embedded: boolean; length: number | null; vector: string | null }>>(
      `SELECT coalesce(embedding_model = $2, false) AS embedded, cardinality(embedding) AS length, embedding::text AS vector
        FROM ai_responder.knowledge_passage WHERE project_id = $1 ORDER BY article_id, position`,
      [project, model],
    );
    for (const row of rows) if (row.embedded) expect(Number(row.length)).toBe(DIMENSIONS);
    return { passages: rows.length, embedded: rows.filter((row) => row.embedded).length, vectors: rows.map((row) => row.vector ?? '') };
  }

  it('embeds the passages of written articles after their transaction', async () => {
    const imported = await call('POST', 'knowledge/import', {
      articles: [
        { id: 'crypto', ...CRYPTO },
        { id: 'shipping', ...SHIPPING },
        { id: 'payment', ...PAYMENT },
      ],
    });
    expect(imported.status).toBe(200);
    expect((await call('PUT', 'knowledge/articles/returns', RETURNS)).status).toBe(201);

    const done = await eventually(async () => {
      const state = await embeddings('fake-embed-1');
      return state.embedded === state.passages && state.passages > 0 && state;
    });
    expect(done.passages).toBe(6);
    expect(fake.requests.length).toBeGreaterThanOrEqual(2);
    expect(fake.requests[0]).toMatchObject({ model: 'fake-embed-1', authorization: `Bearer ${API_KEY}` });
    // Title and heading are part of what is embedded, as they are part of the text search vector.
    expect(fake.requests.flatMap((request) => request.input)).toContain(
      'Returns and refunds\nHow do I return an item?\nYou can return any item within 30 days of delivery.',
    );
  });

  it('finds by meaning what no word of the question finds, with the similarity', async () => {
    const passages = await search(BITCOIN_QUESTION);
    const crypto = passages.find((passage) => passage.articleId === 'crypto');
    expect(crypto).toMatchObject({ title: 'Cryptocurrency', score: 0, coverage: 0, matched: [], matchedInHeadings: [] });
    expect(crypto!.similarity).toBeGreaterThan(0.2);
    for (const passage of passages) {
      expect(passage.similarity).toEqual(expect.any(Number));
      if (passage !== crypto) expect(passage.similarity!).toBeLessThan(crypto!.similarity!);
    }
    // What its words find keeps its rank and coverage: the shipping times ("takes"), first by both rankings together.
    expect(passages[0]).toMatchObject({ articleId: 'shipping', heading: 'Delivery times', matched: ['take'], coverage: 0.5 });
    expect(passages[0]!.score).toBeGreaterThan(0);
    expect(passages.length).toBeLessThanOrEqual(5);

    // A passage both find: its full-text fields as the full-text search gives them.
    const checkout = (await search('Can I pay with crypto at checkout?')).find((passage) => passage.articleId === 'crypto');
    expect(checkout).toMatchObject({ matched: ['checkout'], matchedInHeadings: [] });
    expect(checkout!.score).toBeGreaterThan(0);
    expect(checkout!.similarity).toBeGreaterThan(0.2);
  });

  it('searches by words alone while the endpoint fails, and the sweep embeds what was missed once it is back', async () => {
    fake.failing = true;
    const before = fake.requests.length;
    const passages = await search(BITCOIN_QUESTION);
    expect(fake.requests.length).toBe(before + 1);
    expect(passages.map((passage) => passage.articleId)).toEqual(['shipping']);
    expect(passages[0]).not.toHaveProperty('similarity');

    // Written while the endpoint fails: stored and found by its words, not embedded.
    const put = await call('PUT', 'knowledge/articles/gift-cards', { title: 'Gift cards', body: 'Gift cards are valid for three years.' });
    expect(put.status).toBe(201);
    await eventually(() => fake.requests.some((request) => request.input.some((input) => input.startsWith('Gift cards'))));
    expect((await search('Is my gift card still valid?'))[0]).toMatchObject({ articleId: 'gift-cards' });
    const embedder = app!.get(PassageEmbedder);
    const failure = await failureOf(embedder.sweep());
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toMatch(/^fake-embed-1 at http:\/\/127\.0\.0\.1:\d+\/v1: 500 .*upstream overloaded for key \*\*\*/);
    expect(failure.message).not.toContain(API_KEY);
    expect(await embeddings('fake-embed-1')).toMatchObject({ passages: 7, embedded: 6 });

    fake.failing = false;
    expect(await embedder.sweep()).toBe(1);
    expect(await embeddings('fake-embed-1')).toMatchObject({ passages: 7, embedded: 7 });
    expect(await embedder.sweep()).toBe(0);
    expect((await search(BITCOIN_QUESTION)).some((passage) => passage.articleId === 'crypto')).toBe(true);
  });

  it('embeds every passage again for another model, searching by words until it has', async () => {
    const old = await embeddings('fake-embed-1');
    await app!.close();
    app = undefined;
    await start('fake-embed-2');

    // Nothing of the new model yet: words only, and no request to the endpoint.
    const before = fake.requests.length;
    const passages = await search(BITCOIN_QUESTION);
    expect(passages.map((passage) => passage.articleId)).toEqual(['shipping']);
    expect(passages[0]).not.toHaveProperty('similarity');
    expect(fake.requests.length).toBe(before);

    expect(await app!.get(PassageEmbedder).sweep()).toBe(7);
    const renewed = await embeddings('fake-embed-2');
    expect(renewed).toMatchObject({ passages: 7, embedded: 7 });
    expect(renewed.vectors.filter((vector, index) => vector === old.vectors[index])).toEqual([]);
    expect(fake.requests.slice(before).every((request) => request.model === 'fake-embed-2')).toBe(true);

    const crypto = (await search(BITCOIN_QUESTION)).find((passage) => passage.articleId === 'crypto');
    expect(crypto?.similarity).toBeGreaterThan(0.2);
  });
});
