/**
 * The parser pool with real worker threads, running the built package (built here first, as the pool needs it):
 * same result as parsing in-process, a parse over the time limit ends in ParseTimeoutError while the event loop
 * keeps turning, and the pool goes on parsing afterwards.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundParserPool, ParseTimeoutError } from './inbound-parser-pool.js';
import { parseInboundMail } from './parse-inbound-mail.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const channel = { ownAddresses: ['support@acme.example'], ownMessageIdDomain: 'acme.example', maxMessageSizeBytes: 25 * 1024 * 1024 };
const ordinary = Buffer.from(
  'From: Ann <ann@customer.example>\r\nTo: support@acme.example\r\nSubject: Where is my order?\r\nMessage-ID: <o1@customer.example>\r\n\r\nHello, order 42 did not arrive.\r\n',
);
/** About 12 MB of HTML: linear, but far longer than the tiny limit below. */
const slow = Buffer.from(
  `From: ann@customer.example\r\nSubject: slow\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${'<p style="color:red">x <b>y</b></p>\r\n'.repeat(330_000)}`,
);

let pool: InboundParserPool;

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '-w', '@ensoras/mail'], { cwd: REPO_ROOT, stdio: 'ignore' });
  pool = new InboundParserPool({ timeoutMs: 50, threads: 1 });
}, 120_000);

afterAll(async () => {
  await pool?.close();
});

describe('InboundParserPool', () => {
  it('gives what parseInboundMail gives in-process', async () => {
    expect(await pool.parse(ordinary, channel)).toEqual(await parseInboundMail(ordinary, channel));
  });

  it('ends a parse that runs over the time limit with parse_timeout, and the event loop keeps turning meanwhile', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    const started = performance.now();
    const error = await pool.parse(slow, channel).catch((caught: unknown) => caught);
    clearInterval(ticker);
    expect(error).toBeInstanceOf(ParseTimeoutError);
    expect((error as ParseTimeoutError).reason).toBe('parse_timeout');
    expect((error as Error).message).toMatch(/^parse_timeout: parsing took longer than 50 ms$/u);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(ticks).toBeGreaterThan(3);
  });

  it('parses the next mail after a timeout (a fresh worker)', async () => {
    expect((await pool.parse(ordinary, channel)).subject).toBe('Where is my order?');
  });

  it('with idleThreads 0 starts no worker until the first mail, and then one', async () => {
    const lazy = new InboundParserPool({ threads: 2, idleThreads: 0 });
    try {
      expect(lazy.threadCount).toBe(0);
      expect((await lazy.parse(ordinary, channel)).subject).toBe('Where is my order?');
      expect(lazy.threadCount).toBe(1);
    } finally {
      await lazy.close();
    }
  });

  it('counts the limit from the start of the parse, not from the wait in the queue', async () => {
    const roomy = new InboundParserPool({ timeoutMs: 5_000, threads: 1 });
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => roomy.parse(ordinary, channel)));
      expect(results.every((mail) => mail.subject === 'Where is my order?')).toBe(true);
    } finally {
      await roomy.close();
    }
  });
});
