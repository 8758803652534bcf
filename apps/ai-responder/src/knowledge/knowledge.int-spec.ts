import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { startKnowledgeApi, type KnowledgeApi } from '../test-support/knowledge-api-harness.js';
import { MAX_BODY_BYTES } from './knowledge-limits.js';
import { KnowledgeRetriever, type RetrievedPassage } from './knowledge-retriever.js';

const ADMIN = 'admin-token-for-knowledge-tests';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test helper: each test reads the JSON shape it expects
type Json = any;

const RETURNS = {
  title: 'Returns and refunds',
  body: [
    '# Returns and refunds',
    '',
    '## How do I return an item?',
    '',
    'You can return any item within 30 days of delivery. Pack it in its original packaging, print the free return label',
    'from your account and drop the parcel at any post office.',
    '',
    '## When do I get my money back?',
    '',
    'Refunds are paid to the original payment method within 5 to 7 business days after the returned item reaches our',
    'warehouse.',
  ].join('\n'),
  tags: ['returns', 'refunds'],
  url: 'https://shop.example/help/returns',
};

const SHIPPING = {
  title: 'Shipping',
  body: '<h2>Delivery times</h2><p>Orders ship within one business day. Delivery in Germany takes 1 to 2 days, in the rest of the EU 3 to 5 days.</p><h2>Costs</h2><p>Shipping is free from 50 euros; below that it costs 4.90 euros.</p>',
  url: 'https://shop.example/help/shipping',
};

const PAYMENT = {
  title: 'Payment methods',
  body: 'We accept credit cards, PayPal and invoice. Paying by invoice is possible for orders up to 500 euros; the invoice is due within 14 days.',
};

const RUECKSENDUNG = {
  title: 'Rücksendung und Erstattung',
  language: 'de',
  body: [
    '## Wie sende ich einen Artikel zurück?',
    '',
    'Sie können jeden Artikel innerhalb von 30 Tagen nach der Lieferung zurücksenden. Drucken Sie das kostenlose',
    'Rücksendeetikett in Ihrem Kundenkonto aus und geben Sie das Paket bei der Post ab.',
    '',
    '## Wann bekomme ich mein Geld zurück?',
    '',
    'Die Erstattung erfolgt innerhalb von 5 bis 7 Werktagen, nachdem die Rücksendung bei uns eingegangen ist.',
  ].join('\n'),
  url: 'https://shop.example/de/hilfe/ruecksendung',
};

