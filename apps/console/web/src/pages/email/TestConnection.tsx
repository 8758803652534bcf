import { Alert, Box, Stack, Text } from '@mantine/core';
import type { ConnectionCheck, EmailChannelView, TestConnectionResult } from '@ensoras/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, errorText } from '../../api.ts';
import { formatDateTime } from '../../labels.ts';

/** Test Connection: the API tests the saved settings (it takes no body). */
export function useConnectionTest(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.channel.testConnection(projectId),
    // The channel view keeps the last result's summary.
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['channel', projectId] }),
  });
}

type ConnectionTest = ReturnType<typeof useConnectionTest>;

/** The region "Test Connection result": one line per direction, with the API's hint; or the last run's summary. */
export function TestConnectionResultView({ test, channel }: { test: ConnectionTest; channel: EmailChannelView | null }) {
  const region = useRef<HTMLElement>(null);
  const last = channel?.lastConnectionTest;
  const shown = test.isPending || test.isSuccess || test.isError;

  // The button sits in the bar at the bottom of the screen: bring the answer into view.
  useEffect(() => {
    if (test.isSuccess || test.isError) region.current?.scrollIntoView({ block: 'nearest' });
  }, [test.isSuccess, test.isError, test.data]);

  if (!shown) {
    return last ? (
      <Text size="sm" c="dimmed">
        Last Test Connection {formatDateTime(last.testedAt)}: incoming {last.imap.ok ? 'OK' : `failed (${last.imap.code ?? 'error'})`},
        outgoing {last.smtp.ok ? 'OK' : `failed (${last.smtp.code ?? 'error'})`}.
      </Text>
    ) : null;
  }
  return (
    <Box component="section" aria-label="Test Connection result" aria-busy={test.isPending} ref={region}>
      {test.isPending && <Text size="sm">Testing the saved settings: logging in to IMAP and SMTP…</Text>}
      {test.isError && (
        <Alert color="red" title="Test Connection did not run">
          {errorText(test.error)}
        </Alert>
      )}
      {test.data && !test.isPending && <Result result={test.data} />}
    </Box>
  );
}

function Result({ result }: { result: TestConnectionResult }) {
  return (
    <Stack gap="sm">
      <Line name="Incoming (IMAP)" check={result.imap} />
      <Line name="Outgoing (SMTP)" check={result.smtp} />
    </Stack>
  );
}

function Line({ name, check }: { name: string; check: ConnectionCheck }) {
  const color = check.ok ? 'var(--mantine-color-green-8)' : 'var(--mantine-color-red-9)';
  return (
    <Box pl="sm" style={{ borderLeft: `4px solid ${color}` }}>
      <Text fw={600}>{check.ok ? `${name}: OK` : `${name}: failed – ${check.error?.message ?? 'unknown error'}`}</Text>
      {!check.ok && check.error?.hint && <Text size="sm">{check.error.hint}</Text>}
    </Box>
  );
}
