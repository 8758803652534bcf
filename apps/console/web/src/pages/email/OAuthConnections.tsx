import { Alert, Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { EmailChannelView, OAuthProvider } from '@ensoras/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, errorText } from '../../api.ts';
import { DateTime } from '../../components/common.tsx';

const PROVIDER_NAMES: Record<OAuthProvider, string> = { google: 'Google', microsoft: 'Microsoft' };

/** The providers the saved settings sign in with, IMAP's first. */
function providersInUse(channel: EmailChannelView | null): OAuthProvider[] {
  const used = [channel?.imap?.auth, channel?.smtp?.auth].flatMap((auth) => (auth?.type === 'oauth2' ? [auth.provider] : []));
  return [...new Set(used)];
}

/**
 * The OAuth2 grants of a channel whose saved settings sign in with OAuth2: which account is connected, whether its
 * access works, and a button that takes the browser to the provider's consent page (the callback stores the grant).
 */
export function OAuthConnections({ projectId, channel }: { projectId: string; channel: EmailChannelView | null }) {
  const providers = providersInUse(channel);
  const state = useQuery({ queryKey: ['oauth', projectId], queryFn: () => api.channel.oauth(projectId), enabled: providers.length > 0 });
  const start = useMutation({
    mutationFn: (provider: OAuthProvider) => api.channel.oauthStart(projectId, provider),
    onSuccess: ({ url }) => window.location.assign(url),
  });
  if (providers.length === 0) return null;

  return (
    <Paper withBorder p="md" my="md" component="section" aria-labelledby="oauth-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="oauth-title">
          OAuth2 connection
        </Title>
        {start.isError && (
          <Alert color="red" title="The consent could not be started">
            {errorText(start.error)}
          </Alert>
        )}
        {providers.map((provider) => {
          const name = PROVIDER_NAMES[provider];
          const connection = state.data?.connections.find((candidate) => candidate.provider === provider);
          const available = state.data?.available.includes(provider) ?? false;
          return (
            <Stack gap={4} key={provider}>
              <Group gap="sm">
                <Text fw={600}>{name}</Text>
                {!connection && <Badge color="gray">Not connected</Badge>}
                {connection?.state === 'revoked' && <Badge color="red">Revoked</Badge>}
                {connection?.state === 'connected' && <Badge color={connection.accessWorks ? 'green' : 'orange'}>{connection.accessWorks ? 'Connected' : 'Connected, access failing'}</Badge>}
              </Group>
              {connection && (
                <Text size="sm">
                  {connection.account || 'Account not named by the provider'} · connected <DateTime iso={connection.connectedAt} />
                  {connection.lastError ? ` · ${connection.lastError}` : ''}
                </Text>
              )}
              {state.isSuccess && !available && (
                <Text size="sm">This deployment has no {name} OAuth client: its administrator sets one up (see the README), or the project adds its own.</Text>
              )}
              <Group>
                <Button variant={connection?.state === 'connected' ? 'default' : 'filled'} disabled={!available} loading={start.isPending && start.variables === provider} onClick={() => start.mutate(provider)}>
                  {connection ? `Connect ${name} again` : `Connect with ${name}`}
                </Button>
              </Group>
            </Stack>
          );
        })}
      </Stack>
    </Paper>
  );
}
