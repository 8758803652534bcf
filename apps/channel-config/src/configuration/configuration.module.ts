import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module.js';
import { ConfigurationController } from './configuration.controller.js';
import { ConfigurationService } from './configuration.service.js';

@Module({ imports: [ProjectsModule], controllers: [ConfigurationController], providers: [ConfigurationService] })
export class ConfigurationModule {}
