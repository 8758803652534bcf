import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import type { AuditEntryView } from '@ensoras/contracts';
import { AuditLog } from './audit-log.service.js';

class AuditQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}

@ApiTags('Email channel')
@Controller('v1/projects/:projectId/channels/email/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  /** The project's recent changes (channel and communication style): action, changed field names, revision, time. */
  @Get()
  @RequireScope('config:read')
  @ApiOperation({ summary: "The project's recent setting changes: action, changed field names (never values), revision, time, actor" })
  @ApiOkResponse({ description: '`{ entries: [...] }`, newest first' })
  async recent(@Param('projectId', ProjectIdPipe) projectId: string, @Query() query: AuditQuery): Promise<{ entries: AuditEntryView[] }> {
    return { entries: await this.audit.recent(projectId, query.limit ?? 50) };
  }
}
