import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SettingsSnapshotModule } from '../settings-snapshot/settings-snapshot.module.js';
import { ProjectChanges } from './project-changes.service.js';

@Module({ imports: [AuditModule, SettingsSnapshotModule], providers: [ProjectChanges], exports: [ProjectChanges] })
export class ProjectsModule {}
