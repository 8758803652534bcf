import { startSmtpServer, type SmtpTestServer } from '@ensoras/testing';
import { createTransport, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEndOfDataGate, withEndOfDataGate } from './end-of-data-gate.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the end-of-DATA gate, against a real SMTP server', () => {
  let smtp: SmtpTestServer;
  let transporter: Transporter;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    // Pooled with requeues off, as mail-outbound sends.
    transporter = createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxRequeues: 0 });
    useEndOfDataGate(transporter);
  });

  afterAll(async () => {
    transporter?.close();
    await smtp?.stop();
  });

  const mail = (subject: string) => ({
    from: 'support@acme.test',
    to: 'customer@customer.test',
    subject,
    text: 'A long enough answer. '.repeat(5_000),
  });

  it('runs the callback after the whole mail was written and before the server has it', async () => {
    const seenAtGate: number[] = [];
    await transporter.sendMail(
      withEndOfDataGate(mail('gated'), async () => {
        await sleep(200);
        seenAtGate.push(smtp.messages.length);
      }),
    );
    expect(seenAtGate).toEqual([0]);
    expect(smtp.messages.map((m) => m.parsed.subject)).toEqual(['gated']);
    expect(smtp.messages[0]!.parsed.text).toContain('A long enough answer.');
  });

  it('delivers nothing when the callback fails, and the next mail goes through', async () => {
    const before = smtp.messages.length;
    const refusal = new Error('the send was taken over');
    await expect(transporter.sendMail(withEndOfDataGate(mail('never'), () => Promise.reject(refusal)))).rejects.toBe(refusal);
    await sleep(500);
    expect(smtp.messages.slice(before).map((m) => m.parsed.subject)).toEqual([]);

    await transporter.sendMail(withEndOfDataGate(mail('after'), () => Promise.resolve()));
    expect(smtp.messages.slice(before).map((m) => m.parsed.subject)).toEqual(['after']);
  });

  it('leaves mail without a gate alone', async () => {
    const before = smtp.messages.length;
    await transporter.sendMail(mail('ungated'));
    expect(smtp.messages.slice(before).map((m) => m.parsed.subject)).toEqual(['ungated']);
  });
});
