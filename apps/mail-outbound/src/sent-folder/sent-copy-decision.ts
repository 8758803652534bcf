import { sentFolderOf, type ChannelSettingsSnapshot } from '@ensoras/contracts';
import { providerFilingSentMail } from '@ensoras/mail';

/**
 * Where the copy of a sent reply in the mailbox's Sent folder stands (delivery.sent_copy; null for mail not sent,
 * or sent before copies existed):
 * - `pending`: to be appended; the row keeps the exact bytes sent until then;
 * - `appended`: it is in the Sent folder (appended by us, or found there already);
 * - `skipped`: not wanted or not possible (the reason is kept): the setting is off, the provider files it itself,
 *   the channel has no IMAP settings, the mailbox has no Sent folder (marked \Sent or named as one);
 * - `failed`: attempts ran out (the last error is kept).
 */
export const SENT_COPY_STATES = ['pending', 'appended', 'skipped', 'failed'] as const;
export type SentCopyState = (typeof SENT_COPY_STATES)[number];

export type SentCopyPlan = { state: 'pending' } | { state: 'skipped'; reason: string };

/**
 * Whether a reply sent with these channel settings gets a copy in Sent. Asked when the send settles and again right
 * before appending, so a setting turned off (or a channel removed) meanwhile is respected.
 */
export function planSentCopy(settings: ChannelSettingsSnapshot | null | undefined): SentCopyPlan {
  if (!settings) return { state: 'skipped', reason: 'The project has no email channel any more.' };
  if (!settings.enabled) return { state: 'skipped', reason: 'The email channel was disabled before the copy was appended.' };
  if (!sentFolderOf(settings).append) return { state: 'skipped', reason: 'Turned off in the channel settings (sentFolder.append is false).' };
  if (!settings.imap) return { state: 'skipped', reason: 'The email channel has no IMAP settings, so there is no mailbox to append to.' };
  const provider = settings.smtp ? providerFilingSentMail(settings.smtp.host) : null;
  if (provider) return { state: 'skipped', reason: `${provider} files mail sent through ${settings.smtp!.host} in the Sent folder itself.` };
  return { state: 'pending' };
}

/** Appends a copy gets before it is given up on: the first retry after 5 s, the last about 7 hours after the send. */
export const MAX_SENT_COPY_ATTEMPTS = 8;
const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000];

export type AfterFailedAppend = { state: 'pending'; retryInMs: number } | { state: 'failed' };

/**
 * What follows a failed append, `attempts` counting this one. A transient failure (server down, timeout, a refused
 * login that a fixed password may cure) is retried with growing pauses; a permanent one (the stored password cannot
 * be opened here) and the last attempt fail the copy.
 */
export function afterFailedAppend(attempts: number, permanent: boolean): AfterFailedAppend {
  if (permanent || attempts >= MAX_SENT_COPY_ATTEMPTS) return { state: 'failed' };
  return { state: 'pending', retryInMs: RETRY_DELAYS_MS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1]! };
}
