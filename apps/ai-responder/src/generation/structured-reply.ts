import { handoff, type GeneratedReply } from './reply-generator.js';

/** The JSON schema of a model's answer (OpenAI's `response_format: json_schema`, strict). */
export const REPLY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'reply', 'sources', 'reason'],
  properties: {
    action: { type: 'string', enum: ['reply', 'handoff'] },
    reply: { type: 'string' },
    sources: { type: 'array', items: { type: 'string' } },
    reason: { type: 'string' },
  },
} as const;

/**
 * A model's answer as GeneratedReply. JSON as the schema says (also inside a ```json fence, which models without
 * structured output like to add); anything else is plain text, taken as the reply, without sources. Sources are
 * kept only when they name an article the prompt gave: a model cannot cite what it was not shown.
 */
export function readStructuredReply(content: string, knownArticles: ReadonlySet<string>): GeneratedReply {
  const parsed = parseJson(content);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { action: 'reply', text: content.trim(), sources: [], reason: null };
  const answer = parsed as Record<string, unknown>;
  const reason = typeof answer.reason === 'string' ? answer.reason.trim() : '';
  if (answer.action === 'handoff') return handoff(reason || 'the model handed the ticket over without a reason');
  const text = typeof answer.reply === 'string' ? answer.reply.trim() : '';
  if (answer.action !== 'reply' || text === '') throw new Error('the model answered JSON without an action and a reply');
  const sources = Array.isArray(answer.sources) ? answer.sources.filter((id): id is string => typeof id === 'string' && knownArticles.has(id)) : [];
  return { action: 'reply', text, sources: [...new Set(sources)], reason: null };
}

function parseJson(content: string): unknown {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/iu.exec(content);
  const candidate = (fenced ? fenced[1]! : content).trim();
  if (!candidate.startsWith('{')) return null;
  try {
    return JSON.parse(candidate) as unknown;
  } catch {
    return null;
  }
}
