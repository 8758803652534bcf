import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../api.ts';
import { DateTime, ErrorAlert, Loading, PageTitle } from '../components/common.tsx';
import { fieldErrorsOf } from '../field-errors.ts';
import { useProjectId } from '../layout/ProjectLayout.tsx';

const MAX_STYLE_LENGTH = 10_000;

/** The project's global communication style; each channel's guidelines apply on top of it. */
export function ConfigurationPage() {
  const projectId = useProjectId();
  const query = useQuery({
    queryKey: ['configuration', projectId],
    queryFn: () => api.configuration.get(projectId),
    refetchOnWindowFocus: false,
  });
  return (
    <Stack maw={800}>
      <PageTitle>Configuration</PageTitle>
      {query.isPending && <Loading />}
      {query.isError && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {query.data && <StyleForm key={projectId} projectId={projectId} initial={query.data.communicationStyle} updatedAt={query.data.updatedAt} />}
    </Stack>
  );
}

function StyleForm({ projectId, initial, updatedAt }: { projectId: string; initial: string; updatedAt: string | null }) {
  const queryClient = useQueryClient();
  const [style, setStyle] = useState(initial);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (communicationStyle: string) => api.configuration.put(projectId, communicationStyle),
    onSuccess: (view) => {
      setSaved(true);
      queryClient.setQueryData(['configuration', projectId], view);
      void queryClient.invalidateQueries({ queryKey: ['audit', projectId] });
    },
  });
  const errors = save.error instanceof ApiError && save.error.status === 400 ? fieldErrorsOf(save.error.messages, ['communicationStyle']) : null;
  const general = save.error && !errors ? [errorText(save.error)] : (errors?.general ?? []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save.mutate(style);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text>
          How Ensoras writes to your customers, on every channel. Each channel&apos;s own guidelines (Channels &gt; Email
          &gt; Ensoras Guidelines) are applied on top of it.
        </Text>
        {general.length > 0 && (
          <Alert color="red" title="Not saved">
            {general.join(' ')}
          </Alert>
        )}
        {saved && !save.isPending && (
          <Alert color="green" title="Saved">
            The communication style was saved.
          </Alert>
        )}
        <Textarea
          label="Communication style"
          description="For example: Warm and concise. Address customers by their first name."
          value={style}
          onChange={(event) => {
            setStyle(event.currentTarget.value);
            setSaved(false);
          }}
          error={errors?.fields.communicationStyle}
          autosize
          minRows={6}
          maxRows={20}
          maxLength={MAX_STYLE_LENGTH}
        />
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {updatedAt ? (
              <>
                Last saved <DateTime iso={updatedAt} />
              </>
            ) : (
              'Never saved: the style is empty.'
            )}
          </Text>
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
