/** The window of the project-wide cap: a fixed hour, whatever the channel's loop window. */
export const PROJECT_CAP_WINDOW_MINUTES = 60;

/**
 * Why the AI must not write another reply in this project now, or null while it may. The loop limits stop one
 * conversation or one address; this stops a flood of them (mail from thousands of forged senders, a mailbox
 * imported at once), so that what the AI writes and sends from the tenant's server per hour has a ceiling. At the
 * cap, further tickets go to a human, who sees the reason.
 */
export function projectCapReached(repliesInLastHour: number, maxAiRepliesPerHour: number): string | null {
  if (repliesInLastHour < maxAiRepliesPerHour) return null;
  return `AI reply cap of the project reached: ${repliesInLastHour} replies within the last hour (limit ${maxAiRepliesPerHour} per hour)`;
}
