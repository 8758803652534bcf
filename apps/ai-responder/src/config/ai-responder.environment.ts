import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUrl, Max, Min, ValidateIf, type ValidationArguments } from 'class-validator';
import { OptionalAdminTokenSetting, ServiceEnvironment } from '@ensoras/runtime';
import { DEFAULT_ANSWER_THRESHOLDS } from '../grounding/answer-plan.js';

export const AI_PROVIDERS = ['local', 'openai'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];

const usesOpenAi = (environment: AiResponderEnvironment): boolean => environment.AI_PROVIDER === 'openai';
const requiredForOpenAi = (name: string) => ({ message: `${name} is required when AI_PROVIDER=openai` });
const usesEmbeddings = (environment: AiResponderEnvironment): boolean => Boolean(environment.AI_EMBEDDINGS_MODEL?.trim());
/** The endpoint serves replies (AI_PROVIDER=openai), embeddings (AI_EMBEDDINGS_MODEL), or both. */
const usesEndpoint = (environment: AiResponderEnvironment): boolean => usesOpenAi(environment) || usesEmbeddings(environment);
const requiredForEndpoint = (name: string) => ({
  message: ({ object }: ValidationArguments) =>
    usesOpenAi(object as AiResponderEnvironment) ? `${name} is required when AI_PROVIDER=openai` : `${name} is required when AI_EMBEDDINGS_MODEL is set`,
});

export class AiResponderEnvironment extends ServiceEnvironment {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) override PORT: number = 3003;

  /** Only guards the small admin listing of pending responses; without it that route does not exist (404). */
  @OptionalAdminTokenSetting() ADMIN_TOKEN?: string;

  /** `local` (the offline placeholder) unless set. */
  @IsOptional()
  @IsIn(AI_PROVIDERS, { message: `AI_PROVIDER must be one of: ${AI_PROVIDERS.join(', ')}` })
  AI_PROVIDER: AiProvider = 'local';

  /** Any OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  @ValidateIf(usesEndpoint)
  @IsNotEmpty(requiredForEndpoint('AI_BASE_URL'))
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'AI_BASE_URL must be an http(s) URL' })
  AI_BASE_URL?: string;

  /** Never logged; provider errors that echo it are redacted before they are logged or stored. */
  @ValidateIf(usesEndpoint) @IsNotEmpty(requiredForEndpoint('AI_API_KEY')) AI_API_KEY?: string;

  @ValidateIf(usesOpenAi) @IsNotEmpty(requiredForOpenAi('AI_MODEL')) AI_MODEL?: string;

  /**
   * An embeddings model of the same endpoint (e.g. text-embedding-3-small). When set, passages get embeddings and the
   * knowledge base is searched by meaning as well as by words (hybrid retrieval: "bitcoin" finds the article on
   * cryptocurrency), whichever AI_PROVIDER answers, the offline one included. Unset: full-text search alone, and no
   * call to any endpoint.
   */
  @IsOptional() @IsString() AI_EMBEDDINGS_MODEL?: string;

  /** Per request; kept below the 2-minute claim on a pending response so a slow call never overlaps a retry. */
  @Type(() => Number) @IsInt() @Min(1_000) @Max(110_000) AI_TIMEOUT_MS: number = 60_000;

  /**
   * How sure the offline responder must be to answer from the knowledge base: the share (0–1) of a question's
   * significant words the best passage must contain. Lower answers more and risks answering beside the question;
   * below it the ticket goes to a human.
   */
  @Type(() => Number) @IsNumber({}, { message: 'AI_ANSWER_MIN_CONFIDENCE must be a number' }) @Min(0) @Max(1) AI_ANSWER_MIN_CONFIDENCE: number = DEFAULT_ANSWER_THRESHOLDS.minCoverage;

  /**
   * Mail written longer ago than this (its Date header) gets a ticket but no AI reply: mail that reached the mailbox
   * late, or a mailbox imported again after its server renumbered it. (The history a newly enabled channel imports
   * is never answered, whatever its age.) 0 answers mail of any age.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(8_760) MAX_ANSWERABLE_AGE_HOURS: number = 24;
}
