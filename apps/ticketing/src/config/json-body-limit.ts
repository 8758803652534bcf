import { jsonBodyLimitOf } from '@ensoras/runtime';
import { HandoffDto } from '../handoff/handoff.dto.js';
import { AgentReplyDto } from '../replies/agent-reply.dto.js';
import { SendDraftDto } from '../replies/send-draft.dto.js';

/**
 * The largest body ticketing's routes accept: an agent reply (or an edited draft) with text and HTML at their limits,
 * every character written in its costliest JSON form. A valid reply is never a 413; a larger one is a 413 naming the
 * limit.
 */
export const TICKETING_JSON_BODY_LIMIT_BYTES = jsonBodyLimitOf(AgentReplyDto, SendDraftDto, HandoffDto);