describe('knowledge base (admin API and retrieval, PostgreSQL)', () => {
  let nats: NatsTestServer;
  let database: TestDatabase;
  let dataDir: string;
  let api: KnowledgeApi;
  let app: INestApplication;
  let db: pg.Client;

  beforeAll(async () => {
    [nats, database, dataDir] = await Promise.all([startNats(), createTestDatabase(), mkdtemp(join(tmpdir(), 'ai-responder-knowledge-'))]);
    const environment = Object.assign(new AiResponderEnvironment(), {
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: ADMIN,
      PORT: 0,
    });
    api = await startKnowledgeApi(environment);
    app = api.app;
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await Promise.allSettled([nats?.stop(), database?.drop()]);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call: KnowledgeApi['call'] = (...args) => api.call(...args);

  async function stored(projectId: string): Promise<{ articles: number; passages: number }> {
    const { rows } = await db.query<{ articles: string; passages: string }>(
      `SELECT (SELECT count(*) FROM ai_responder.knowledge_article WHERE project_id = $1) AS articles,
              (SELECT count(*) FROM ai_responder.knowledge_passage WHERE project_id = $1) AS passages`,
      [projectId],
    );
    return { articles: Number(rows[0]!.articles), passages: Number(rows[0]!.passages) };
  }

  const search = async (projectId: string, q: string, extra = ''): Promise<RetrievedPassage[]> => {
    const response = await call('GET', `${projectId}/knowledge/search?q=${encodeURIComponent(q)}${extra}`);
    expect(response.status).toBe(200);
    return response.body.passages as RetrievedPassage[];
  };

  it('refuses every route without the admin token', async () => {
    expect((await call('GET', 'p-auth/knowledge/articles', undefined, null)).status).toBe(401);
    expect((await call('PUT', 'p-auth/knowledge/articles/returns', RETURNS, null)).status).toBe(401);
    expect((await call('PUT', 'p-auth/knowledge/articles/returns', RETURNS, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await call('POST', 'p-auth/knowledge/import', { articles: [{ id: 'a', ...PAYMENT }] }, null)).status).toBe(401);
    expect((await call('GET', 'p-auth/knowledge/search?q=returns', undefined, null)).status).toBe(401);
    expect((await call('DELETE', 'p-auth/knowledge/articles/returns', undefined, null)).status).toBe(401);
    expect(await stored('p-auth')).toEqual({ articles: 0, passages: 0 });
  });

  it('creates (201), replaces (200), shows, and deletes an article', async () => {
    const created = await call('PUT', 'p-crud/knowledge/articles/returns', RETURNS);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: 'returns',
      title: RETURNS.title,
      body: RETURNS.body,
      bodyFormat: 'markdown',
      language: 'en',
      tags: ['returns', 'refunds'],
      url: RETURNS.url,
      passageCount: 2,
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
    });

    const replaced = await call('PUT', 'p-crud/knowledge/articles/returns', { ...SHIPPING, language: 'en' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: 'returns', title: 'Shipping', bodyFormat: 'html', tags: [], passageCount: 2, createdAt: created.body.createdAt });
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));

    const shown = await call('GET', 'p-crud/knowledge/articles/returns');
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual(replaced.body);
    // Another project sees nothing of it.
    expect((await call('GET', 'p-other/knowledge/articles/returns')).status).toBe(404);

    expect((await call('DELETE', 'p-crud/knowledge/articles/returns')).status).toBe(204);
    expect((await call('GET', 'p-crud/knowledge/articles/returns')).status).toBe(404);
    expect((await call('DELETE', 'p-crud/knowledge/articles/returns')).status).toBe(404);
    expect(await stored('p-crud')).toEqual({ articles: 0, passages: 0 });
  });

  it('answers 400 naming the field, and stores nothing', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['bad%20id!', RETURNS, /^articleId: /],
      [`${'x'.repeat(101)}`, RETURNS, /^articleId: /],
      ['...', RETURNS, /^articleId: /],
      ['ok', { ...RETURNS, title: 'x'.repeat(301) }, /^title: title must be shorter than or equal to 300 characters/],
      ['ok', { ...RETURNS, title: '   ' }, /^title: /],
      ['ok', { title: 'No body' }, /^body: /],
      ['ok', { ...RETURNS, body: 'é'.repeat(MAX_BODY_BYTES / 2 + 1) }, /^body: body must be at most 200 KB/],
      ['ok', { ...RETURNS, language: 'english' }, /^language: language must be an ISO 639-1/],
      ['ok', { ...RETURNS, language: 'xx' }, /^language: /],
      ['ok', { ...RETURNS, tags: Array.from({ length: 21 }, (_, n) => `t${n}`) }, /^tags: tags must contain no more than 20 elements/],
      ['ok', { ...RETURNS, tags: ['x'.repeat(51)] }, /^tags: each value in tags must be shorter than or equal to 50 characters/],
      ['ok', { ...RETURNS, url: 'ftp://shop.example/returns' }, /^url: url must be an http\(s\) URL/],
      ['ok', { ...RETURNS, url: 'javascript:alert(1)' }, /^url: /],
      ['ok', { ...RETURNS, url: `https://shop.example/${'x'.repeat(2_000)}` }, /^url: /],
      ['ok', { ...RETURNS, internal: true }, /^internal: property internal should not exist/],
    ];
    for (const [articleId, body, message] of cases) {
      const response = await call('PUT', `p-invalid/knowledge/articles/${articleId}`, body);
      expect(response.status, `${articleId} ${JSON.stringify(body).slice(0, 80)}`).toBe(400);
      expect(response.body.message.some((line: string) => message.test(line)), response.body.message.join('; ')).toBe(true);
    }
    expect(await stored('p-invalid')).toEqual({ articles: 0, passages: 0 });

    // The largest body accepted gets through the JSON parser and the validation.
    const largest = await call('PUT', 'p-invalid/knowledge/articles/largest', { title: 'Largest', body: `${'word '.repeat(MAX_BODY_BYTES / 5 - 1)}end` });
    expect(largest.status).toBe(201);
    expect(largest.body.passageCount).toBeGreaterThan(150);
  });

  it('imports many articles at once, all or nothing, naming a failing field by its index', async () => {
    const articles = [
      { id: 'returns', ...RETURNS },
      { id: 'shipping', ...SHIPPING },
      { id: 'payment', ...PAYMENT },
      { id: 'ruecksendung', ...RUECKSENDUNG },
    ];
    const imported = await call('POST', 'p-import/knowledge/import', { articles });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ created: 4, replaced: 0 });
    expect(imported.body.articles.map((article: Json) => article.id)).toEqual(['payment', 'returns', 'ruecksendung', 'shipping']);
    const before = await stored('p-import');

    const broken = [...articles.map((article) => ({ ...article, title: `${article.title} (new)` })), { id: 'fifth', title: '', body: 'x' }];
    broken[3] = { ...broken[3]!, title: 'x'.repeat(301) };
    const refused = await call('POST', 'p-import/knowledge/import', { articles: broken });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual(
      expect.arrayContaining([
        'articles[3].title: articles[3].title must be shorter than or equal to 300 characters',
        'articles[4].title: articles[4].title must not be empty',
      ]),
    );
    // Nothing of it was written: not the valid articles before the broken one either.
    expect(await stored('p-import')).toEqual(before);
    expect((await call('GET', 'p-import/knowledge/articles/returns')).body.title).toBe(RETURNS.title);
    expect((await call('GET', 'p-import/knowledge/articles/fifth')).status).toBe(404);

    const twice = await call('POST', 'p-import/knowledge/import', { articles: [{ id: 'a', ...PAYMENT }, { id: 'a', ...SHIPPING }] });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toEqual(['articles[1].id: articles[1].id "a" is also the id of articles[0]']);

    const badId = await call('POST', 'p-import/knowledge/import', { articles: [{ id: 'no spaces', ...PAYMENT }] });
    expect(badId.body.message).toEqual([expect.stringMatching(/^articles\[0\]\.id: articles\[0\]\.id must be 1 to 100 letters/)]);

    const tooMany = await call('POST', 'p-import/knowledge/import', { articles: Array.from({ length: 501 }, (_, n) => ({ id: `a${n}`, title: 't', body: 'b' })) });
    expect(tooMany.body.message).toEqual(['articles: articles must contain no more than 500 elements']);
    expect((await call('POST', 'p-import/knowledge/import', { articles: [] })).body.message).toEqual(['articles: articles must contain at least 1 elements']);
    expect(await stored('p-import')).toEqual(before);

    // A second import replaces (and counts what it replaced).
    const again = await call('POST', 'p-import/knowledge/import', { articles: [{ id: 'payment', ...PAYMENT }, { id: 'new-one', title: 'New', body: 'New text.' }] });
    expect(again.body).toMatchObject({ created: 1, replaced: 1 });
  });

  it('lists articles page by page, without their bodies', async () => {
    const ids = ['a-1', 'a-2', 'a-3', 'b.1', 'b_2', 'c', 'd'];
    const imported = await call('POST', 'p-list/knowledge/import', { articles: ids.map((id) => ({ id, title: `Article ${id}`, body: `Text of ${id}.` })) });
    expect(imported.status).toBe(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: Json } = await call('GET', `p-list/knowledge/articles?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      for (const item of page.body.items) {
        expect(item).not.toHaveProperty('body');
        expect(item).not.toHaveProperty('projectId');
        expect(item).toMatchObject({ title: `Article ${item.id}`, bodyFormat: 'markdown', language: 'en', passageCount: 1 });
      }
      seen.push(...page.body.items.map((item: Json) => item.id as string));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].sort());

    expect((await call('GET', 'p-list/knowledge/articles')).body.items).toHaveLength(ids.length);
    expect((await call('GET', 'p-list/knowledge/articles?cursor=nonsense')).body.message).toEqual([expect.stringMatching(/^cursor: /)]);
    expect((await call('GET', 'p-list/knowledge/articles?limit=0')).body.message).toEqual([expect.stringMatching(/^limit: /)]);
    expect((await call('GET', 'p-list/knowledge/articles?limit=101')).status).toBe(400);
    expect((await call('GET', 'p-empty/knowledge/articles')).body).toEqual({ items: [], nextCursor: null });
  });

  describe('search', () => {
    const project = 'p-search';

    beforeAll(async () => {
      const response = await call('POST', `${project}/knowledge/import`, {
        articles: [
          { id: 'returns', ...RETURNS },
          { id: 'shipping', ...SHIPPING },
          { id: 'payment', ...PAYMENT },
          { id: 'ruecksendung', ...RUECKSENDUNG },
          {
            id: 'warranty',
            title: 'Warranty',
            body: 'All products come with a two-year warranty. A defective item is repaired or replaced free of charge; keep your receipt.',
          },
        ],
      });
      expect(response.status).toBe(200);
    });

    const show = (label: string, passages: RetrievedPassage[]) =>
      console.log(
        `${label}\n${passages.map((p) => `  ${p.score.toFixed(4)} coverage ${p.coverage.toFixed(2)} ${p.articleId} / ${p.heading ?? '-'} [${p.matched.join(' ')}]`).join('\n') || '  (none)'}`,
      );

    it('finds the returns article first for a question about returns, in plain customer words', async () => {
      const question = 'Hi, I bought a jacket last week but it does not fit. How can I return it, and when do I get my money back? Thanks, Jane';
      const passages = await search(project, question, '&language=en');
      show(`"${question}"`, passages);
      expect(passages[0]).toMatchObject({ articleId: 'returns', title: RETURNS.title, url: RETURNS.url, language: 'en' });
      expect(passages.slice(0, 2).map((p) => p.articleId)).toEqual(['returns', 'returns']);
      for (const passage of passages) {
        expect(passage.score).toBeGreaterThan(0);
        expect(passage.score).toBeLessThan(1);
        expect(passage.coverage).toBeGreaterThan(0);
        expect(passage.coverage).toBeLessThanOrEqual(1);
      }
      // Best first.
      expect(passages.map((p) => p.score)).toEqual([...passages.map((p) => p.score)].sort((a, b) => b - a));

      const money = await search(project, 'When do I get my money back?');
      show('"When do I get my money back?"', money);
      expect(money[0]).toMatchObject({ articleId: 'returns', heading: 'When do I get my money back?' });
      expect(money[0]!.text).toMatch(/^Refunds are paid/);
      expect(money[0]!.matched).toEqual(expect.arrayContaining(['money', 'back']));

      const shipping = await search(project, 'How long does delivery to Germany take?');
      show('"How long does delivery to Germany take?"', shipping);
      expect(shipping[0]).toMatchObject({ articleId: 'shipping', heading: 'Delivery times' });

      const invoice = await search(project, 'Can I pay by invoice?');
      show('"Can I pay by invoice?"', invoice);
      expect(invoice[0]).toMatchObject({ articleId: 'payment', coverage: 1 });
    });

    it('finds the German article for a German question', async () => {
      const question = 'Hallo, wie kann ich meine Bestellung zurücksenden? Und wann bekomme ich mein Geld zurück? Viele Grüße';
      const passages = await search(project, question, '&language=de');
      show(`"${question}"`, passages);
      expect(passages[0]).toMatchObject({ articleId: 'ruecksendung', language: 'de', url: RUECKSENDUNG.url });
      // Stemmed in German: "zurücksenden" finds "zurücksenden", "Rücksendung" the title.
      expect(passages.filter((p) => p.language === 'de').length).toBeGreaterThanOrEqual(1);
      expect(await app.get(KnowledgeRetriever).languages(project)).toEqual(['en', 'de']);
    });

    it('finds nothing in a project without articles, or for text without words', async () => {
      expect(await search('p-nothing', 'How do I return an item?')).toEqual([]);
      expect(await search(project, '?!… …')).toEqual([]);
      expect(await app.get(KnowledgeRetriever).retrieve(project, '   ')).toEqual([]);
      expect(await app.get(KnowledgeRetriever).languages('p-nothing')).toEqual([]);
    });

    it('takes hostile and huge input as text', async () => {
      for (const q of ["'):*|&!", "return' | 'x", '\\', "'", '!(return) & !!refund:* <-> <2>', 'return:A* | refund:*B']) {
        const response = await call('GET', `${project}/knowledge/search?q=${encodeURIComponent(q)}`);
        expect(response.status, q).toBe(200);
      }
      expect((await search(project, 'return:A* | refund:*B'))[0]?.articleId).toBe('returns');

      const retriever = app.get(KnowledgeRetriever);
      const hostile = `${"'):*|&! \\ '' \u0000 <-> ".repeat(400)} I want to return my order and get a refund. ${'lorem ipsum dolor sit amet '.repeat(500)}`;
      expect(hostile.length).toBeGreaterThan(20_000);
      const started = performance.now();
      const passages = await retriever.retrieve(project, hostile, { limit: 3 });
      const elapsed = performance.now() - started;
      console.log(`20 KB hostile text: ${passages.length} passages in ${elapsed.toFixed(0)} ms, best ${passages[0]?.articleId} ${passages[0]?.score}`);
      expect(passages.length).toBeLessThanOrEqual(3);
      expect(passages[0]?.articleId).toBe('returns');
      expect(elapsed).toBeLessThan(5_000);

      // Many distinct words: the query takes the first 64 lexemes.
      const words = Array.from({ length: 500 }, (_, n) => `word${n}x`).join(' ');
      expect(await retriever.retrieve(project, `${words} refund`)).toEqual([]);
      expect((await retriever.retrieve(project, `refund ${words}`))[0]).toMatchObject({ articleId: 'returns', matched: ['refund'] });
    });

    it('forgets the passages of a replaced article', async () => {
      const put = (body: string) => call('PUT', `${project}/knowledge/articles/animals`, { title: 'Pets', body });
      expect((await put('Our old policy: zebras may travel in the cargo hold.\n\n## Giraffes\n\nNot at all.')).status).toBe(201);
      expect((await search(project, 'Can my zebra travel?'))[0]).toMatchObject({ articleId: 'animals', matched: ['zebra', 'travel'] });

      const replaced = await put('Our new policy: only cats and dogs may travel.');
      expect(replaced.status).toBe(200);
      expect(replaced.body.passageCount).toBe(1);
      expect(await search(project, 'zebras giraffes')).toEqual([]);
      const { rows } = await db.query(`SELECT position, text FROM ai_responder.knowledge_passage WHERE project_id = $1 AND article_id = 'animals'`, [project]);
      expect(rows).toEqual([{ position: 0, text: 'Our new policy: only cats and dogs may travel.' }]);

      expect((await call('DELETE', `${project}/knowledge/articles/animals`)).status).toBe(204);
      expect(await search(project, 'cats and dogs')).toEqual([]);
    });
  });
});

describe('knowledge base on the embedded PGlite (a service started without DATABASE_URL)', () => {
  let nats: NatsTestServer;
  let dataDir: string;
  let api: KnowledgeApi;
  let app: INestApplication;

  beforeAll(async () => {
    [nats, dataDir] = await Promise.all([startNats(), mkdtemp(join(tmpdir(), 'ai-responder-knowledge-pglite-'))]);
    const environment = Object.assign(new AiResponderEnvironment(), { NATS_URL: nats.url, DATA_DIR: dataDir, ADMIN_TOKEN: ADMIN, PORT: 0 });
    api = await startKnowledgeApi(environment);
    app = api.app;
  });

  afterAll(async () => {
    await app?.close();
    await nats?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown) => api.call(method, `p-lite/${path}`, body);

  it('imports, searches in each language, and replaces articles', async () => {
    const imported = await call('POST', 'knowledge/import', {
      articles: [
        { id: 'returns', ...RETURNS },
        { id: 'shipping', ...SHIPPING },
        { id: 'ruecksendung', ...RUECKSENDUNG },
      ],
    });
    expect(imported.status).toBe(200);

    const english = await call('GET', `knowledge/search?q=${encodeURIComponent('How can I return my jacket and get my money back?')}`);
    const german = await call('GET', `knowledge/search?q=${encodeURIComponent('Wie kann ich meine Bestellung zurücksenden?')}&language=de`);
    const hostile = await call('GET', `knowledge/search?q=${encodeURIComponent("'):*|&! return")}`);
    for (const [label, response] of [['en', english], ['de', german], ['hostile', hostile]] as const) {
      console.log(`PGlite ${label}: ${(response.body.passages as RetrievedPassage[]).map((p) => `${p.articleId} ${p.score} (${p.coverage})`).join(', ')}`);
    }
    expect(english.body.passages[0]).toMatchObject({ articleId: 'returns' });
    expect(german.body.passages[0]).toMatchObject({ articleId: 'ruecksendung', language: 'de' });
    expect(hostile.body.passages[0]).toMatchObject({ articleId: 'returns' });

    expect((await call('PUT', 'knowledge/articles/returns', { title: 'Returns', body: 'Returns are no longer accepted.' })).status).toBe(200);
    const after = await call('GET', `knowledge/search?q=${encodeURIComponent('When do I get my money back?')}`);
    expect(after.body.passages).toEqual([]);
  });
});
