import OpenAI from 'openai';
import { providerFailureReason, ReplyGenerationError } from './generation-failure.js';
import { handoff, type GeneratedReply, type ReplyGenerator } from './reply-generator.js';
import type { ReplyPrompt } from './reply-prompt.js';
import { readStructuredReply, REPLY_SCHEMA } from './structured-reply.js';

export interface OpenAiReplyOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
}

/**
 * Any OpenAI-compatible chat-completions endpoint (OpenAI, Azure-style gateways, Ollama, vLLM, LiteLLM ...) through
 * the official client. The client does not retry on its own: a failed attempt goes back to the response's schedule,
 * which backs off over minutes instead of seconds.
 */
export class OpenAiReplyGenerator implements ReplyGenerator {
  private readonly client: OpenAI;
  /** Model and endpoint as errors name them. */
  readonly target: string;

  constructor(private readonly options: OpenAiReplyOptions) {
    this.target = `${options.model} at ${withoutCredentials(options.baseUrl)}`;
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey,
      timeout: options.timeoutMs,
      maxRetries: 0,
      // Its debug logging would print request options; our own logs say what failed.
      logLevel: 'off',
    });
  }

  /** Cleared when the endpoint refuses a JSON schema response format: the prompt alone then asks for the JSON. */
  private schemaSupported = true;

  async generate(prompt: ReplyPrompt): Promise<GeneratedReply> {
    const content = await this.complete(prompt);
    const text = content?.trim();
    if (!text) throw new ReplyGenerationError(`${this.target} returned no reply text`, 'invalid_reply');
    const known = new Set(prompt.grounding.passages.map((passage) => passage.articleId));
    const reply = readReply(text, known);
    // With a knowledge base that has nothing on this mail there is nothing a reply may stand on.
    if (reply.action === 'reply' && prompt.grounding.knowledgeBase && known.size === 0) return handoff('the knowledge base has nothing on this conversation');
    return reply;
  }

  private async complete(prompt: ReplyPrompt): Promise<string | null | undefined> {
    try {
      if (this.schemaSupported) {
        try {
          const completion = await this.client.chat.completions.create({
            model: this.options.model,
            messages: prompt.messages,
            response_format: { type: 'json_schema', json_schema: { name: 'support_reply', strict: true, schema: REPLY_SCHEMA } },
          });
          return completion.choices[0]?.message?.content;
        } catch (error) {
          if (!refusesResponseFormat(error)) throw error;
          this.schemaSupported = false;
        }
      }
      const completion = await this.client.chat.completions.create({ model: this.options.model, messages: prompt.messages });
      return completion.choices[0]?.message?.content;
    } catch (error) {
      // Provider errors sometimes echo the key back; it must not reach a log or the database.
      throw new ReplyGenerationError(`${this.target}: ${this.redact(describe(error))}`, providerFailureReason(error));
    }
  }

  private redact(message: string): string {
    return this.options.apiKey ? message.split(this.options.apiKey).join('***') : message;
  }
}

/** A base URL may carry user:password (some gateways); logs and stored errors never show it. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid AI_BASE_URL>';
  }
}

/** The model's answer as a reply or a handoff; an answer that is not the asked JSON is the model's failure. */
function readReply(text: string, known: ReadonlySet<string>): GeneratedReply {
  try {
    return readStructuredReply(text, known);
  } catch (error) {
    throw new ReplyGenerationError(describe(error), 'invalid_reply');
  }
}

/** A 400 that names the response format: an endpoint (or model) without structured output. */
function refusesResponseFormat(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  return (status === 400 || status === 422) && /response_format|json_schema|structured/iu.test(describe(error));
}

/** The client's messages already lead with the HTTP status ("500 upstream overloaded"), or say the connection failed. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
