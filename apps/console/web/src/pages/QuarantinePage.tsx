import { Alert, Button, Code, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorText } from '../api.ts';
import { TableScroll } from '../components/TableScroll.tsx';
import { DateTime, ErrorAlert, Loading, PageTitle } from '../components/common.tsx';
import { useProjectId } from '../layout/ProjectLayout.tsx';

/** Mail that could not be imported, with the reason; an admin can have it parsed again. */
export function QuarantinePage() {
  const projectId = useProjectId();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['quarantine', projectId], queryFn: () => api.quarantine.list(projectId) });
  const retry = useMutation({
    mutationFn: (id: string) => api.quarantine.retry(projectId, id),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['quarantine', projectId] }),
  });
  return (
    <Stack gap="md">
      <PageTitle>Quarantine</PageTitle>
      <Text>Mail of this project&apos;s mailbox that could not be imported. Its raw bytes are kept; Retry parses it again.</Text>
      {retry.isError && (
        <Alert color="red" title="Still not imported">
          {errorText(retry.error)}
        </Alert>
      )}
      {retry.isSuccess && (
        <Alert color="green" title="Imported">
          Mail {retry.data.id} was imported{retry.data.duplicate ? ' (it had been imported before)' : ''}.
        </Alert>
      )}
      {query.isPending && <Loading />}
      {query.isError && <ErrorAlert error={query.error} title="The quarantine could not be read" onRetry={() => void query.refetch()} />}
      {query.data === null && (
        <Alert color="gray" title="Not available">
          mail-ingest offers its admin routes only with ADMIN_TOKEN set.
        </Alert>
      )}
      {query.data &&
        (query.data.items.length === 0 ? (
          <Text>Nothing in quarantine.</Text>
        ) : (
          <TableScroll label="Quarantined mail" minWidth={720}>
            <Table striped verticalSpacing="sm">
              <Table.Caption>Quarantined mail</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Quarantined</Table.Th>
                  <Table.Th scope="col">Mail</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col">Raw mail</Table.Th>
                  <Table.Th scope="col">
                    <span className="visually-hidden-text">Action</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data.items.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td>
                      <DateTime iso={entry.createdAt} />
                    </Table.Td>
                    <Table.Td>{entry.id}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{entry.reason}</Table.Td>
                    <Table.Td>
                      <Code>{entry.rawObjectKey}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`Retry mail ${entry.id}`}
                        onClick={() => retry.mutate(entry.id)}
                        loading={retry.isPending && retry.variables === entry.id}
                      >
                        Retry
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        ))}
    </Stack>
  );
}
