import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from './connection/nats-connection.js';
import { streamSettingsOf } from './connection/stream-settings.js';
import { ensureStreams } from './connection/topology.js';
import { ConsumerStatus } from './consuming/consumer-status.js';
import { DeadLetters } from './dead-letters/dead-letters.service.js';
import { NatsHealthIndicator } from './health/nats.health.js';
import { Inbox } from './inbox/inbox.service.js';
import { ChannelSettingsReplica } from './kv/channel-settings.replica.js';
import { KeyValueBuckets } from './kv/key-value-buckets.js';
import { JETSTREAM, JETSTREAM_MANAGER, MESSAGING_OPTIONS, NATS_CONNECTION, type MessagingOptions } from './messaging.tokens.js';
import { Outbox } from './outbox/outbox.service.js';
import { OutboxRelay } from './outbox/outbox.relay.js';
import { EventPublisher } from './publishing/event-publisher.js';

class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly connection: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    // Drain flushes what was published and lets subscriptions finish before the socket closes.
    if (!this.connection.isClosed()) await this.connection.drain();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: NATS_CONNECTION, useFactory: () => connectNats(options.nats, options.serviceName) },
        { provide: JETSTREAM, useFactory: (nc: NatsConnection) => jetstream(nc), inject: [NATS_CONNECTION] },
        {
          provide: JETSTREAM_MANAGER,
          useFactory: async (nc: NatsConnection): Promise<JetStreamManager> => {
            const jsm = await jetstreamManager(nc);
            await ensureStreams(jsm, streamSettingsOf(options.nats));
            return jsm;
          },
          inject: [NATS_CONNECTION],
        },
        NatsConnectionCloser,
        EventPublisher,
        Outbox,
        OutboxRelay,
        Inbox,
        KeyValueBuckets,
        ChannelSettingsReplica,
        NatsHealthIndicator,
        DeadLetters,
        ConsumerStatus,
      ],
      exports: [
        MESSAGING_OPTIONS,
        NATS_CONNECTION,
        JETSTREAM,
        JETSTREAM_MANAGER,
        EventPublisher,
        Outbox,
        Inbox,
        KeyValueBuckets,
        ChannelSettingsReplica,
        NatsHealthIndicator,
        DeadLetters,
        ConsumerStatus,
      ],
    };
  }
}
