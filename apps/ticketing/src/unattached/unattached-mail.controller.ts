import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { newestFirstPage, ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { DEFAULT_UNATTACHED_PAGE_SIZE, ListUnattachedMailQuery } from './list-unattached-mail.query.js';
import { UnattachedMail } from './unattached-mail.entity.js';
import type { UnattachedMailPage } from '@ensoras/contracts';
import { toUnattachedMailView } from './unattached-mail.view.js';

/** For admins: received mail that opened no ticket (our own mail, machine mail about nothing we know). */
@ApiTags('Inbox')
@Controller('v1/projects/:projectId/unattached-mail')
export class UnattachedMailController {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first, with the same kind of opaque (receivedAt, id) cursor as the inbox. */
  @Get()
  @RequireScope('inbox:read')
  @ApiOperation({ summary: 'Received mail that opened no ticket (own mail, machine mail about nothing known), newest first' })
  @ApiOkResponse({ description: '`{ items, nextCursor }`' })
  @ApiBadRequestResponse({ description: 'A bad limit, cursor or kind' })
  async list(@Param('projectId', ProjectIdPipe) projectId: string, @Query() query: ListUnattachedMailQuery): Promise<UnattachedMailPage> {
    const limit = query.limit ?? DEFAULT_UNATTACHED_PAGE_SIZE;
    const select = this.dataSource
      .getRepository(UnattachedMail)
      .createQueryBuilder('u')
      .where('u.project_id = :projectId', { projectId });
    if (query.kind) select.andWhere('u.kind = :kind', { kind: query.kind });
    return newestFirstPage(select, 'u', { limit, cursor: query.cursor }, toUnattachedMailView);
  }
}
