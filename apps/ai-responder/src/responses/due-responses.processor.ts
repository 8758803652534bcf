import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { aiModeOf, channelSafetyOf, createEnvelope, handoffOf, ReplyProposed, type ChannelSettingsSnapshot, type HandoffAcknowledgement, type ReplySource } from '@ensoras/contracts';
import { ChannelSettingsReplica, Outbox } from '@ensoras/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { ConversationLog } from '../conversation/conversation-log.service.js';
import { PromptBuilder } from '../generation/prompt-builder.js';
import { withoutQuotedHistory } from '../generation/quoted-history.js';
import { REPLY_GENERATOR, type GeneratedReply, type ReplyGenerator } from '../generation/reply-generator.js';
import type { ConversationEntry } from '../generation/reply-prompt.js';
import { GroundingService } from '../grounding/grounding.service.js';
import type { Grounding } from '../grounding/grounding.js';
import { checkGeneratedReply } from '../generation/reply-guard.js';
import { LoopBreaker } from '../loop-breaker/loop-breaker.service.js';
import { MAX_GENERATION_ATTEMPTS, planRetry } from './generation-retry.js';
import { PendingResponse } from './pending-response.entity.js';
import { replyProposedEventId } from './reply-event-id.js';
import { quotedTable } from '@ensoras/persistence';
import { ResponseScheduler } from './response-scheduler.service.js';

/** How often due rows are looked for: replies go out within about a second of their due time. */
const POLL_INTERVAL_MS = 1_000;
/** How long a claim holds; a replica that dies while generating releases its rows when it lapses. */
const CLAIM_SECONDS = 120;
/** due_at is the database's clock at the scheduling transaction; the wake-up comes after its commit, plus this. */
const WAKE_MARGIN_MS = 20;
const MAX_WAKE_TIMES = 10_000;
/** Replies generated at once by one replica. */
const MAX_CONCURRENT = 8;

/** A row as claimed: `attempts` doubles as the fencing token of this claim. */
interface ClaimedResponse {
  id: string;
  projectId: string;
  ticketId: string;
  answersMessageIds: string[];
  attempts: number;
  /** '' for rows scheduled before addresses were kept: only the per-ticket limit applies to them. */
  customerAddress: string;
}

/**
 * Turns due responses into reply.proposed events. Claiming is one short statement (FOR UPDATE SKIP LOCKED), so
 * replicas never take the same row; generation runs outside any transaction (it may take a minute, and the
 * embedded database has one connection); the result is written with the event in one transaction.
 */
