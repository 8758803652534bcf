import type { INestApplication } from '@nestjs/common';
import { startService } from '@ensoras/runtime';
import { AppModule } from '../app.module.js';
import type { AiResponderEnvironment } from '../config/ai-responder.environment.js';
import { KNOWLEDGE_JSON_BODY_LIMIT_BYTES } from '../knowledge/knowledge-limits.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the specs read whatever the routes answer
type Json = any;

/** The whole ai-responder service, started in the test process, and a client for its admin routes. */
export interface KnowledgeApi {
  app: INestApplication;
  url: string;
  /**
   * Calls `/v1/projects/<path>` with `Authorization: Bearer <token>` (the admin token unless told; null sends none)
   * and a JSON body; answers the status and the parsed body (null when empty).
   */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: Json }>;
}

/** Starts the service as main.ts does, with the knowledge routes' body limit, on a free port of 127.0.0.1. */
export async function startKnowledgeApi(environment: AiResponderEnvironment): Promise<KnowledgeApi> {
  const app = await startService({
    name: 'ai-responder',
    module: AppModule.forRoot(environment),
    port: 0,
    host: '127.0.0.1',
    durableName: 'ai-responder',
    jsonBodyLimitBytes: KNOWLEDGE_JSON_BODY_LIMIT_BYTES,
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('[::]', '127.0.0.1');
  const call: KnowledgeApi['call'] = async (method, path, body, token = environment.ADMIN_TOKEN ?? null) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}/v1/projects/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return { app, url, call };
}
