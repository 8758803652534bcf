import { Transform, type TransformCallback } from 'node:stream';
import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/**
 * Called once the whole message has been written to the SMTP server, just before the line with the single dot that
 * ends DATA. Until that dot the server keeps nothing (RFC 5321 §4.1.1.4: a transaction cut off before it is
 * aborted), so what the callback records tells "surely not delivered" from "maybe delivered". When it throws, the
 * dot is never sent and the connection is dropped.
 */
export type BeforeEndOfData = () => Promise<void>;

/** The key under which a mail's options carry its gate to the stream plugin (nodemailer copies option keys). */
const GATE_OPTION = 'ensorasBeforeEndOfData';

type GatedOptions = Mail.Options & { [GATE_OPTION]?: BeforeEndOfData };

/** The mail's options with the callback that runs before the end of DATA. */
export function withEndOfDataGate(options: Mail.Options, beforeEndOfData: BeforeEndOfData): Mail.Options {
  return { ...options, [GATE_OPTION]: beforeEndOfData } as GatedOptions;
}

/** Registers the plugin that holds each gated mail's last byte until its callback has run. Once per transporter. */
export function useEndOfDataGate(transporter: Transporter): void {
  transporter.use('stream', (mail, done) => {
    const gate = (mail.data as GatedOptions)[GATE_OPTION];
    if (gate) mail.message.transform(() => new EndOfDataGate(gate));
    done();
  });
}

/** Passes the message through; its end (and so the dot nodemailer writes after it) waits for the callback. */
export class EndOfDataGate extends Transform {
  constructor(private readonly beforeEndOfData: BeforeEndOfData) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.beforeEndOfData().then(
      () => callback(),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
