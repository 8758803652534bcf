import type { DirectionPause, EmailChannelStatusView, MailboxStatusRecord } from '@ensoras/contracts';
import { currentPauses } from './channel-pauses.js';

/**
 * The channel's status as the admin reads it, from what mail-ingest last reported. A report made for an older
 * revision of the settings (the watcher has not restarted with the new ones yet, or the channel was just enabled)
 * says `connecting`, keeping its counts and last error. A pause reported for the current revision (channel.email.paused)
 * is shown per direction; an IMAP pause also makes the state `paused`, with its reason as the last error, whether or
 * not mail-ingest's own report says so yet.
 */
export function channelStatusView(
  projectId: string,
  channel: { enabled: boolean; revision: number; pauses?: { imap: DirectionPause | null; smtp: DirectionPause | null } },
  report: MailboxStatusRecord | null,
): EmailChannelStatusView {
  const paused = currentPauses(channel.pauses ?? { imap: null, smtp: null }, channel.revision);
  const imapPause = channel.enabled ? paused.imap : null;
  const state = !channel.enabled ? 'disabled' : imapPause ? 'paused' : !report || report.revision < channel.revision ? 'connecting' : report.state;
  return {
    projectId,
    enabled: channel.enabled,
    state,
    imported: report?.imported ?? 0,
    total: report?.total ?? 0,
    lastError: imapPause ? imapPause.reason : (report?.lastError ?? null),
    lastErrorAt: imapPause ? imapPause.pausedAt : (report?.lastErrorAt ?? null),
    lastImportAt: report?.lastImportAt ?? null,
    updatedAt: report?.updatedAt ?? null,
    paused,
  };
}
