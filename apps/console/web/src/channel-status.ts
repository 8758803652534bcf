import type { DirectionPause, EmailChannelStatusView, MailDirection } from '@ensoras/contracts';

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

/** One paused direction as the page explains it. */
export interface PausedDirection {
  direction: MailDirection;
  title: string;
  /** What it means for the mail, in a sentence. */
  effect: string;
  pause: DirectionPause;
}

const PAUSE_TEXTS: Record<MailDirection, { title: string; effect: string }> = {
  imap: { title: 'Receiving paused (IMAP)', effect: 'New mail is not imported while the login fails.' },
  smtp: { title: 'Sending paused (SMTP)', effect: 'Replies are held, not lost: they are sent once sending resumes.' },
};

/**
 * The directions that stopped logging in after repeated authentication failures (status `paused`), IMAP first. Saving
 * a fixed password resumes them, and so does Resume (after fixing the password at the provider, for example).
 */
export function pausedDirections(status: EmailChannelStatusView | null | undefined): PausedDirection[] {
  if (!status?.paused) return [];
  return (['imap', 'smtp'] as const).flatMap((direction) => {
    const pause = status.paused[direction];
    return pause ? [{ direction, ...PAUSE_TEXTS[direction], pause }] : [];
  });
}

