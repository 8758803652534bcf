import { withoutCredentials } from '../generation/openai-reply.generator.js';

/** Where passages and queries get their embeddings: AI_EMBEDDINGS_MODEL at AI_BASE_URL. */
export interface EmbeddingSettings {
  model: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/** The EmbeddingClient of AI_EMBEDDINGS_MODEL; null (or not provided at all) without it. */
export const EMBEDDING_CLIENT = Symbol('EMBEDDING_CLIENT');

/** Inputs per request: OpenAI takes up to 2048, but smaller gateways and local servers take far fewer. */
export const EMBEDDING_BATCH_SIZE = 64;
/** Characters of an error response an error message keeps. */
const ERROR_BODY_CHARS = 300;

/**
 * The `/embeddings` route of an OpenAI-compatible endpoint, with fetch: one request per EMBEDDING_BATCH_SIZE inputs,
 * no retries of its own (the caller decides: retrieval falls back to full-text search, the PassageEmbedder's sweep
 * backs off). Errors name the status and the start of the response with the key redacted, as gateways sometimes
 * echo it.
 */
export class EmbeddingClient {
  /** Model and endpoint as errors and logs name them. */
  readonly target: string;
  /**
   * Without user:password: fetch refuses a URL with credentials, naming it whole in its error; the key goes in the
   * Authorization header anyway.
   */
  private readonly url: string;

  constructor(private readonly settings: EmbeddingSettings) {
    const baseUrl = withoutCredentials(settings.baseUrl).replace(/\/+$/, '');
    this.target = `${settings.model} at ${baseUrl}`;
    this.url = `${baseUrl}/embeddings`;
  }

  get model(): string {
    return this.settings.model;
  }

  /**
   * One vector per input, in the inputs' order. `timeoutMs` shortens AI_TIMEOUT_MS (per request) for this call;
   * `signal` aborts it (at shutdown).
   */
  async embed(inputs: readonly string[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < inputs.length; start += EMBEDDING_BATCH_SIZE) {
      vectors.push(...(await this.request(inputs.slice(start, start + EMBEDDING_BATCH_SIZE), options)));
    }
    return vectors;
  }

  private async request(inputs: readonly string[], options: { timeoutMs?: number; signal?: AbortSignal }): Promise<number[][]> {
    const timeout = AbortSignal.timeout(Math.min(options.timeoutMs ?? Number.POSITIVE_INFINITY, this.settings.timeoutMs));
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.settings.apiKey}` },
        body: JSON.stringify({ model: this.settings.model, input: inputs }),
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      throw new Error(`${this.target}: ${this.redact(describe(error))}`, { cause: error });
    }
    if (!response.ok) throw new Error(`${this.target}: ${response.status} ${this.redact(text.slice(0, ERROR_BODY_CHARS))}`);
    return this.vectorsOf(text, inputs.length);
  }

  /** `data[].embedding` ordered by `index` (the API does not promise the inputs' order), each a non-empty array of numbers. */
  private vectorsOf(text: string, expected: number): number[][] {
    let data: unknown;
    try {
      data = (JSON.parse(text) as { data?: unknown }).data;
    } catch {
      throw new Error(`${this.target}: the response is not JSON: ${this.redact(text.slice(0, ERROR_BODY_CHARS))}`);
    }
    if (!Array.isArray(data) || data.length !== expected) {
      throw new Error(`${this.target}: expected ${expected} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`);
    }
    const vectors: number[][] = new Array<number[]>(expected);
    for (const [position, entry] of data.entries()) {
      const { index, embedding } = (entry ?? {}) as { index?: unknown; embedding?: unknown };
      const at = typeof index === 'number' ? index : position;
      if (!Number.isInteger(at) || at < 0 || at >= expected || vectors[at] !== undefined) {
        throw new Error(`${this.target}: embedding index ${String(index)} is out of range or repeated`);
      }
      if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((value) => typeof value === 'number' && Number.isFinite(value))) {
        throw new Error(`${this.target}: embedding ${at} is not a list of numbers (a base64 encoding_format is not supported)`);
      }
      vectors[at] = embedding as number[];
    }
    return vectors;
  }

  private redact(message: string): string {
    return this.settings.apiKey ? message.split(this.settings.apiKey).join('***') : message;
  }
}

/** fetch's messages say the connection failed or the time ran out ("The operation was aborted due to timeout"). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** True for a request that ran out of time rather than one that was answered with an error. */
export function isTimeout(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && cause.name === 'TimeoutError';
}
