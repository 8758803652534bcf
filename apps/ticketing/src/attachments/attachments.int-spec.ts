import { randomBytes, randomUUID } from 'node:crypto';
import { StorageType } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_MAIL_OBJECT_STORE, type AttachmentMeta, type TicketMessageView } from '@ensoras/contracts';
import { parseInboundMail } from '@ensoras/mail';
import { TicketingHarness } from '../test-support/ticketing-harness.js';

const PROJECT = 'p-attachments';
const OTHER = 'p-other';
const harness = new TicketingHarness();

// Not a real PNG, but bytes that survive only an exact decode: every value 0-255, and random ones.
const IMAGE = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(3_000)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(10_000)]);

/** A mail as a client sends it: HTML with an inline image (cid:) and a PDF with a non-ASCII name. */
function rawMail(messageId: string): Buffer {
  const wrap = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Anna Example <anna@customer.example>',
      'To: support@acme.example',
      'Subject: Screenshot of the error',
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mixed-1"',
      '',
      '--mixed-1',
      'Content-Type: multipart/related; boundary="related-1"',
      '',
      '--related-1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See the chart:</p><img src="cid:chart@customer.example">',
      '--related-1',
      'Content-Type: image/png; name="chart.png"',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <chart@customer.example>',
      'Content-Disposition: inline; filename="chart.png"',
      '',
      wrap(IMAGE),
      '--related-1--',
      '--mixed-1',
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      "Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf",
      '',
      wrap(PDF),
      '--mixed-1--',
      '',
    ].join('\r\n'),
  );
}

/** The attachment list as mail-ingest makes it from the same bytes: its parse path, parseInboundMail. */
async function attachmentList(raw: Buffer): Promise<AttachmentMeta[]> {
  return (await parseInboundMail(raw, { ownAddresses: [] })).attachments;
}

let message: TicketMessageView;
let attachments: AttachmentMeta[];
const RAW_KEY = `${PROJECT}/7/1`;

beforeAll(async () => {
  await harness.setUp([{ projectId: PROJECT }, { projectId: OTHER }]);
  const messageId = `<${randomUUID()}@customer.example>`;
  const raw = rawMail(messageId);
  attachments = await attachmentList(raw);
  // What mail-ingest does first: keep the raw bytes.
  const store = await new Objm(harness.client).create(RAW_MAIL_OBJECT_STORE, { storage: StorageType.File });
  await store.putBlob({ name: RAW_KEY }, raw);
  await harness.deliver(PROJECT, {
    messageId,
    rawObjectKey: RAW_KEY,
    size: raw.length,
    subject: 'Screenshot of the error',
    text: 'See the chart:',
    html: '<p>See the chart:</p><img src="ensoras-attachment:0" />',
    attachments,
  });
  message = (await harness.ticketWith(PROJECT, messageId)).messages[0]!;
});

afterAll(async () => {
  await harness.tearDown();
});

function attachmentUrl(m: Pick<TicketMessageView, 'ticketId' | 'id'>, index: number | string, projectId = PROJECT): string {
  return `/v1/projects/${projectId}/tickets/${m.ticketId}/messages/${m.id}/attachments/${index}`;
}

describe('ticketing: attachments of received mail', () => {
  it('lists the attachments and points the inline image of the HTML at the attachment route', () => {
    expect(attachments.map((a) => [a.filename, a.contentType, a.inline])).toEqual([
      ['chart.png', 'image/png', true],
      ['Rechnung März.pdf', 'application/pdf', false],
    ]);
    expect(message.attachments).toEqual(attachments);
    expect(message.html).toBe(`<p>See the chart:</p><img src="${attachmentUrl(message, 0)}" />`);
  });

  it('serves each attachment decoded from the raw mail, images inline, other files as downloads', async () => {
    const image = await harness.api(attachmentUrl(message, 0));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-disposition')).toBe(`inline; filename="chart.png"; filename*=UTF-8''chart.png`);
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await image.arrayBuffer()).equals(IMAGE)).toBe(true);

    const pdf = await harness.api(attachmentUrl(message, 1));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="Rechnung M_rz.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`);
    expect(Number(pdf.headers.get('content-length'))).toBe(PDF.length);
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('serves an attachment whose name the event had to cut: the list and the download come from the same parse path', async () => {
    const longName = `${'Quarterly report '.repeat(30)}.pdf`;
    const raw = Buffer.from(
      [
        'From: anna@customer.example',
        'Subject: long name',
        `Message-ID: <${randomUUID()}@customer.example>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Attached.',
        '--b',
        `Content-Type: application/pdf; name="${longName}"`,
        'Content-Transfer-Encoding: base64',
        '',
        PDF.toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const key = `${PROJECT}/7/2`;
    const store = await new Objm(harness.client).open(RAW_MAIL_OBJECT_STORE);
    await store.putBlob({ name: key }, raw);
    const listed = await attachmentList(raw);
    expect(listed[0]!.filename).toMatch(/…\[truncated\]$/u);
    const delivered = await harness.deliver(PROJECT, { rawObjectKey: key, attachments: listed, subject: 'long name', text: 'Attached.' });
    const longMessage = (await harness.ticketWith(PROJECT, delivered.messageId)).messages[0]!;
    expect(longMessage.attachments).toEqual(listed);
    const download = await harness.api(attachmentUrl(longMessage, 0));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('answers 404 for an unknown index, message or ticket, and for another project', async () => {
    for (const path of [
      attachmentUrl(message, 2),
      attachmentUrl(message, 'first'),
      attachmentUrl(message, -1),
      attachmentUrl({ ...message, id: randomUUID() }, 0),
      attachmentUrl({ ...message, id: 'not-a-uuid' }, 0),
      attachmentUrl({ ...message, ticketId: randomUUID() }, 0),
      attachmentUrl(message, 0, OTHER),
    ]) {
      expect((await harness.api(path)).status, path).toBe(404);
    }
  });

  it('answers 404 for mail over the size limit, whose attachments are not kept, and for raw mail that is gone', async () => {
    const oversized = await harness.deliver(PROJECT, { rawObjectKey: RAW_KEY, oversized: true, size: 30 * 1024 * 1024, attachments, html: '<img src="ensoras-attachment:0">' });
    const oversizedMessage = (await harness.ticketWith(PROJECT, oversized.messageId)).messages[0]!;
    expect(oversizedMessage.attachments).toEqual([]);
    // Nothing to link to: the reference is left pointing nowhere.
    expect(oversizedMessage.html).toBe('<img src="ensoras-attachment:0">');
    expect((await harness.api(attachmentUrl(oversizedMessage, 0))).status).toBe(404);

    const gone = await harness.deliver(PROJECT, { rawObjectKey: `${PROJECT}/7/999`, attachments });
    const goneMessage = (await harness.ticketWith(PROJECT, gone.messageId)).messages[0]!;
    expect((await harness.api(attachmentUrl(goneMessage, 0))).status).toBe(404);
  });

  it('needs the admin token', async () => {
    expect((await harness.api(attachmentUrl(message, 0), {}, null)).status).toBe(401);
    expect((await harness.api(attachmentUrl(message, 0), {}, 'wrong-token-wrong-token')).status).toBe(401);
  });
});
