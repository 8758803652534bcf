import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ProjectConfigurationDto, type ProjectConfigurationView } from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { ConfigurationService } from './configuration.service.js';

@Controller('v1/projects/:projectId/configuration')
export class ConfigurationController {
  constructor(private readonly configuration: ConfigurationService) {}

  /** An unknown project has the defaults: an empty style, never set (updatedAt null). */
  @Get()
  @RequireScope('config:read')
  get(@Param('projectId', ProjectIdPipe) projectId: string): Promise<ProjectConfigurationView> {
    return this.configuration.get(projectId);
  }

  @Put()
  @RequireScope('config:write')
  put(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: ProjectConfigurationDto): Promise<ProjectConfigurationView> {
    return this.configuration.put(projectId, body.communicationStyle);
  }
}
