import { Alert, Paper } from '@mantine/core';
import { SwitchField } from '../../components/SwitchField.tsx';
import type { EmailChannelView } from '@ensoras/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../../api.ts';

/** The spec's toggle: on → enable, off → disable. A refusal (409 while IMAP, SMTP or identity is missing) is shown. */
export function EnableSwitch({ projectId, channel }: { projectId: string; channel: EmailChannelView | null }) {
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (enable: boolean) => (enable ? api.channel.enable(projectId) : api.channel.disable(projectId)),
    onSuccess: (view) => {
      queryClient.setQueryData(['channel', projectId], view);
      void queryClient.invalidateQueries({ queryKey: ['status', projectId] });
      void queryClient.invalidateQueries({ queryKey: ['audit', projectId] });
    },
  });
  const enabled = channel?.enabled ?? false;
  // While the request runs the switch shows what was asked; afterwards what the API says.
  const checked = toggle.isPending && toggle.variables !== undefined ? toggle.variables : enabled;

  return (
    <Paper withBorder p="md" mb="md">
      <SwitchField
        label="Email channel enabled"
        description="While on, new mail becomes tickets and is answered. It can be turned on once IMAP, SMTP and the sender identity are saved."
        checked={checked}
        disabled={toggle.isPending}
        onChange={(event) => toggle.mutate(event.currentTarget.checked)}
        size="md"
      />
      {toggle.isError && (
        <Alert color="red" title={toggle.variables ? 'The channel was not enabled' : 'The channel was not disabled'} mt="sm">
          {errorText(toggle.error)}
        </Alert>
      )}
    </Paper>
  );
}
