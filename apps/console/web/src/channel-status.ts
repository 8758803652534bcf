import type { EmailChannelStatusView } from '@ensoras/contracts';

export type StatusTone = 'ok' | 'busy' | 'error' | 'off';

/** The banner's line for the channel's status (GET …/channels/email/status); null: never configured. */
export function channelStatusLine(status: EmailChannelStatusView | null): { text: string; tone: StatusTone } {
  if (!status) return { text: 'Not configured', tone: 'off' };
  const error = status.lastError?.trim() || 'no reason reported';
  switch (status.state) {
    case 'disabled':
      return { text: 'Disabled', tone: 'off' };
    case 'connecting':
      return { text: 'Connecting', tone: 'busy' };
    case 'backfilling':
      return { text: `Importing history: ${status.imported} of ${status.total}`, tone: 'busy' };
    case 'watching':
      return { text: 'Watching', tone: 'ok' };
    case 'failing':
      return { text: `Failing: ${error}`, tone: 'error' };
    case 'paused':
      return { text: `Paused: ${error}`, tone: 'error' };
    default:
      return { text: String(status.state), tone: 'busy' };
  }
}
