/**
 * The real-world mail of packages/testing/corpus (see its README), through the one parse path that
 * mail-ingest publishes from. Table-driven over every file: nothing throws, subject, sender and text come out
 * decoded, every bounce report classifies as bounce or feedback-report and every auto-reply as auto-reply or
 * out-of-office, each with the reasons that led to it. Never "fix" a corpus file to make this pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIL_CORPUS_DIR } from '@ensoras/testing';
import { isAnswerable } from '../classification.js';
import { parseInboundMail, type InboundMail } from './parse-inbound-mail.js';

const CORPUS = MAIL_CORPUS_DIR;
const channel = { ownAddresses: ['support@acme.example'], ownMessageIdDomain: 'acme.example', maxMessageSizeBytes: 25 * 1024 * 1024 };

const emlFiles = (folder: string): string[] =>
  readdirSync(join(CORPUS, folder))
    .filter((name) => name.endsWith('.eml'))
    .sort();

const rawOf = (folder: string, name: string): Buffer => readFileSync(join(CORPUS, folder, name));
const parse = (folder: string, name: string): Promise<InboundMail> => parseInboundMail(rawOf(folder, name), channel);

/** U+FFFD as UTF-8: some corpus files carry it in their bytes already; only those may show it. */
const REPLACEMENT_BYTES = Buffer.from('\uFFFD', 'utf8');
/** Encoded words left undecoded, or ISO-2022-JP escape sequences: signs that decoding gave up. */
const UNDECODED = /=\?[\w.:-]+\?[bq]\?[^?\s]*\?=|\x1b[$(]/iu;

/**
 * Files that carry no text to decode, each with the reason (checked by reading the file): a header block only,
 * or nothing but attachments.
 */
const WITHOUT_TEXT: Record<string, string> = {
  'everyday/mailgem-attachment_emails-attachment_message_rfc822_inline_image.eml': 'HTML with only an inline image',
  'everyday/mailgem-attachment_emails-attachment_only_email.eml': 'a gzip attachment only',
  'everyday/mailgem-attachment_emails-attachment_with_quoted_filename.eml': 'a JPEG attachment only',
  'everyday/mailgem-error_emails-bad_date_header.eml': 'headers only',
  'everyday/mailgem-error_emails-bad_date_header2.eml': 'headers only',
  'everyday/mailgem-error_emails-empty_in_reply_to.eml': 'headers only',
  'everyday/mailgem-error_emails-missing_body.eml': 'headers only',
  'everyday/mailgem-error_emails-missing_content_disposition.eml': 'an image only',
  'everyday/mailgem-error_emails-must_supply_encoding.eml': 'headers only',
  'everyday/mailgem-mime_emails-raw_email_with_binary_encoded.eml': 'an image only',
  'everyday/mailgem-multi_charset-japanese_attachment_long_name.eml': 'an attachment only',
  'malformed/mime4j-russian-headers.eml': 'its only part is a text attachment (filename Список.doc)',
};

/** Text whose bytes are not what their label says, so the decoder must put U+FFFD in places; checked by reading. */
const TEXT_WITH_INVALID_BYTES: Record<string, string> = {
  'everyday/mailgem-error_emails-content_transfer_encoding_empty.eml': 'spam labelled big5 with byte runs that are not Big5',
};

const collapse = (text: string): string => text.replace(/\s+/gu, ' ').trim();

describe.each(['auto-replies', 'bounces', 'everyday', 'malformed'])('corpus/%s', (folder) => {
  it.each(emlFiles(folder))('%s parses with decoded subject, sender and text', async (name) => {
    const raw = rawOf(folder, name);
    const mail = await parse(folder, name);

    expect(mail.messageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/u);
    expect(mail.classification.kind).toBeTruthy();
    if (mail.classification.kind !== 'normal') expect(mail.classification.reasons.length).toBeGreaterThan(0);
    expect(mail.subject).not.toMatch(UNDECODED);
    expect(`${mail.from?.name ?? ''} ${mail.from?.address ?? ''}`).not.toMatch(UNDECODED);
    expect(mail.text).not.toMatch(/\x1b[$(]/u);
    const key = `${folder}/${name}`;
    if (!raw.includes(REPLACEMENT_BYTES)) {
      expect(`${mail.subject}\n${mail.from?.name ?? ''}`).not.toContain('\uFFFD');
      if (!(key in TEXT_WITH_INVALID_BYTES)) expect(mail.text).not.toContain('\uFFFD');
    }
    if (key in WITHOUT_TEXT) expect(mail.text.trim()).toBe('');
    else expect(mail.text.trim()).not.toBe('');
    // The new part is part of the text, never more.
    if (mail.text !== '') expect(collapse(mail.text)).toContain(collapse(mail.newText).slice(0, 40));
  });
});

describe('corpus/auto-replies', () => {
  it.each(emlFiles('auto-replies'))('%s is an auto-reply or out-of-office, never answered', async (name) => {
    const { classification } = await parse('auto-replies', name);
    expect(['auto-reply', 'out-of-office']).toContain(classification.kind);
    expect(classification.reasons.length).toBeGreaterThan(0);
    expect(isAnswerable(classification)).toBe(false);
  });
});

describe('corpus/bounces', () => {
  const files = emlFiles('bounces');

  it('holds the 505 reports the README lists', () => {
    expect(files).toHaveLength(505);
  });

  it.each(files)('%s is a bounce or feedback report, with reasons', async (name) => {
    const { classification, bounce } = await parse('bounces', name);
    const expected = name.startsWith('sisimai-arf-') || name === 'sisimai-lhost-amazonses-11.eml' ? 'feedback-report' : 'bounce';
    expect({ kind: classification.kind, hasReasons: classification.reasons.length > 0 }).toEqual({ kind: expected, hasReasons: true });
    expect(isAnswerable(classification)).toBe(false);
    if (classification.kind === 'feedback-report') expect(bounce).toBeNull();
  });

  it('extracts what the reports say: the original Message-ID, recipient, status and action', async () => {
    const summary = { bounces: 0, originalMessageId: 0, recipient: 0, status: 0, failed: 0, delayed: 0, successNotices: 0 };
    for (const name of files) {
      const { classification, bounce } = await parse('bounces', name);
      if (classification.kind !== 'bounce') continue;
      summary.bounces++;
      if (bounce === null) {
        summary.successNotices++;
        continue;
      }
      if (bounce.originalMessageId) summary.originalMessageId++;
      if (bounce.recipient) summary.recipient++;
      if (bounce.status) summary.status++;
      if (bounce.action === 'failed') summary.failed++;
      if (bounce.action === 'delayed') summary.delayed++;
    }
    console.info('corpus/bounces details:', summary);
    // Only Amazon SES's two "Delivery" notices report success.
    expect(summary.successNotices).toBe(2);
    expect(summary.failed + summary.delayed).toBe(summary.bounces - summary.successNotices);
    // Some reports leave the original out (or the corpus scrubbed it); most carry it.
    expect(summary.originalMessageId / summary.bounces).toBeGreaterThan(0.75);
    expect(summary.recipient / summary.bounces).toBeGreaterThan(0.9);
  });
});

describe('corpus: the non-standard reports the issue names', () => {
  it.each([
    ['sisimai-lhost-amazonses-09.eml', 'Amazon SES notification: Bounce'],
    ['sisimai-lhost-amazonses-10.eml', 'Amazon SES notification: Bounce'],
    ['sisimai-lhost-fml-02.eml', 'X-MLServer: fml with an error subject'],
    ['sisimai-lhost-fml-03.eml', 'X-MLServer: fml with an error subject'],
    ['sisimai-lhost-kddi-01.eml', 'A returned message with a delivery-failure notice'],
    ['sisimai-lhost-kddi-02.eml', 'Return-Path: <> with a returned message'],
    ['sisimai-lhost-sendmail-14.eml', 'Forwarded delivery-status report (Final-Recipient, Status)'],
  ])('%s: %s', async (name, reason) => {
    const { classification } = await parse('bounces', name);
    expect(classification.kind).toBe('bounce');
    expect(classification.reasons).toContain(reason);
  });

  it('reads the SES JSON: recipient, status, action, diagnostic', async () => {
    expect((await parse('bounces', 'sisimai-lhost-amazonses-09.eml')).bounce).toEqual({
      originalMessageId: null,
      recipient: 'bounce@simulator.amazonses.com',
      status: '5.1.1',
      action: 'failed',
      diagnostic: 'smtp; 550 5.1.1 user unknown',
    });
    expect((await parse('bounces', 'sisimai-lhost-amazonses-11.eml')).classification).toEqual({
      kind: 'feedback-report',
      reasons: ['Amazon SES notification: Complaint'],
    });
  });

  it('finds the original Message-ID in a forwarded bounce, not the bounce’s own', async () => {
    const { bounce } = await parse('bounces', 'sisimai-lhost-sendmail-14.eml');
    expect(bounce).toMatchObject({
      originalMessageId: '<6D736808-04A1-47D3-92BD-44388ABFCCE4@example.jp>',
      recipient: 'kijitora@example.com',
      status: '5.1.1',
      action: 'failed',
    });
  });

  it('takes the original Message-ID from the returned message of a KDDI notice', async () => {
    const { bounce } = await parse('bounces', 'sisimai-lhost-kddi-01.eml');
    expect(bounce).toMatchObject({ originalMessageId: '<2013000000000000@example.jp>', action: 'failed' });
  });

  it('decodes EUC-JP labelled as ISO-2022-JP, and ISO-2022-JP escapes in a delivery-status part', async () => {
    expect((await parse('bounces', 'sisimai-lhost-ezweb-03.eml')).text).toContain('送信先メールアドレスが見つかりませんでした');
    const domino = await parse('bounces', 'sisimai-lhost-domino-02.eml');
    expect(domino.text).toContain('ユーザー Neko (kijitora@example.co.jp) は Domino ディレクトリには見つかりません');
    expect(domino.bounce).toMatchObject({ recipient: 'kijitora@example.co.jp', status: '5.0.0', action: 'failed' });
  });
});

describe('corpus: decoding', () => {
  it('reads 8-bit header bytes without a charset as the charset the mail names elsewhere', async () => {
    const mail = await parse('everyday', 'mailgem-error_emails-invalid_subject_characters.eml');
    expect(mail.subject).toBe('Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro');
  });

  it('decodes ks_c_5601-1987 and ISO-2022-JP mail', async () => {
    expect((await parse('everyday', 'mailgem-multi_charset-ks_c_5601-1987.eml')).text.trim()).toBe('스티해');
    expect((await parse('everyday', 'mailgem-multi_charset-japanese_iso_2022.eml')).text).toMatch(/[\u3040-\u30FF\u4E00-\u9FFF]/u);
  });

  it('finds text in mail whose MIME structure is broken', async () => {
    expect((await parse('malformed', 'mime4j-missing-boundary.eml')).text).toBe('AAA');
    expect((await parse('malformed', 'mime4j-malformedHeader-noheader.eml')).text).toContain('This is a simple message not having headers.');
    expect((await parse('malformed', 'mime4j-base64encoded-rfc822message.eml')).text).toContain('Text body');
    expect((await parse('bounces', 'sisimai-lhost-messagingserver-03.eml')).text).toContain('Your message cannot be delivered');
  });
});
