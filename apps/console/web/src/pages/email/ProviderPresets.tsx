import { Alert, Anchor, Group, Select, Text } from '@mantine/core';
import type { EmailProviderPreset } from '@ensoras/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';

const SIGN_IN_TITLES: Record<EmailProviderPreset['signIn'], string> = {
  password: 'Sign in with the account password',
  app_password: 'Use an app password',
  oauth2: 'Connect with OAuth2',
  app_password_or_oauth2: 'Use an app password, or connect with OAuth2',
};

/**
 * Fills the servers of a well-known provider (GET /v1/presets/email) and says what the provider wants before a mail
 * client may log in. Saves nothing; without the route (an older channel-config) it shows nothing.
 */
export function ProviderPresets({ onPick }: { onPick: (preset: EmailProviderPreset) => void }) {
  const presets = useQuery({ queryKey: ['presets'], queryFn: api.presets, staleTime: Infinity, retry: false });
  const [picked, setPicked] = useState<EmailProviderPreset | null>(null);
  const list = presets.data?.presets ?? [];
  if (list.length === 0) return null;

  return (
    <>
      <Group align="flex-end">
        <Select
          label="Provider"
          description="Fills in the IMAP and SMTP servers of a well-known provider."
          placeholder="Choose a provider"
          data={list.map(({ id, name }) => ({ value: id, label: name }))}
          value={picked?.id ?? null}
          onChange={(id) => {
            const preset = list.find((candidate) => candidate.id === id) ?? null;
            setPicked(preset);
            if (preset) onPick(preset);
          }}
          allowDeselect={false}
          w={300}
        />
      </Group>
      {picked && (
        <Alert color="blue" title={`${picked.name}: ${SIGN_IN_TITLES[picked.signIn]}`} withCloseButton onClose={() => setPicked(null)} closeButtonLabel="Hide the provider hint">
          <Text size="sm">{picked.setup}</Text>
          <Text size="sm">Username: {picked.username}.</Text>
          <Anchor size="sm" c="blue.9" underline="always" href={picked.helpUrl} target="_blank" rel="noreferrer">
            {picked.name} help page
          </Anchor>
        </Alert>
      )}
    </>
  );
}
