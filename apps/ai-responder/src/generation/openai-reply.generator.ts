import OpenAI from 'openai';
import type { ReplyGenerator } from './reply-generator.js';
import type { ReplyPrompt } from './reply-prompt.js';

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

  async generate(prompt: ReplyPrompt): Promise<{ text: string }> {
    let content: string | null | undefined;
    try {
      const completion = await this.client.chat.completions.create({ model: this.options.model, messages: prompt.messages });
      content = completion.choices[0]?.message?.content;
    } catch (error) {
      // Provider errors sometimes echo the key back; it must not reach a log or the database.
      throw new Error(`${this.target}: ${this.redact(describe(error))}`);
    }
    const text = content?.trim();
    if (!text) throw new Error(`${this.target} returned no reply text`);
    return { text };
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

/** The client's messages already lead with the HTTP status ("500 upstream overloaded"), or say the connection failed. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
