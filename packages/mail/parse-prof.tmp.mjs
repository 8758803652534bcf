import { parseInboundMail } from '@ensoras/mail';
const PARAGRAPH = 'My order has not arrived yet. The tracking page has shown the same status for a week and nobody answers the phone. ';
const mail = (n, label) => {
  const boundary = `alt-${label}-${n}`;
  const text = `Hello, this is ${label} question number ${n}.\r\n\r\n${PARAGRAPH.repeat(8)}\r\n\r\nBest regards,\r\nCustomer ${n}`;
  const html = `<html><body><p>Hello, this is <b>${label}</b> question number ${n}.</p><p>${PARAGRAPH.repeat(8)}</p><p>Best regards,<br>Customer ${n}</p></body></html>`;
  return Buffer.from([`From: Customer ${n} <customer${n}.${label}@bench.test>`,'To: support@acme.test',`Subject: ${label} question ${n}`,`Message-ID: <${label}-${n}@bench.test>`,`Date: ${new Date().toUTCString()}`,'MIME-Version: 1.0',`Content-Type: multipart/alternative; boundary="${boundary}"`,'',`--${boundary}`,'Content-Type: text/plain; charset=utf-8','',text,`--${boundary}`,'Content-Type: text/html; charset=utf-8','',html,`--${boundary}--`,''].join('\r\n'));
};
const mails = Array.from({ length: 2000 }, (_, n) => mail(n, 'burst'));
const t = performance.now();
for (const m of mails) await parseInboundMail(m, { ownAddresses: ['support@acme.test'], maxMessageSizeBytes: 25e6 });
console.log(((performance.now() - t) / mails.length).toFixed(2), 'ms/mail');
