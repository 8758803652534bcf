import { Body, Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicRoute } from '../access/access.decorators.js';
import { documentApi } from './document-api.js';

class GreetingDto {
  @ApiProperty({ maxLength: 10 }) @IsString() text!: string;
}

@Controller('v1/greetings')
@PublicRoute()
class GreetingsController {
  @Get()
  list(): string[] {
    return [];
  }

  @Post()
  create(@Body() body: GreetingDto): GreetingDto {
    return body;
  }
}

@Module({ controllers: [GreetingsController] })
class GreetingsModule {}

describe('documentApi', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(GreetingsModule, { logger: false, abortOnError: false });
    documentApi(app, 'greeter');
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('serves the OpenAPI document at /docs-json, without a token', async () => {
    const response = await fetch(`${base}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { info: { title: string }; paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
    expect(document.info.title).toBe('Ensoras greeter');
    expect(Object.keys(document.paths['/v1/greetings'])).toEqual(['get', 'post']);
    expect(document.components.schemas.GreetingDto).toMatchObject({ properties: { text: { type: 'string', maxLength: 10 } }, required: ['text'] });
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(`${base}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
  });
});
