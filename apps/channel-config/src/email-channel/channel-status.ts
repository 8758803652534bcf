import type { EmailChannelStatusView, MailboxStatusRecord } from '@ensoras/contracts';

/**
 * The channel's status as the admin reads it, from what mail-ingest last reported. A report made for an older
 * revision of the settings (the watcher has not restarted with the new ones yet, or the channel was just enabled)
 * says `connecting`, keeping its counts and last error.
 */
export function channelStatusView(
  projectId: string,
  channel: { enabled: boolean; revision: number },
  report: MailboxStatusRecord | null,
): EmailChannelStatusView {
  const state = !channel.enabled ? 'disabled' : !report || report.revision < channel.revision ? 'connecting' : report.state;
  return {
    projectId,
    enabled: channel.enabled,
    state,
    imported: report?.imported ?? 0,
    total: report?.total ?? 0,
    lastError: report?.lastError ?? null,
    lastErrorAt: report?.lastErrorAt ?? null,
    lastImportAt: report?.lastImportAt ?? null,
    updatedAt: report?.updatedAt ?? null,
  };
}
