import { Writable } from 'node:stream';
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { logContext } from '@ensoras/messaging';
import { createServiceLogger } from './service-logger.js';

function capture(options: { level?: string; format?: string } = {}) {
  const output: string[] = [];
  const logger = createServiceLogger({ service: 'test', ...options, destination: { write: (line: string) => void output.push(line) } });
  return { logger, text: () => output.join(''), records: () => output.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('service logger', () => {
  it('writes no secret value, at any depth, in arrays too', () => {
    const { logger, text } = capture();
    logger.info(
      {
        password: 'v-password',
        secret: 'v-secret',
        token: 'v-token',
        authorization: 'Bearer v-authorization',
        cookie: 'v-cookie',
        settings: { imap: { auth: { password: 'v-imap-password', accessToken: 'v-access' } } },
        grant: { refreshToken: 'v-refresh', clientSecret: 'v-client-secret' },
        mailboxes: [{ user: 'a', password: 'v-array-password' }],
        headers: { Authorization: 'Bearer v-header', 'set-cookie': 'v-set-cookie' },
      },
      'connecting',
    );
    const written = text();
    for (const value of ['v-password', 'v-secret', 'v-token', 'v-authorization', 'v-cookie', 'v-imap-password', 'v-access', 'v-refresh', 'v-client-secret', 'v-array-password', 'v-header', 'v-set-cookie']) {
      expect(written).not.toContain(value);
    }
    // What is not a secret is still there.
    expect(JSON.parse(written)).toMatchObject({ msg: 'connecting', mailboxes: [{ user: 'a', password: '[redacted]' }] });
  });

  it('adds the fields of the event or request being handled to each line, only inside it', async () => {
    const { logger, records } = capture();
    await logContext.run({ projectId: 'p1', eventId: 'e1', consumer: 'ticketing__mail_any_received' }, async () => {
      await Promise.resolve();
      logContext.assign({ ticketId: 't1' });
      logger.info('inside');
    });
    logger.info('outside');
    const [inside, outside] = records();
    expect(inside).toMatchObject({ level: 'info', service: 'test', msg: 'inside', projectId: 'p1', eventId: 'e1', ticketId: 't1', consumer: 'ticketing__mail_any_received' });
    expect(outside).not.toHaveProperty('projectId');
    expect(outside).not.toHaveProperty('ticketId');
  });

  it('logs from LOG_LEVEL up, in Nest names', () => {
    const { logger, records } = capture({ level: 'warn' });
    logger.info('not logged');
    logger.warn('logged');
    expect(records().map((line) => line.msg)).toEqual(['logged']);
    const verbose = capture({ level: 'verbose' });
    verbose.logger.trace('traced');
    expect(verbose.records().map((line) => line.msg)).toEqual(['traced']);
  });

  it('writes one readable line for people with LOG_FORMAT=pretty', async () => {
    let text = '';
    const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
    const logger = createServiceLogger({ service: 'test', format: 'pretty', destination });
    logger.info({ context: 'ReplySender', projectId: 'p1', password: 'v-pretty-password' }, 'sent');
    for (let turn = 0; turn < 10 && !text; turn++) await setImmediate();
    expect(text).toMatch(/INFO.*\[ReplySender\] sent/);
    expect(text).toContain('"projectId":"p1"');
    expect(text).not.toContain('v-pretty-password');
    expect(() => JSON.parse(text)).toThrow();
  });
});
