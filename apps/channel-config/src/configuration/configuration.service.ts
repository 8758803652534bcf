import { Injectable } from '@nestjs/common';
import { ChannelConfigured, type ProjectConfigurationView } from '@ensoras/contracts';
import { ProjectChanges } from '../projects/project-changes.service.js';
import type { ProjectEntity } from '../projects/project.entity.js';

/** The project's global communication style, on top of which each channel's guidelines apply. */
@Injectable()
export class ConfigurationService {
  constructor(private readonly changes: ProjectChanges) {}

  async get(projectId: string): Promise<ProjectConfigurationView> {
    return configurationView((await this.changes.read(projectId)).project);
  }

  /**
   * The style is part of the channel-settings snapshot the AI responder reads, so a change is announced like a
   * channel change: ChannelConfigured with the new revision (the channel parts null when there is no channel yet).
   */
  async put(projectId: string, communicationStyle: string): Promise<ProjectConfigurationView> {
    const { project } = await this.changes.apply(projectId, (state) => {
      if (state.stored && state.project.configurationUpdatedAt && state.project.communicationStyle === communicationStyle) return null;
      state.project.communicationStyle = communicationStyle;
      state.project.configurationUpdatedAt = state.now;
      return { action: 'configuration.updated', changedFields: ['communicationStyle'], event: ChannelConfigured };
    });
    return configurationView(project);
  }
}

function configurationView(project: ProjectEntity): ProjectConfigurationView {
  return {
    projectId: project.projectId,
    communicationStyle: project.communicationStyle,
    updatedAt: project.configurationUpdatedAt?.toISOString() ?? null,
  };
}
