import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { In, type Repository } from 'typeorm';
import { OPEN_STATUSES, PendingResponse, type PendingResponseStatus } from './pending-response.entity.js';

export interface PendingResponseView {
  id: string;
  ticketId: string;
  status: PendingResponseStatus;
  answersMessageIds: string[];
  dueAt: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** For admins: which replies are waiting for their due time (or being written) right now. */
@ApiTags('Responses')
@Controller('v1/projects/:projectId/pending-responses')
export class PendingResponsesController {
  constructor(@InjectRepository(PendingResponse) private readonly responses: Repository<PendingResponse>) {}

  @Get()
  @RequireScope('inbox:read')
  @ApiOperation({ summary: 'The replies waiting for their due time, or being written, right now (up to 500)' })
  @ApiOkResponse({ description: '`{ items }`, soonest due first' })
  async list(@Param('projectId', ProjectIdPipe) projectId: string): Promise<{ items: PendingResponseView[] }> {
    const rows = await this.responses.find({
      where: { projectId, status: In([...OPEN_STATUSES]) },
      order: { dueAt: 'ASC' },
      take: 500,
    });
    return {
      items: rows.map((row) => ({
        id: row.id,
        ticketId: row.ticketId,
        status: row.status,
        answersMessageIds: row.answersMessageIds,
        dueAt: row.dueAt.toISOString(),
        attempts: row.attempts,
        lastError: row.lastError,
        createdAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
      })),
    };
  }
}
