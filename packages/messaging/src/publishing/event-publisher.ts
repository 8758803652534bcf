import { Inject, Injectable } from '@nestjs/common';
import { subjectOf, type EventEnvelope } from '@ensoras/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { BACKLOG_HEADER } from '../consuming/lane-scheduler.js';
import { JETSTREAM } from '../messaging.tokens.js';
import { tracePublish } from '../telemetry/event-tracing.js';

function backlogHeaders(): MsgHdrs {
  const headers = natsHeaders();
  headers.set(BACKLOG_HEADER, '1');
  return headers;
}

/**
 * Publishes to JetStream and waits for the stream's acknowledgement, so a resolved publish is a stored event.
 * The envelope id is the Nats-Msg-Id: publishing the same event again inside the duplicate window stores it once.
 */
@Injectable()
export class EventPublisher {
  constructor(@Inject(JETSTREAM) private readonly js: JetStreamClient) {}

  async publish(envelope: EventEnvelope, subject: string = subjectOf(envelope)): Promise<{ duplicate: boolean; seq: number }> {
    // Sent with the trace context of its PRODUCER span, so the consumer's span continues this trace.
    return tracePublish(envelope, subject, async (traced) => {
      // A backlog event (envelope.backlog) goes to its project's backlog lane in every consumer (see BACKLOG_HEADER).
      const headers = traced.backlog ? backlogHeaders() : undefined;
      const ack = await this.js.publish(subject, JSON.stringify(traced), { msgID: traced.id, timeout: 10_000, ...(headers ? { headers } : {}) });
      return { duplicate: ack.duplicate, seq: ack.seq };
    });
  }
}
