import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProjectConfigurationDto, type ProjectConfigurationView } from '@ensoras/contracts';
import { ProjectIdPipe, RequireScope } from '@ensoras/runtime';
import { ConfigurationService } from './configuration.service.js';

@ApiTags('Configuration')
@Controller('v1/projects/:projectId/configuration')
export class ConfigurationController {
  constructor(private readonly configuration: ConfigurationService) {}

  /** An unknown project has the defaults: an empty style, never set (updatedAt null). */
  @Get()
  @RequireScope('config:read')
  @ApiOperation({ summary: "The project's communication style (an unknown project: empty, updatedAt null)" })
  @ApiOkResponse({ description: 'The configuration' })
  get(@Param('projectId', ProjectIdPipe) projectId: string): Promise<ProjectConfigurationView> {
    return this.configuration.get(projectId);
  }

  @Put()
  @RequireScope('config:write')
  @ApiOperation({ summary: "Set the project's communication style" })
  @ApiOkResponse({ description: 'The configuration as stored' })
  @ApiBadRequestResponse({ description: 'A field is invalid' })
  put(@Param('projectId', ProjectIdPipe) projectId: string, @Body() body: ProjectConfigurationDto): Promise<ProjectConfigurationView> {
    return this.configuration.put(projectId, body.communicationStyle);
  }
}
