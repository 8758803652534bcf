import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { AiResponderEnvironment } from './ai-responder.environment.js';
import { createReplyGenerator } from '../generation/generation.module.js';
import { LocalReplyGenerator } from '../generation/local-reply.generator.js';
import { OpenAiReplyGenerator } from '../generation/openai-reply.generator.js';
import { embeddingSettingsOf } from '../knowledge/knowledge.module.js';

const base = { NATS_URL: 'nats://127.0.0.1:4222' };

function problems(source: Record<string, string>): Record<string, string[]> {
  const environment = plainToInstance(AiResponderEnvironment, source);
  return Object.fromEntries(
    validateSync(environment, { forbidUnknownValues: false }).map((error) => [error.property, Object.values(error.constraints ?? {})]),
  );
}

describe('AiResponderEnvironment', () => {
  it('defaults to the local provider and needs no admin token', () => {
    const environment = plainToInstance(AiResponderEnvironment, base);
    expect(problems(base)).toEqual({});
    expect(environment.AI_PROVIDER).toBe('local');
    expect(environment.PORT).toBe(3003);
    expect(createReplyGenerator(environment)).toBeInstanceOf(LocalReplyGenerator);
  });

  it('names each variable the openai provider misses', () => {
    const found = problems({ ...base, AI_PROVIDER: 'openai', AI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    expect(Object.keys(found).sort()).toEqual(['AI_API_KEY', 'AI_MODEL']);
    expect(found.AI_API_KEY).toContain('AI_API_KEY is required when AI_PROVIDER=openai');
    expect(() => createReplyGenerator(plainToInstance(AiResponderEnvironment, { ...base, AI_PROVIDER: 'openai' }))).toThrow(
      'AI_BASE_URL is required when AI_PROVIDER=openai',
    );
  });

  it('accepts a complete openai configuration', () => {
    const source = { ...base, AI_PROVIDER: 'openai', AI_BASE_URL: 'http://127.0.0.1:11434/v1', AI_API_KEY: 'k', AI_MODEL: 'm' };
    expect(problems(source)).toEqual({});
    expect(createReplyGenerator(plainToInstance(AiResponderEnvironment, source))).toBeInstanceOf(OpenAiReplyGenerator);
  });

  it('needs the endpoint and key for embeddings, with the local provider too', () => {
    const found = problems({ ...base, AI_EMBEDDINGS_MODEL: 'text-embedding-3-small' });
    expect(Object.keys(found).sort()).toEqual(['AI_API_KEY', 'AI_BASE_URL']);
    expect(found.AI_API_KEY).toContain('AI_API_KEY is required when AI_EMBEDDINGS_MODEL is set');
    expect(found.AI_BASE_URL).toContain('AI_BASE_URL is required when AI_EMBEDDINGS_MODEL is set');
    // With AI_PROVIDER=openai the message names the provider, as before.
    expect(problems({ ...base, AI_PROVIDER: 'openai', AI_MODEL: 'm', AI_EMBEDDINGS_MODEL: 'e' }).AI_API_KEY).toEqual([
      'AI_API_KEY is required when AI_PROVIDER=openai',
    ]);
    expect(() => embeddingSettingsOf(plainToInstance(AiResponderEnvironment, { ...base, AI_EMBEDDINGS_MODEL: 'e' }))).toThrow(
      'AI_BASE_URL is required when AI_EMBEDDINGS_MODEL is set',
    );

    const source = { ...base, AI_EMBEDDINGS_MODEL: 'text-embedding-3-small', AI_BASE_URL: 'http://127.0.0.1:11434/v1', AI_API_KEY: 'k', AI_TIMEOUT_MS: '5000' };
    expect(problems(source)).toEqual({});
    const environment = plainToInstance(AiResponderEnvironment, source);
    expect(environment.AI_PROVIDER).toBe('local');
    expect(embeddingSettingsOf(environment)).toEqual({
      model: 'text-embedding-3-small',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: 'k',
      timeoutMs: 5000,
    });
    expect(Object.keys(problems({ ...source, AI_BASE_URL: 'not a url' }))).toEqual(['AI_BASE_URL']);
    // Without the model nothing is needed, and nothing is embedded.
    expect(embeddingSettingsOf(plainToInstance(AiResponderEnvironment, base))).toBeNull();
  });

  it('rejects an unknown provider, a short admin token and a bad URL', () => {
    const found = problems({ ...base, AI_PROVIDER: 'magic', ADMIN_TOKEN: 'short' });
    expect(Object.keys(found).sort()).toEqual(['ADMIN_TOKEN', 'AI_PROVIDER']);
    expect(Object.keys(problems({ ...base, AI_PROVIDER: 'openai', AI_BASE_URL: 'not a url', AI_API_KEY: 'k', AI_MODEL: 'm' }))).toEqual([
      'AI_BASE_URL',
    ]);
  });
});
