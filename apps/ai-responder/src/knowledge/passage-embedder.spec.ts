import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmbeddingClient } from './embedding-client.js';
import { embeddingInputOf, PassageEmbedder } from './passage-embedder.js';

interface Row {
  id: string;
  title: string;
  heading: string | null;
  text: string;
  model: string | null;
}

/** Just enough of a DataSource for the embedder's two statements, over rows in memory. */
function fakeDataSource(rows: Row[]): DataSource {
  return {
    getMetadata: () => ({ schema: 'ai_responder', tableName: 'knowledge_passage', tablePath: 'ai_responder.knowledge_passage' }),
    query: async (sql: string, parameters: unknown[]) => {
      if (sql.trimStart().startsWith('SELECT')) {
        const [afterId, model, limit] = parameters as [string, string, number];
        return rows.filter((row) => Number(row.id) > Number(afterId) && row.model !== model).slice(0, limit);
      }
      const [model, ids] = parameters as [string, string[]];
      for (const row of rows) if (ids.includes(row.id)) row.model = model;
      return [];
    },
  } as unknown as DataSource;
}

function fakeClient(failures: number): EmbeddingClient & { calls: string[][] } {
  const client = {
    model: 'm',
    target: 'm at http://127.0.0.1/v1',
    calls: [] as string[][],
    embed: async (inputs: readonly string[]) => {
      client.calls.push([...inputs]);
      if (client.calls.length <= failures) throw new Error('m at http://127.0.0.1/v1: 503 down');
      return inputs.map(() => [1, 0]);
    },
  };
  return client as unknown as EmbeddingClient & { calls: string[][] };
}

const passages = (count: number): Row[] =>
  Array.from({ length: count }, (_, n) => ({ id: String(n + 1), title: 'T', heading: null, text: `passage ${n + 1}`, model: null }));

describe('PassageEmbedder', () => {
  afterEach(() => vi.restoreAllMocks());

  it('does nothing without an embeddings model', async () => {
    const dataSource = fakeDataSource(passages(3));
    const query = vi.spyOn(dataSource, 'query');
    const embedder = new PassageEmbedder(dataSource, null);
    embedder.embedAfterWrite('p');
    embedder.tick();
    await embedder.embedProject('p');
    expect(await embedder.sweep()).toBe(0);
    expect(query).not.toHaveBeenCalled();
  });

  it('sweeps a bounded number per tick, going on where it stopped', async () => {
    const rows = passages(300);
    const client = fakeClient(0);
    const embedder = new PassageEmbedder(fakeDataSource(rows), client);
    expect(await embedder.sweep()).toBe(256);
    expect(client.calls.map((inputs) => inputs.length)).toEqual([64, 64, 64, 64]);
    expect(await embedder.sweep()).toBe(44);
    expect(await embedder.sweep()).toBe(0);
    expect(rows.every((row) => row.model === 'm')).toBe(true);
  });

  it('backs off while the endpoint fails, twice as long each time, and skips a failing batch until the next round', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const rows = passages(70);
    const client = fakeClient(2);
    const embedder = new PassageEmbedder(fakeDataSource(rows), client);
    const tick = async () => {
      embedder.tick();
      await vi.waitFor(() => expect((embedder as unknown as { sweeping?: Promise<void> }).sweeping).toBeUndefined());
    };

    await tick();
    expect(client.calls).toHaveLength(1);
    now += 59_000;
    await tick();
    expect(client.calls).toHaveLength(1);
    now += 1_000;
    await tick();
    // The second failure was of the batch after the first: each round tries the others first.
    expect(client.calls.map((inputs) => inputs[0])).toEqual(['T\npassage 1', 'T\npassage 65']);
    now += 119_000;
    await tick();
    expect(client.calls).toHaveLength(2);
    now += 1_000;
    await tick();
    expect(client.calls).toHaveLength(4);
    expect(rows.every((row) => row.model === 'm')).toBe(true);
  });

  it('embeds title, heading and text together', () => {
    expect(embeddingInputOf({ title: 'Returns', heading: 'Refunds', text: 'Within 5 days.' })).toBe('Returns\nRefunds\nWithin 5 days.');
    expect(embeddingInputOf({ title: 'Returns', heading: null, text: 'Within 5 days.' })).toBe('Returns\nWithin 5 days.');
  });
});
