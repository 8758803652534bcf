import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, HttpCode, Logger, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, defineEvent, type EventEnvelope } from '@ensoras/contracts';
import {
  AddOutboxParking1796000000000,
  CreateMessagingTables1764000000000,
  logContext,
  MESSAGING_ENTITIES,
  MessagingModule,
  Outbox,
} from '@ensoras/messaging';
import { PersistenceModule } from '@ensoras/persistence';
import { createTestDatabase, eventually, startNats, type NatsTestServer, type TestDatabase } from '@ensoras/testing';
import { AdminOnly } from '../access/access.decorators.js';
import { ApiAccessModule } from '../access/api-access.module.js';
import { startService } from '../bootstrap.js';
import { startTracing } from '../tracing/tracing.js';

const ADMIN_TOKEN = 'logs-and-traces-admin-token';
const SMTP_PASSWORD = 'smtp-password-4f1c';
const ACCESS_TOKEN = 'oauth-access-token-9b2e';
const REFRESH_TOKEN = 'oauth-refresh-token-77aa';
const Probe = defineEvent<{ ticketId: string }>('ticket', 'probe');
const ProbeDone = defineEvent<{ ticketId: string }>('ticket', 'probe-done');

const handled: { probeId?: string; doneTraceId?: string } = {};

@Controller('v1/projects/:projectId/tickets/:ticketId/probes')
class ProbeApi {
  private readonly logger = new Logger(ProbeApi.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  @Post()
  @AdminOnly()
  @HttpCode(202)
  async probe(@Param('projectId') projectId: string, @Param('ticketId') ticketId: string, @Body() body: unknown): Promise<void> {
    this.logger.log({ msg: 'probe accepted', body, smtp: { auth: { user: 'agent', password: SMTP_PASSWORD } }, accessToken: ACCESS_TOKEN });
    await this.dataSource.transaction((manager) => this.outbox.add(manager, createEnvelope(Probe, projectId, { ticketId })));
    this.outbox.publishSoon();
  }
}

@Controller()
class ProbeHandlers {
  private readonly logger = new Logger(ProbeHandlers.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  @EventPattern<string>(Probe.anyProject)
  async probe(@Payload() envelope: EventEnvelope<{ ticketId: string }>): Promise<void> {
    this.logger.log('probe handled');
    logContext.assign({ ticketId: envelope.payload.ticketId });
    this.logger.warn({ msg: 'probe of a known ticket', grant: { refreshToken: REFRESH_TOKEN, clientSecret: 'client-secret-1d0f' } });
    await this.dataSource.transaction((manager) => this.outbox.add(manager, createEnvelope(ProbeDone, envelope.projectId, envelope.payload)));
    this.outbox.publishSoon();
    handled.probeId = envelope.id;
  }

  @EventPattern<string>(ProbeDone.anyProject)
  done(): void {
    handled.doneTraceId = trace.getActiveSpan()?.spanContext().traceId;
  }
}

describe('logs and traces of a service', () => {
  const spans = new InMemorySpanExporter();
  const output: string[] = [];
  let nats: NatsTestServer;
  let database: TestDatabase;
  let app: INestApplication;
  const lines = () => output.join('').split('\n').filter(Boolean);
  const records = () => lines().map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    // What OTEL_EXPORTER_OTLP_ENDPOINT turns on, with the spans kept here instead; before Nest loads `http`.
    startTracing({ service: 'probes', spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
    [nats, database] = await Promise.all([startNats(), createTestDatabase()]);
    @Module({
      imports: [
        PersistenceModule.forRoot({
          schema: 'probes',
          entities: MESSAGING_ENTITIES,
          migrations: [CreateMessagingTables1764000000000, AddOutboxParking1796000000000],
          databaseUrl: database.url,
          dataDir: mkdtempSync(join(tmpdir(), 'probes-')),
        }),
        MessagingModule.forRoot({ serviceName: 'probes', nats: { NATS_URL: nats.url } }),
        ApiAccessModule.forRoot({ adminToken: ADMIN_TOKEN, rateLimitPerMinute: 600 }),
      ],
      controllers: [ProbeApi, ProbeHandlers],
    })
    class ProbeServiceModule {}
    process.env.LOG_LEVEL = 'log';
    app = await startService({
      name: 'probes',
      module: ProbeServiceModule,
      port: 0,
      host: '127.0.0.1',
      durableName: 'probes',
      logDestination: { write: (line: string) => void output.push(line) },
    });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([nats?.stop(), database?.drop()]);
  });

  it('follows one trace from an HTTP request through the outbox and NATS to the consumer and its next event, logging JSON with the ids and no secret', async () => {
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const response = await fetch(`${url}/v1/projects/p1/tickets/t1/probes?code=oauth-code-in-query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, cookie: 'session=cookie-value-5e', 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'hello', password: 'password-in-body-3c' }),
    });
    expect(response.status).toBe(202);
    await eventually(() => handled.doneTraceId !== undefined, { timeoutMs: 20_000, message: 'probe-done was not handled' });

    // One trace: HTTP server span → PRODUCER (outbox relay) → CONSUMER → PRODUCER → CONSUMER.
    const finished = spans.getFinishedSpans();
    const server = finished.find((span) => span.kind === SpanKind.SERVER && String(span.attributes['url.path'] ?? span.attributes['http.target'] ?? '').includes('/probes'));
    expect(server, `spans: ${finished.map((span) => span.name).join(', ')}`).toBeDefined();
    const traceId = server!.spanContext().traceId;
    const named = (name: string, kind: SpanKind): ReadableSpan => {
      const span = finished.find((candidate) => candidate.name === name && candidate.kind === kind);
      expect(span, `no ${name} span among ${finished.map((candidate) => candidate.name).join(', ')}`).toBeDefined();
      return span!;
    };
    const sendProbe = named('send ticket.probe', SpanKind.PRODUCER);
    const processProbe = named('process ticket.probe', SpanKind.CONSUMER);
    const sendDone = named('send ticket.probe-done', SpanKind.PRODUCER);
    const processDone = named('process ticket.probe-done', SpanKind.CONSUMER);
    for (const span of [sendProbe, processProbe, sendDone, processDone]) expect(span.spanContext().traceId).toBe(traceId);
    expect(sendProbe.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(processProbe.parentSpanContext?.spanId).toBe(sendProbe.spanContext().spanId);
    expect(sendDone.parentSpanContext?.spanId).toBe(processProbe.spanContext().spanId);
    expect(processDone.parentSpanContext?.spanId).toBe(sendDone.spanContext().spanId);
    expect(handled.doneTraceId).toBe(traceId);

    // Every line is one JSON object; Nest's loggers keep their name as `context`.
    const logged = records();
    expect(logged.find((line) => String(line.msg).includes('probes listening on'))).toMatchObject({ level: 'info', context: 'probes', service: 'probes' });
    expect(logged.find((line) => line.msg === 'probe accepted')).toMatchObject({ context: 'ProbeApi', projectId: 'p1', ticketId: 't1' });
    expect(logged.find((line) => line.msg === 'request completed')).toMatchObject({
      projectId: 'p1',
      ticketId: 't1',
      req: { method: 'POST', path: '/v1/projects/p1/tickets/t1/probes' },
      res: { statusCode: 202 },
    });
    const consumed = { projectId: 'p1', eventId: handled.probeId, consumer: 'probes__ticket_any_probe', subject: 'ticket.p1.probe' };
    const handledLine = logged.find((line) => line.msg === 'probe handled');
    expect(handledLine).toMatchObject({ context: 'ProbeHandlers', ...consumed });
    expect(handledLine).not.toHaveProperty('ticketId');
    expect(logged.find((line) => line.msg === 'probe of a known ticket')).toMatchObject({ level: 'warn', ...consumed, ticketId: 't1' });

    // No secret, however deep or wherever it came from (headers, query, body, logged objects).
    const everything = lines().join('\n');
    for (const secret of [ADMIN_TOKEN, SMTP_PASSWORD, ACCESS_TOKEN, REFRESH_TOKEN, 'client-secret-1d0f', 'cookie-value-5e', 'oauth-code-in-query', 'password-in-body-3c']) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).toContain('[redacted]');
  });
});
