import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, ParseUUIDPipe, Post, Query, DefaultValuePipe } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Outbox, type ParkedOutboxRow } from '@ensoras/messaging';
import { AdminOnly } from '../access/access.decorators.js';

/** The outbox rows this service could not publish: listed, and put back in line once the cause is fixed. */
@ApiTags('Operations')
@Controller('v1/outbox/parked')
@AdminOnly()
export class OutboxAdminController {
  constructor(private readonly outbox: Outbox) {}

  @Get()
  @ApiOperation({ summary: 'The outbox rows this service could not publish' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  async list(@Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number): Promise<{ parked: ParkedOutboxRow[] }> {
    return { parked: await this.outbox.parked(Math.min(Math.max(limit, 1), 1_000)) };
  }

  @Post('redrive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put every parked row back in line' })
  async redriveAll(): Promise<{ redriven: string[] }> {
    return { redriven: await this.outbox.redrive() };
  }

  @Post(':id/redrive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put one parked row back in line' })
  @ApiNotFoundResponse({ description: 'No parked row with this id' })
  async redriveOne(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ redriven: string[] }> {
    const redriven = await this.outbox.redrive(id);
    if (redriven.length === 0) throw new NotFoundException(`No parked outbox row ${id}`);
    return { redriven };
  }
}
