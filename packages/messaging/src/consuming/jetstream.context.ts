import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';

/** What a handler can learn about the delivery it is processing. */
export class JetStreamContext extends BaseRpcContext<[JsMsg, readonly JsMsg[]]> {
  /** `batch`: for a handler `inBatchesOf(n)`, every delivery of the batch, in the order of its envelopes. */
  constructor(message: JsMsg, batch: readonly JsMsg[] = [message]) {
    super([message, batch]);
  }

  /** 1 for the first delivery, for each event of the batch (a plain handler's is a batch of one). */
  getDeliveryCounts(): number[] {
    return this.args[1].map((message) => message.info.deliveryCount);
  }

  getMessage(): JsMsg {
    return this.args[0];
  }

  getSubject(): string {
    return this.args[0].subject;
  }

  /** 1 on the first delivery. */
  getDeliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }
}
