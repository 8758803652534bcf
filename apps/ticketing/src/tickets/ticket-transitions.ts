import type { HandoffBy, MailKind, TicketStatus } from '@ensoras/contracts';
import { isMachineKind } from '../inbound/thread-decision.js';

/** Something that happens to a ticket and may move its status. */
export type TicketEvent =
  /** A received mail joined the ticket. */
  | { type: 'mail-received'; kind: MailKind }
  /**
   * A reply was recorded for sending. `by` is who decided it goes out: the AI (its proposal) or an agent (their
   * own reply, or an AI draft they sent, edited or not).
   */
  | { type: 'reply-queued'; by: 'ai' | 'agent' }
  /** The AI's reply was kept as a draft (draft mode). */
  | { type: 'draft-recorded' }
  /** An agent discarded a draft; `draftsLeft`: drafts of the ticket still waiting after it. */
  | { type: 'draft-discarded'; draftsLeft: number }
  | { type: 'handoff'; by: HandoffBy }
  | { type: 'resume-ai' }
  | { type: 'close' };

export type TicketTransition =
  | { outcome: 'change'; status: TicketStatus }
  | { outcome: 'unchanged' }
  /** The event makes no sense for the ticket as it is (a 409 for an agent, a dropped proposal for the AI). */
  | { outcome: 'refused'; reason: string };

const change = (status: TicketStatus): TicketTransition => ({ outcome: 'change', status });
const UNCHANGED: TicketTransition = { outcome: 'unchanged' };
const refused = (reason: string): TicketTransition => ({ outcome: 'refused', reason });
/** `change` to the status, or `unchanged` when the ticket has it already. */
const to = (current: TicketStatus, next: TicketStatus): TicketTransition => (current === next ? UNCHANGED : change(next));

/**
 * The ticket's status machine, in one place:
 *
 * - A customer writing again puts an `answered` or `closed` ticket back into the queue (`open`); machines and our own
 *   mail never move it. A `needs_human` ticket stays with its human, a `draft_ready` one keeps its draft.
 * - The AI's replies and drafts are refused for a ticket a human holds (`needs_human`) or that is `closed`: they
 *   crossed the handoff or the close. A reply makes the ticket `answered`, a draft `draft_ready`.
 * - An agent's reply (or a draft an agent sent) makes it `answered`, except that a `needs_human` ticket stays
 *   `needs_human`: the human holds it until they resume the AI or close it, so the status alone says whether the AI
 *   may answer.
 * - A discarded draft leaves `draft_ready` for `open` (the customer still waits for an answer; the AI drafts again
 *   when they write) once no other draft waits.
 * - A handoff makes the ticket `needs_human`. The AI's from any status: ai-responder stops answering the ticket as
 *   it publishes the handoff, so the ticket must say so, even one closed meanwhile. A failed reply's (`system`) only
 *   from `open`, `answered` or `draft_ready`: a ticket a human holds or closed keeps its state. An agent's from those
 *   too; handing off a ticket a human holds already, or a closed one, is refused.
 * - Resuming the AI: only from `needs_human`, to `open`.
 * - Closing: from anything but `closed`.
 */
export function ticketTransition(status: TicketStatus, event: TicketEvent): TicketTransition {
  switch (event.type) {
    case 'mail-received':
      if (event.kind === 'own' || isMachineKind(event.kind)) return UNCHANGED;
      return status === 'answered' || status === 'closed' ? change('open') : UNCHANGED;
    case 'reply-queued':
      if (event.by === 'ai') {
        if (status === 'needs_human') return refused('a human holds the ticket; the AI does not answer it');
        if (status === 'closed') return refused('the ticket is closed');
      }
      return status === 'needs_human' ? UNCHANGED : to(status, 'answered');
    case 'draft-recorded':
      if (status === 'needs_human') return refused('a human holds the ticket; the AI does not answer it');
      if (status === 'closed') return refused('the ticket is closed');
      return to(status, 'draft_ready');
    case 'draft-discarded':
      return status === 'draft_ready' && event.draftsLeft === 0 ? change('open') : UNCHANGED;
    case 'handoff':
      if (status === 'needs_human') return event.by === 'agent' ? refused('the ticket is needs_human already') : UNCHANGED;
      if (status === 'closed' && event.by !== 'ai') return event.by === 'agent' ? refused('the ticket is closed') : UNCHANGED;
      return change('needs_human');
    case 'resume-ai':
      return status === 'needs_human' ? change('open') : refused(`only a needs_human ticket can be given back to the AI; this one is ${status}`);
    case 'close':
      return status === 'closed' ? refused('the ticket is closed already') : change('closed');
  }
}
