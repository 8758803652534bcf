import { BadRequestException, Controller, Get, Param, UseGuards } from '@nestjs/common';
import { PROJECT_ID_PATTERN } from '@ensoras/contracts';
import { AdminTokenGuard } from '@ensoras/runtime';
import { QuarantineStore, type QuarantineEntry } from './quarantine.store.js';

/** Lets an admin see which mail of a project could not be imported, and where its raw bytes are. */
@Controller('v1/projects/:projectId/quarantine')
@UseGuards(AdminTokenGuard)
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineStore) {}

  @Get()
  async list(@Param('projectId') projectId: string): Promise<{ projectId: string; items: QuarantineEntry[] }> {
    if (!PROJECT_ID_PATTERN.test(projectId)) throw new BadRequestException('projectId: must be 1-64 letters, digits, - or _');
    return { projectId, items: await this.quarantine.list(projectId) };
  }
}
