import 'reflect-metadata';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsByteLength, IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchEmailChannelDto, ProjectConfigurationDto, PutEmailChannelDto } from '@ensoras/contracts';
import { DEFAULT_JSON_BODY_LIMIT_BYTES, jsonBodyLimitOf, useJsonBodyLimit } from './json-body-limit.js';

/** A string of `length` characters that JSON can only write as `\u0001` each: the worst case per character. */
const worst = (length: number) => '\u0001'.repeat(length);

describe('jsonBodyLimitOf', () => {
  it('fits the largest channel PUT the DTO accepts, pretty-printed, with every string at its limit in the costliest form', () => {
    const limit = jsonBodyLimitOf(PutEmailChannelDto, PatchEmailChannelDto, ProjectConfigurationDto);
    const imap = { host: worst(255), port: 65535, encryption: 'starttls', username: worst(320), password: worst(1024), validateCertificate: false, markAsRead: false };
    const largest = {
      imap,
      smtp: { ...imap, markAsRead: undefined },
      identity: { fromEmail: worst(320), fromName: worst(200), signatureHtml: worst(20_000) },
      guidelines: worst(10_000),
      responseDelay: { minSeconds: 172_800, maxSeconds: 172_800 },
      safety: { maxMessageSizeMb: 100, maxAiRepliesPerTicket: 100, maxAiRepliesPerAddress: 1000, loopWindowMinutes: 10_080 },
    };
    const bytes = Buffer.byteLength(JSON.stringify(largest, null, 2));
    expect(bytes).toBeGreaterThan(DEFAULT_JSON_BODY_LIMIT_BYTES);
    expect(bytes).toBeLessThanOrEqual(limit);
    // Bounded all the same: the largest body and some room, not "anything goes".
    expect(limit).toBeLessThan(bytes * 1.1);
  });

  it('counts IsByteLength like MaxLength, and refuses a string without a bound', () => {
    class Reply {
      @IsString() @IsByteLength(1, 200_000) text!: string;
    }
    class Unbounded {
      @IsString() note!: string;
    }
    expect(jsonBodyLimitOf(Reply)).toBeGreaterThanOrEqual(1_200_000);
    expect(() => jsonBodyLimitOf(Unbounded)).toThrow(/Unbounded\.note .*unbounded/);
  });

  it('is never below the default for small DTOs', () => {
    expect(jsonBodyLimitOf(ProjectConfigurationDto)).toBe(DEFAULT_JSON_BODY_LIMIT_BYTES);
  });
});

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: { text: string }): { length: number } {
    return { length: body.text.length };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('useJsonBodyLimit', () => {
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = await NestFactory.create(EchoModule, { logger: false });
    useJsonBodyLimit(app, 1_000);
    await app.listen(0, '127.0.0.1');
    url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/echo`;
    close = () => app.close();
  });
  afterAll(() => close?.());

  const post = (text: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });

  it('takes a body within the limit', async () => {
    const response = await post('x'.repeat(900));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ length: 900 });
  });

  it('answers a larger body with a JSON 413 naming the limit', async () => {
    const response = await post('x'.repeat(1_100));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ statusCode: 413, message: expect.stringContaining('1000 bytes'), limitBytes: 1_000 });
  });
});
