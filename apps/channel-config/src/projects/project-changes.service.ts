import { Injectable } from '@nestjs/common';
import { createEnvelope, type ChannelChangedPayload, type ChannelSettingsSnapshot, type EventDefinition, type EventEnvelope } from '@ensoras/contracts';
import { Outbox } from '@ensoras/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog } from '../audit/audit-log.service.js';
import type { AuditAction } from '@ensoras/contracts';
import { EmailChannelEntity } from '../email-channel/email-channel.entity.js';
import { channelChangedPayload, channelSettingsSnapshot } from '../settings-snapshot/channel-settings-snapshot.js';
import { ChannelSettingsSync } from '../settings-snapshot/channel-settings.sync.js';
import { ProjectEntity } from './project.entity.js';

/** A project's settings as one change sees them; `project` is a fresh, unsaved row when the project is new. */
export interface ProjectState {
  project: ProjectEntity;
  channel: EmailChannelEntity | null;
  /** The time of this change, the same for every timestamp it sets. */
  now: Date;
  /** Whether the project row exists in the database. */
  stored: boolean;
}

export interface ProjectChange {
  action: AuditAction;
  changedFields: string[];
  /** The channel event to publish; none for a change the other services see only in the KV snapshot. */
  event: EventDefinition<ChannelChangedPayload> | null;
  /** Another event of the change, built once its revision is known (e.g. channel.email.resumed). */
  alsoAnnounce?: (revision: number, now: Date) => EventEnvelope;
}

/**
 * The one way a project's settings change. In one transaction, serialised per project: the change itself, the
 * revision bump, the audit entry and the outbox event; after the commit, the KV snapshot. A change that turns out
 * to change nothing writes nothing (no revision, no event), and a change that throws stores nothing at all.
 *
 * Every new revision also clears the channel's pauses (channel.email.paused): mail-ingest and mail-outbound start
 * over with any new revision, so a pause reported for an older one no longer holds, whatever the change was.
 */
@Injectable()
export class ProjectChanges {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly audit: AuditLog,
    private readonly settingsSync: ChannelSettingsSync,
  ) {}

  /**
   * `decide` mutates the entities of `state` in memory (creating `state.channel` when needed) and says what changed,
   * or null when nothing did. It must not write to the database itself.
   */
  async apply(projectId: string, decide: (state: ProjectState) => Promise<ProjectChange | null> | ProjectChange | null): Promise<ProjectState> {
    const outcome = await this.outbox.transaction(async (manager, enqueue) => {
      const state = await lockedState(manager, projectId);
      const change = await decide(state);
      if (!change) return { state, snapshot: null };

      state.project.revision += 1;
      state.project.updatedAt = state.now;
      if (state.channel) {
        state.channel.imapPause = null;
        state.channel.smtpPause = null;
      }
      await manager.save(ProjectEntity, state.project);
      if (state.channel) await manager.save(EmailChannelEntity, state.channel);
      await this.audit.record(manager, {
        projectId,
        action: change.action,
        changedFields: change.changedFields,
        revision: state.project.revision,
        at: state.now,
      });
      const snapshot = channelSettingsSnapshot(state.project, state.channel);
      if (change.event) await enqueue(createEnvelope(change.event, projectId, channelChangedPayload(snapshot)));
      if (change.alsoAnnounce) await enqueue(change.alsoAnnounce(state.project.revision, state.now));
      return { state: { ...state, stored: true }, snapshot };
    });
    if (outcome.snapshot) await this.afterCommit(outcome.snapshot);
    return outcome.state;
  }

  /**
   * Serialises with `apply` on the same project, for writes that are not settings changes (no revision, no event),
   * such as recording a Test Connection result.
   */
  withProjectLocked<T>(projectId: string, work: (manager: EntityManager, state: ProjectState) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => work(manager, await lockedState(manager, projectId)));
  }

  /** Reads without locking, for GET. */
  async read(projectId: string): Promise<Omit<ProjectState, 'now'>> {
    const project = await this.dataSource.manager.findOneBy(ProjectEntity, { projectId });
    const channel = project ? await this.dataSource.manager.findOneBy(EmailChannelEntity, { projectId }) : null;
    return { project: project ?? newProject(this.dataSource.manager, projectId, null), channel, stored: project !== null };
  }

  private async afterCommit(snapshot: ChannelSettingsSnapshot): Promise<void> {
    await this.settingsSync.publish(snapshot);
  }
}

async function lockedState(manager: EntityManager, projectId: string): Promise<ProjectState> {
  // A transaction-scoped advisory lock works before the project row exists, and storing nothing on a failed
  // change means not creating that row just to lock it.
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`channel_config.project:${projectId}`]);
  const now = new Date();
  const project = await manager.findOneBy(ProjectEntity, { projectId });
  const channel = project ? await manager.findOneBy(EmailChannelEntity, { projectId }) : null;
  return { project: project ?? newProject(manager, projectId, now), channel, now, stored: project !== null };
}

function newProject(manager: EntityManager, projectId: string, now: Date | null): ProjectEntity {
  return manager.create(ProjectEntity, {
    projectId,
    revision: 0,
    communicationStyle: '',
    configurationUpdatedAt: null,
    updatedAt: now ?? new Date(0),
  });
}
