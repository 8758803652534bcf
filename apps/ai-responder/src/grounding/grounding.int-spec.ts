import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersistenceModule } from '@ensoras/persistence';
import { createTestDatabase, type TestDatabase } from '@ensoras/testing';
import { loadEvalSet } from '../evaluation/evaluation.js';
import { LocalReplyGenerator } from '../generation/local-reply.generator.js';
import { PromptBuilder } from '../generation/prompt-builder.js';
import type { GeneratedReply } from '../generation/reply-generator.js';
import { KnowledgeArticle } from '../knowledge/knowledge-article.entity.js';
import { KnowledgePassage } from '../knowledge/knowledge-passage.entity.js';
import { KnowledgeStore } from '../knowledge/knowledge-store.service.js';
import { MIGRATIONS } from '../migrations/index.js';
import { GroundingModule } from './grounding.module.js';
import { GroundingService } from './grounding.service.js';

const PROJECT = 'shop';

describe('answers grounded in the demo knowledge base (offline responder, PostgreSQL)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let app: INestApplicationContext;

  beforeAll(async () => {
    [database, dataDir] = await Promise.all([createTestDatabase(), mkdtemp(join(tmpdir(), 'ai-responder-grounding-'))]);
    @Module({
      imports: [
        PersistenceModule.forRoot({ schema: 'ai_responder', entities: [KnowledgeArticle, KnowledgePassage], migrations: MIGRATIONS, databaseUrl: database.url, dataDir }),
        GroundingModule,
      ],
    })
    class GroundingTestModule {}
    app = await NestFactory.createApplicationContext(GroundingTestModule, { logger: ['error'] });
    await app.get(KnowledgeStore).import(PROJECT, loadEvalSet().articles);
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const answer = async (projectId: string, from: { name: string; address: string }, text: string): Promise<GeneratedReply> => {
    const grounding = await app.get(GroundingService).ground(projectId, { subject: '', text });
    const prompt = new PromptBuilder().build({
      communicationStyle: '',
      guidelines: '',
      identity: { fromName: 'Lumen Support', fromEmail: 'support@lumen.example' },
      conversation: [{ messageId: 'm1', direction: 'inbound', author: 'customer', from, subject: '', ticketSubject: '', text, createdAt: new Date() }],
      answeringMessageIds: ['m1'],
      grounding,
    });
    return new LocalReplyGenerator().generate(prompt);
  };

  it('answers a shipping question from the shipping article, greeting by name and stating its figures', async () => {
    const reply = await answer(PROJECT, { name: 'Katharina Huber', address: 'k@example.com' }, 'Hello,\nHow much is shipping to Austria and how many days does it usually take?\nThanks, Katharina');
    expect(reply.action).toBe('reply');
    expect(reply.sources).toEqual(['shipping']);
    expect(reply.text).toMatch(/^Hello Katharina,/u);
    expect(reply.text).toContain('9.90 EUR');
    expect(reply.text).toMatch(/Kind regards,\nLumen Support$/u);
  });

  it('answers a German question from the German article, in German', async () => {
    const reply = await answer(PROJECT, { name: 'Andrea Gruber', address: 'andrea@example.at' }, 'Hallo,\nwas kostet der Versand nach Österreich und wie lange dauert die Lieferung?\nViele Grüße\nAndrea');
    expect(reply.action).toBe('reply');
    expect(reply.sources).toEqual(['shipping-de']);
    expect(reply.text).toMatch(/^Hallo Andrea,/u);
    expect(reply.text).toContain('9,90 EUR');
    expect(reply.text).toContain('Viele Grüße');
  });

  it('hands over what the knowledge base does not say, and a customer who asks for a manager', async () => {
    expect(await answer(PROJECT, { name: 'Tom', address: 't@example.com' }, 'Can I pay in Bitcoin or any other crypto?')).toMatchObject({ action: 'handoff', text: '' });
    expect(await answer(PROJECT, { name: 'Tom', address: 't@example.com' }, 'How long does shipping take? I want to speak to a manager.')).toEqual({
      action: 'handoff',
      text: '',
      sources: [],
      reason: 'the customer asks for a person',
    });
  });

  it('acknowledges as before in a project without a knowledge base', async () => {
    const reply = await answer('no-knowledge', { name: 'Tom', address: 't@example.com' }, 'How long does shipping take?');
    expect(reply).toMatchObject({ action: 'reply', sources: [] });
    expect(reply.text).toContain('We have received your request');
  });
});
