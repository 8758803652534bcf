import { BadRequestException, Controller, Get, HttpCode, NotFoundException, Param, Post, UnprocessableEntityException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { QuarantineRetry } from './quarantine-retry.service.js';
import { parseQuarantineId, QuarantineStore, type QuarantineEntry } from './quarantine.store.js';

/** Lets an admin see which mail of a project could not be imported, where its raw bytes are, and try it again. */
@ApiTags('Quarantine')
@Controller('v1/projects/:projectId/quarantine')
export class QuarantineController {
  constructor(
    private readonly quarantine: QuarantineStore,
    private readonly retries: QuarantineRetry,
  ) {}

  @Get()
  @RequireScope('config:read')
  @ApiOperation({ summary: 'Mail of the project that could not be imported, with why and where its raw bytes are' })
  @ApiOkResponse({ description: '`{ projectId, items }`' })
  async list(@Param('projectId', ProjectIdPipe) projectId: string): Promise<{ projectId: string; items: QuarantineEntry[] }> {
    return { projectId, items: await this.quarantine.list(projectId) };
  }

  /**
   * Parses the kept raw mail again and publishes it: 200 with the Message-ID, the entry removed. 422 with the
   * reason when it still cannot be parsed (the entry stays, with that reason); 404 for an unknown id or a raw mail
   * the object store no longer has.
   */
  @Post(':id/retry')
  @RequireScope('config:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Parse the kept raw mail again and publish it' })
  @ApiParam({ name: 'id', description: '`<uidValidity>-<uid>`, as the list gives it', example: '1700000000-42' })
  @ApiOkResponse({ description: '`{ id, published, messageId, duplicate }`; the entry is removed' })
  @ApiBadRequestResponse({ description: 'The id is not `<uidValidity>-<uid>`' })
  @ApiNotFoundResponse({ description: 'No such entry, or its raw mail is no longer kept' })
  @ApiUnprocessableEntityResponse({ description: 'It still cannot be parsed (the entry stays, with the reason)' })
  async retry(
    @Param('projectId', ProjectIdPipe) projectId: string,
    @Param('id') id: string,
  ): Promise<{ id: string; published: true; messageId: string; duplicate: boolean }> {
    const parsedId = parseQuarantineId(id);
    if (!parsedId) throw new BadRequestException('id: must be <uidValidity>-<uid>, as the quarantine list gives it');
    const result = await this.retries.retry({ projectId, ...parsedId });
    switch (result.outcome) {
      case 'published':
        return { id, published: true, messageId: result.messageId, duplicate: result.duplicate };
      case 'failed':
        throw new UnprocessableEntityException(`The mail still cannot be parsed: ${result.reason}`);
      case 'raw-missing':
        throw new NotFoundException(`The raw mail ${result.entry.rawObjectKey} is no longer kept`);
      case 'not-found':
        throw new NotFoundException(`No quarantined mail ${id} in project ${projectId}`);
    }
  }
}
