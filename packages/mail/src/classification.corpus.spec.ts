/**
 * classifyMail against real-world mail from shared/corpus (beside the repository): RFC 3834 auto-replies and delivery-status
 * notifications from many mail systems. Bounce detection is a first version; this spec records how far it gets.
 */
import type { MailKind } from '@ensoras/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyMail, isAnswerable } from './classification.js';
import { headersFromLines } from './mail-headers.js';

// shared/ sits beside the repository, in a session and in CI alike.
const CORPUS = process.env.MAIL_CORPUS_DIR ?? fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
const channel = { ownAddresses: ['support@acme.example'], ownMessageIdDomain: 'acme.example' };

const emlFiles = (folder: string): string[] =>
  readdirSync(join(CORPUS, folder))
    .filter((name) => name.endsWith('.eml'))
    .sort();

async function classifyFile(folder: string, name: string) {
  const parsed = await simpleParser(readFileSync(join(CORPUS, folder, name)), {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  const headers = headersFromLines(parsed.headerLines);
  const first = parsed.from?.value[0];
  return classifyMail(
    {
      headers,
      contentType: headers['content-type'] ?? null,
      from: first ? { address: first.address ?? '', name: first.name ?? '' } : null,
      subject: parsed.subject ?? '',
      messageId: parsed.messageId ?? null,
    },
    channel,
  );
}

describe('corpus: auto-replies', () => {
  const files = emlFiles('auto-replies');

  it('has the three RFC 3834 samples', () => {
    expect(files).toHaveLength(3);
  });

  it.each(files)('%s is an auto-reply or out-of-office', async (name) => {
    const classification = await classifyFile('auto-replies', name);
    expect(['auto-reply', 'out-of-office']).toContain(classification.kind);
    expect(classification.reasons.length).toBeGreaterThan(0);
    expect(isAnswerable(classification)).toBe(false);
  });
});

describe('corpus: bounces and feedback reports', () => {
  const files = emlFiles('bounces');
  const arf = files.filter((name) => name.startsWith('sisimai-arf-'));
  const reports = (classification: { kind: MailKind }) => classification.kind === 'bounce' || classification.kind === 'feedback-report';

  it.each(arf)('%s is a feedback report', async (name) => {
    const classification = await classifyFile('bounces', name);
    expect(classification.kind).toBe('feedback-report');
    expect(isAnswerable(classification)).toBe(false);
  });

  it('recognises most delivery-status notifications and records the fraction', async () => {
    const byKind = new Map<MailKind, string[]>();
    for (const name of files) {
      const { kind } = await classifyFile('bounces', name);
      byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
    }
    const recognised = files.filter((name) =>
      [...byKind.entries()].some(([kind, names]) => reports({ kind }) && names.includes(name)),
    ).length;
    const summary = Object.fromEntries([...byKind.entries()].map(([kind, names]) => [kind, names.length]));
    console.info(
      `corpus/bounces: ${recognised}/${files.length} (${((100 * recognised) / files.length).toFixed(1)}%) classified as bounce or feedback-report`,
      summary,
      '\nnot recognised:',
      files.filter((name) => !byKind.get('bounce')?.includes(name) && !byKind.get('feedback-report')?.includes(name)),
    );

    // A first version (a later issue deepens it): this guards against regressions, it does not demand 100%.
    expect(recognised / files.length).toBeGreaterThanOrEqual(0.95);
  });
});
