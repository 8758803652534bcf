import { Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/common.tsx';
import { useProjectId } from '../../layout/ProjectLayout.tsx';
import { ChannelForm } from './ChannelForm.tsx';
import { EnableSwitch } from './EnableSwitch.tsx';
import { OAuthConnections } from './OAuthConnections.tsx';
import { PausedDirections } from './PausedDirections.tsx';
import { StatusBanner } from './StatusBanner.tsx';

/** Channels > Email: status, the toggle, every setting, Test Connection. */
export function EmailChannelPage() {
  const projectId = useProjectId();
  const channel = useQuery({
    queryKey: ['channel', projectId],
    queryFn: () => api.channel.get(projectId),
    // The form holds the edits: the settings are read once, and again after each change made here.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const status = useQuery({
    queryKey: ['status', projectId],
    queryFn: () => api.channel.status(projectId),
    refetchInterval: 5_000,
  });

  return (
    <Stack gap={0} maw={1200}>
      <PageTitle>Email</PageTitle>
      <StatusBanner status={status.data} loading={status.isPending} />
      <PausedDirections projectId={projectId} status={status.data} />
      {status.isError && <ErrorAlert error={status.error} title="The channel status could not be read" />}
      {channel.isPending && <Loading what="Loading the channel settings…" />}
      {channel.isError && <ErrorAlert error={channel.error} title="The channel settings could not be read" onRetry={() => void channel.refetch()} />}
      {channel.isSuccess && (
        <>
          <EnableSwitch projectId={projectId} channel={channel.data} />
          <OAuthConnections projectId={projectId} channel={channel.data} />
          <ChannelForm key={projectId} projectId={projectId} channel={channel.data} />
        </>
      )}
    </Stack>
  );
}
