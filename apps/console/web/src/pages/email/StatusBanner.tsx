import { Box, Group, Paper, Text } from '@mantine/core';
import type { EmailChannelStatusView } from '@ensoras/contracts';
import { channelStatusLine, type StatusTone } from '../../channel-status.ts';
import { DateTime } from '../../components/common.tsx';

const TONE_COLORS: Record<StatusTone, string> = {
  ok: 'var(--mantine-color-green-8)',
  busy: 'var(--mantine-color-blue-8)',
  error: 'var(--mantine-color-red-9)',
  off: 'var(--mantine-color-gray-6)',
};

/** What the mailbox is doing, from the status route; the line itself is a live region (role="status"). */
export function StatusBanner({ status, loading }: { status: EmailChannelStatusView | null | undefined; loading: boolean }) {
  const line =
    status !== undefined ? channelStatusLine(status) : loading ? null : { text: 'Unknown: the status could not be read', tone: 'off' as const };
  return (
    <Paper withBorder p="sm" mb="md" style={{ borderLeft: `6px solid ${line ? TONE_COLORS[line.tone] : TONE_COLORS.off}` }}>
      <Group gap="xs" wrap="nowrap" align="baseline">
        <Text size="sm" fw={700} style={{ flexShrink: 0 }}>
          Channel status:
        </Text>
        <Text role="status" aria-live="polite" fw={600} style={{ overflowWrap: 'anywhere' }}>
          {line ? line.text : 'Checking…'}
        </Text>
      </Group>
      {status && (status.lastImportAt || (status.lastErrorAt && !saysError(status))) && (
        <Box mt={4}>
          <Text size="sm" c="dimmed">
            {status.lastImportAt && (
              <>
                Last mail imported <DateTime iso={status.lastImportAt} />.{' '}
              </>
            )}
            {status.lastErrorAt && !saysError(status) && status.lastError && (
              <>
                Last error <DateTime iso={status.lastErrorAt} />: {status.lastError}
              </>
            )}
          </Text>
        </Box>
      )}
    </Paper>
  );
}

/** The line itself gives the error already (failing, paused): not repeated below it. */
function saysError(status: EmailChannelStatusView): boolean {
  return status.state === 'failing' || status.state === 'paused';
}
