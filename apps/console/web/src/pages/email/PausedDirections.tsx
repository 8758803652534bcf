import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import type { EmailChannelStatusView } from '@ensoras/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../../api.ts';
import { pausedDirections } from '../../channel-status.ts';
import { DateTime } from '../../components/common.tsx';

/**
 * What stopped logging in after repeated authentication failures, with the reason and a Resume button: one for the
 * channel, since resuming starts both directions again. Saving a fixed password in the form below resumes as well.
 */
export function PausedDirections({ projectId, status }: { projectId: string; status: EmailChannelStatusView | null | undefined }) {
  const queryClient = useQueryClient();
  const resume = useMutation({
    mutationFn: () => api.channel.resume(projectId),
    onSuccess: (view) => {
      queryClient.setQueryData(['channel', projectId], view);
      void queryClient.invalidateQueries({ queryKey: ['status', projectId] });
      void queryClient.invalidateQueries({ queryKey: ['audit', projectId] });
    },
  });
  const paused = pausedDirections(status);
  if (paused.length === 0) return null;

  return (
    <Alert color="orange" title={paused.length === 1 ? paused[0]!.title : 'Receiving and sending paused'} mb="md">
      <Stack gap="xs">
        {paused.map(({ direction, title, effect, pause }) => (
          <div key={direction}>
            {paused.length > 1 && (
              <Text size="sm" fw={600}>
                {title}
              </Text>
            )}
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {pause.reason}
            </Text>
            <Text size="sm" c="dimmed">
              {effect} Paused <DateTime iso={pause.pausedAt} /> after {pause.failures} failed logins.
            </Text>
          </div>
        ))}
        <Text size="sm">Fix the password (or the grant) and save it below, or fix it at the provider and resume.</Text>
        <Group gap="sm">
          <Button size="xs" onClick={() => resume.mutate()} loading={resume.isPending}>
            Resume
          </Button>
        </Group>
        {resume.isError && (
          <Text size="sm" c="red">
            The channel was not resumed: {errorText(resume.error)}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