@Injectable()
export class DueResponsesProcessor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DueResponsesProcessor.name);
  private readonly inFlight = new Set<Promise<void>>();
  private claiming = false;
  /** A claim asked for while one was running: it runs again right after, for what became due meanwhile. */
  private claimAgain = false;
  /** When responses this replica scheduled fall due, earliest first. */
  private readonly wakeTimes: number[] = [];
  private wakeTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly channels: ChannelSettingsReplica,
    private readonly conversation: ConversationLog,
    private readonly prompts: PromptBuilder,
    private readonly scheduler: ResponseScheduler,
    private readonly loopBreaker: LoopBreaker,
    private readonly grounding: GroundingService,
    @Inject(REPLY_GENERATOR) private readonly generator: ReplyGenerator,
  ) {}

  /**
   * A response this replica just scheduled is due in `seconds`: claim then instead of at the next tick, which would
   * add half a second on average to every reply. The tick stays (other replicas' responses, a missed wake-up).
   */
  wakeIn(seconds: number): void {
    if (this.stopped) return;
    const at = Date.now() + Math.max(0, seconds) * 1000 + WAKE_MARGIN_MS;
    // Beyond this many waiting wake-ups the tick is good enough.
    if (this.wakeTimes.length >= MAX_WAKE_TIMES) return;
    const index = this.wakeTimes.findIndex((time) => time > at);
    this.wakeTimes.splice(index < 0 ? this.wakeTimes.length : index, 0, at);
    if (this.wakeTimes[0] === at) this.armWake();
  }

  /** One timer, for the earliest wake-up; when it fires, the claim takes what is due and the next one is armed. */
  private armWake(): void {
    clearTimeout(this.wakeTimer);
    const next = this.wakeTimes[0];
    if (next === undefined || this.stopped) return;
    this.wakeTimer = setTimeout(() => {
      const now = Date.now();
      while (this.wakeTimes.length > 0 && this.wakeTimes[0]! <= now) this.wakeTimes.shift();
      void this.claimAndProcess();
      this.armWake();
    }, Math.max(0, next - Date.now()));
    this.wakeTimer.unref();
  }

  /** Every second; a tick while the previous claim still runs, or after shutdown began, does nothing. */
  @Interval(POLL_INTERVAL_MS)
  tick(): void {
    void this.claimAndProcess();
  }

  /** Stops claiming and lets replies being written finish, before the database connection closes. */
  beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.wakeTimer);
    this.stopped ??= (async () => {
      while (this.inFlight.size > 0 || this.claiming) {
        await Promise.allSettled([...this.inFlight]);
        if (this.claiming) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    return this.stopped;
  }

  /** Claims what is due (as much as there is room for) and starts each without waiting for it. */
  async claimAndProcess(): Promise<void> {
    const room = MAX_CONCURRENT - this.inFlight.size;
    if (this.claiming) this.claimAgain = true;
    if (this.stopped || this.claiming || room <= 0) return;
    this.claiming = true;
    let claimed: ClaimedResponse[] = [];
    try {
      await this.channels.whenReady();
      claimed = await this.claimDue(room);
    } catch (error) {
      this.logger.warn(`Could not claim due responses: ${String(error)}`);
    } finally {
      this.claiming = false;
    }
    if (this.claimAgain) {
      this.claimAgain = false;
      void this.claimAndProcess();
    }
    for (const response of claimed) {
      const work = this.process(response)
        .catch((error: unknown) => this.logger.error(`Response ${response.id} stays claimed until its lease ends: ${String(error)}`))
        .finally(() => {
          this.inFlight.delete(work);
          // A full batch means more may be due: take the next at once instead of waiting for the tick.
          if (claimed.length === room) void this.claimAndProcess();
        });
      this.inFlight.add(work);
    }
  }

  private async claimDue(limit: number): Promise<ClaimedResponse[]> {
    const table = quotedTable(this.dataSource, PendingResponse);
    // A generating row whose lease lapsed belongs to a replica that died: it is due again.
    const [rows] = (await this.dataSource.query(
      `WITH due AS (
         SELECT "id" FROM ${table}
          WHERE ("status" = 'scheduled' AND "due_at" <= now())
             OR ("status" = 'generating' AND "locked_until" < now())
          ORDER BY "due_at"
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
       UPDATE ${table} AS r
          SET "status" = 'generating', "locked_until" = now() + make_interval(secs => $2),
              "attempts" = r."attempts" + 1, "updated_at" = now()
         FROM due WHERE r."id" = due."id"
       RETURNING r."id", r."project_id", r."ticket_id", r."answers_message_ids", r."attempts", r."customer_address"`,
      [limit, CLAIM_SECONDS],
    )) as [
      Array<{ id: string; project_id: string; ticket_id: string; answers_message_ids: string[]; attempts: number; customer_address: string | null }>,
      number,
    ];
    return rows.map((row) => ({
      id: row.id,
      projectId: row.project_id,
      ticketId: row.ticket_id,
      answersMessageIds: row.answers_message_ids,
      attempts: row.attempts,
      customerAddress: row.customer_address ?? '',
    }));
  }

  private async process(response: ClaimedResponse): Promise<void> {
    if (response.attempts > MAX_GENERATION_ATTEMPTS) {
      // Only a row whose lease lapsed again and again gets here: a replica keeps dying while writing it.
      await this.retryLater(response, new Error(`gave up after ${MAX_GENERATION_ATTEMPTS} attempts whose claims lapsed`));
      return;
    }
    const settings = this.channels.get(response.projectId);
    if (!settings?.enabled) {
      await this.settle(response, (manager) => this.cancel(manager, response, 'the email channel was disabled'));
      return;
    }
    if (aiModeOf(settings) === 'off') {
      await this.settle(response, (manager) => this.cancel(manager, response, 'the channel\'s AI mode is off'));
      return;
    }
    let generated: GeneratedReply;
    let grounding: Grounding;
    let verdict: ReturnType<typeof checkGeneratedReply>;
    try {
      const history = await this.conversation.history(response.projectId, response.ticketId);
      grounding = await this.grounding.ground(response.projectId, customerMailOf(history, response.answersMessageIds));
      const prompt = this.prompts.build({
        communicationStyle: settings.communicationStyle ?? '',
        guidelines: settings.guidelines ?? '',
        identity: settings.identity,
        conversation: history,
        answeringMessageIds: response.answersMessageIds,
        grounding,
      });
      generated = await this.generator.generate(prompt);
      verdict = generated.action === 'reply' ? checkGeneratedReply(generated.text, prompt.guard) : { send: true };
    } catch (error) {
      await this.retryLater(response, error);
      return;
    }
    if (!verdict.send) {
      const { reason } = verdict;
      await this.settle(response, (manager) => this.withhold(manager, response, reason));
    } else if (generated.action === 'handoff') {
      const { reason } = generated;
      await this.settle(response, (manager) => this.handOver(manager, response, reason));
    } else {
      const sources = sourcesOf(generated.sources, grounding);
      await this.settle(response, (manager, current) => this.propose(manager, response, current, generated.text, sources));
    }
  }

  /**
   * Runs `work` on the row only while this claim still holds it: a claim that outlived its lease may have been
   * taken over (attempts moved on), and then the other replica's result counts, not ours. What `work` puts into the
   * outbox is published once this commits.
   */
  private settle(
    response: ClaimedResponse,
    work: (manager: EntityManager, current: PendingResponse) => Promise<void>,
  ): Promise<void> {
    return this.outbox.transaction(async (manager) => {
      const current = await manager
        .createQueryBuilder(PendingResponse, 'r')
        .where('r.id = :id', { id: response.id })
        .setLock('pessimistic_write')
        .getOne();
      if (!current || current.status !== 'generating' || current.attempts !== response.attempts) {
        this.logger.warn(`Response ${response.id} was cancelled or taken over while generating; dropping this result`);
        return;
      }
      await work(manager, current);
    });
  }

  private async propose(
    manager: EntityManager,
    response: ClaimedResponse,
    current: PendingResponse,
    text: string,
    sources: ReplySource[],
  ): Promise<void> {
    const settings = this.channels.get(response.projectId);
    if (!settings?.enabled) {
      await this.cancel(manager, response, 'the email channel was disabled while the reply was written');
      return;
    }
    // Checked again now: replies proposed while this one was due or being written count too.
    const verdict = await this.loopBreaker.check(manager, {
      projectId: response.projectId,
      ticketId: response.ticketId,
      customerAddress: response.customerAddress,
      safety: channelSafetyOf(settings),
      serialize: true,
    });
    if (!verdict.answer) {
      await this.cancel(manager, response, verdict.reason);
      return;
    }
    const draft = aiModeOf(settings) === 'draft';
    await this.outbox.add(
      manager,
      createEnvelope(
        ReplyProposed,
        response.projectId,
        {
          responseId: response.id,
          ticketId: response.ticketId,
          answersMessageIds: response.answersMessageIds,
          text,
          html: null,
          author: 'ai',
          sources,
          ...(draft ? { draft: true } : {}),
        },
        replyProposedEventId(response.id),
      ),
    );
    await manager.update(
      PendingResponse,
      { id: response.id },
      { status: 'proposed', answersMessageIds: response.answersMessageIds, lockedUntil: null, lastError: null },
    );
    // A draft reaches the customer only when an agent sends it: it is the agent's reply to count, not ours.
    if (!draft) {
      await this.loopBreaker.recordReply(manager, {
        responseId: response.id,
        projectId: response.projectId,
        ticketId: response.ticketId,
        customerAddress: response.customerAddress,
      });
    }
    this.logger.log(`Reply ${response.id} to ticket ${response.ticketId} proposed${draft ? ' as a draft' : ''}`);
    await this.scheduleLateMessages(manager, response, current, settings);
  }

  /**
   * The generator handed the ticket over: a person answers it from here (reply.handoff). With the channel's
   * `handoff.acknowledge` the handoff carries its text for ticketing to send first, as a reply that the loop breaker
   * counts like any other (an auto-responder must not get an acknowledgement for every one of its mails).
   */
  private async handOver(manager: EntityManager, response: ClaimedResponse, reason: string): Promise<void> {
    const settings = this.channels.get(response.projectId);
    const wanted = settings ? handoffOf(settings) : null;
    let acknowledgement: HandoffAcknowledgement | undefined;
    if (settings && wanted?.acknowledge && wanted.text.trim() !== '') {
      const request = { projectId: response.projectId, ticketId: response.ticketId, customerAddress: response.customerAddress };
      const verdict = await this.loopBreaker.check(manager, { ...request, safety: channelSafetyOf(settings), serialize: true });
      if (verdict.answer) {
        acknowledgement = { responseId: response.id, answersMessageIds: response.answersMessageIds, text: wanted.text.trim() };
        await this.loopBreaker.recordReply(manager, { responseId: response.id, ...request });
      }
    }
    await this.loopBreaker.handOff(manager, response.projectId, response.ticketId, reason, { announce: true, acknowledgement });
    // Handed off before (by anyone, or by the check above): handOff cancels nothing then.
    await manager.update(PendingResponse, { id: response.id, status: 'generating' }, { status: 'cancelled', lockedUntil: null, lastError: `handed off: ${reason}` });
    this.logger.log(`Ticket ${response.ticketId} handed to a human instead of reply ${response.id}${acknowledgement ? ' (acknowledged)' : ''}: ${reason}`);
  }

  /** Customer messages that joined while the reply was written, which it did not see, get a reply of their own. */
  private async scheduleLateMessages(
    manager: EntityManager,
    response: ClaimedResponse,
    current: PendingResponse,
    settings: ChannelSettingsSnapshot,
  ): Promise<void> {
    const late = current.answersMessageIds.filter((id) => !response.answersMessageIds.includes(id));
    if (late.length === 0) return;
    const request = { projectId: response.projectId, ticketId: response.ticketId, customerAddress: response.customerAddress };
    // The reply just proposed counts: it may be the one that reaches a limit.
    const verdict = await this.loopBreaker.check(manager, { ...request, safety: channelSafetyOf(settings), serialize: true });
    if (!verdict.answer) {
      this.logger.log(`${late.length} message(s) that arrived while writing ${response.id} get no reply: ${verdict.reason}`);
      return;
    }
    const outcome = await this.scheduler.schedule(manager, { ...request, messageIds: late, delay: settings.responseDelay });
    this.logger.log(`${late.length} message(s) that arrived while writing ${response.id} get reply ${outcome.responseId}`);
  }

  /**
   * A reply that must not go out: the ticket goes to a human with the reason (reply.handoff), which also cancels
   * this response. Regenerating would meet the same mail, so there is no retry.
   */
  private async withhold(manager: EntityManager, response: ClaimedResponse, reason: string): Promise<void> {
    const handedOff = await this.loopBreaker.handOff(manager, response.projectId, response.ticketId, reason, { announce: true });
    if (!handedOff) await this.cancel(manager, response, reason);
    this.logger.warn(`Reply ${response.id} to ticket ${response.ticketId} withheld: ${reason}`);
  }

  private async cancel(manager: EntityManager, response: ClaimedResponse, reason: string): Promise<void> {
    await manager.update(PendingResponse, { id: response.id }, { status: 'cancelled', lockedUntil: null, lastError: reason });
    this.logger.log(`Reply ${response.id} to ticket ${response.ticketId} cancelled: ${reason}`);
  }

  private async retryLater(response: ClaimedResponse, error: unknown): Promise<void> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1_000);
    const plan = planRetry(response.attempts);
    await this.settle(response, async (manager) => {
      const table = quotedTable(manager.connection, PendingResponse);
      if (plan.status === 'failed') {
        await manager.update(PendingResponse, { id: response.id }, { status: 'failed', lockedUntil: null, lastError: reason });
      } else {
        // Due time from the database clock, like every other due time.
        await manager.query(
          `UPDATE ${table} SET "status" = 'scheduled', "locked_until" = NULL, "last_error" = $2,
                  "due_at" = now() + make_interval(secs => $3), "updated_at" = now()
            WHERE "id" = $1`,
          [response.id, reason, plan.retryInSeconds],
        );
      }
    });
    if (plan.status === 'failed') {
      this.logger.error(`Reply ${response.id} to ticket ${response.ticketId} failed after ${response.attempts} attempts: ${reason}`);
    } else {
      this.logger.warn(`Reply ${response.id} attempt ${response.attempts} failed, retry in ${plan.retryInSeconds} s: ${reason}`);
    }
  }
}

/** The subject and what the customer newly wrote in the messages being answered: what the knowledge base is asked. */
function customerMailOf(history: ConversationEntry[], answering: string[]): { subject: string; text: string } {
  const ids = new Set(answering);
  const answered = history.filter((entry) => ids.has(entry.messageId) && entry.direction === 'inbound');
  return {
    subject: answered.at(-1)?.subject ?? '',
    text: answered.map((entry) => (entry.newText?.trim() ? entry.newText.trim() : withoutQuotedHistory(entry.text))).join('\n\n'),
  };
}

/** The articles a reply used, as the ticket API shows them; only ones the grounding offered. */
function sourcesOf(articleIds: string[], grounding: Grounding): ReplySource[] {
  return articleIds.flatMap((articleId) => {
    const passage = grounding.passages.find((candidate) => candidate.articleId === articleId) ??
      grounding.questions.flatMap((question) => question.passages).find((candidate) => candidate.articleId === articleId);
    return passage ? [{ articleId, title: passage.title, url: passage.url }] : [];
  });
}
