import { Controller, DefaultValuePipe, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DeadLetters, type DeadLetter, type ReplayResult } from '@ensoras/messaging';
import { AdminOnly } from '../access/access.decorators.js';

/**
 * The events this service's consumers gave up on. Replay publishes them again for this service only; its
 * handlers are idempotent, so an event that was handled after all is not handled twice.
 */
@ApiTags('Operations')
@Controller('v1/dead-letters')
@AdminOnly()
export class DeadLettersAdminController {
  constructor(private readonly deadLetters: DeadLetters) {}

  /** Oldest first; `after` (a DEADLETTER sequence) pages on; `consumer` keeps those of one consumer. */
  @Get()
  @ApiOperation({ summary: "The events this service's consumers gave up on, oldest first" })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiQuery({ name: 'after', required: false, description: 'A DEADLETTER sequence: the page after it', schema: { type: 'integer', default: 0 } })
  @ApiQuery({ name: 'consumer', required: false, description: 'Only those of this consumer' })
  async list(
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number,
    @Query('after', new DefaultValuePipe(0), ParseIntPipe) after: number,
    @Query('consumer') consumer?: string,
  ): Promise<{ service: string; deadLetters: DeadLetter[] }> {
    const deadLetters = await this.deadLetters.list({ limit: Math.min(Math.max(limit, 1), 1_000), after, consumer });
    return { service: this.deadLetters.service, deadLetters };
  }

  /** All of them, or with `?consumer=` those of one consumer. */
  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish them again for this service (all, or those of one consumer)' })
  @ApiQuery({ name: 'consumer', required: false })
  replayAll(@Query('consumer') consumer?: string): Promise<ReplayResult> {
    return this.deadLetters.replay(consumer ? { consumer } : undefined);
  }

  @Post(':seq/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Publish one dead letter again for this service' })
  @ApiNotFoundResponse({ description: 'No dead letter with this sequence' })
  async replayOne(@Param('seq', ParseIntPipe) seq: number): Promise<ReplayResult> {
    const result = await this.deadLetters.replay(seq);
    if (result.replayed.length === 0) throw new NotFoundException(`No dead letter ${seq} of ${this.deadLetters.service}`);
    return result;
  }
}
