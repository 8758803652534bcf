/**
 * The worker-thread side of InboundParserPool: parses one mail with parseInboundMail. Runs the built JavaScript
 * (dist/inbound/parse-worker.js), see inbound-parser-pool.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import { parseInboundMail, type InboundChannel, type InboundMail, type ParseInboundOptions } from './parse-inbound-mail.js';

export interface ParseTask {
  raw: Uint8Array;
  channel: InboundChannel;
  options: ParseInboundOptions;
  /** Told `started` when the parse begins, so the time limit counts parsing, not waiting in the queue. */
  started: MessagePort;
}

export default async function parse({ raw, channel, options, started }: ParseTask): Promise<InboundMail> {
  started.postMessage('started');
  started.close();
  return parseInboundMail(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), channel, options);
}
