import { Code, Group, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { TableScroll } from '../components/TableScroll.tsx';
import { DateTime, ErrorAlert, Loading, PageTitle } from '../components/common.tsx';
import { actorLabel, AUDIT_ACTION_LABELS, SETTING_LABELS } from '../labels.ts';
import { useProjectId } from '../layout/ProjectLayout.tsx';

/**
 * The project's changes, newest first: when, by whom (the admin token, an API token by name, or the system itself, as
 * when passwords are re-sealed at start), what, which settings (never their values).
 */
export function AuditPage() {
  const projectId = useProjectId();
  const query = useQuery({ queryKey: ['audit', projectId], queryFn: () => api.channel.audit(projectId, 200) });
  return (
    <Stack gap="md">
      <PageTitle>Audit log</PageTitle>
      <Text>Changes of the email channel and the communication style, newest first. Values are not logged, passwords least of all.</Text>
      {query.isPending && <Loading />}
      {query.isError && <ErrorAlert error={query.error} title="The audit log could not be read" onRetry={() => void query.refetch()} />}
      {query.data &&
        (query.data.entries.length === 0 ? (
          <Text>No changes yet.</Text>
        ) : (
          <TableScroll label="Audit entries" minWidth={720}>
            <Table striped verticalSpacing="sm">
              <Table.Caption>Changes, newest first</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">By</Table.Th>
                  <Table.Th scope="col">Change</Table.Th>
                  <Table.Th scope="col">Settings changed</Table.Th>
                  <Table.Th scope="col">Revision</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data.entries.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td>
                      <DateTime iso={entry.at} />
                    </Table.Td>
                    <Table.Td title={entry.actor.kind === 'token' ? `Token id ${entry.actor.id}` : undefined}>{actorLabel(entry.actor)}</Table.Td>
                    <Table.Td>{AUDIT_ACTION_LABELS[entry.action] ?? entry.action}</Table.Td>
                    <Table.Td>
                      <Group gap={6}>
                        {entry.changedFields.map((path) => (
                          <Code key={path} title={path}>
                            {SETTING_LABELS[path] ?? path}
                          </Code>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>{entry.revision}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        ))}
    </Stack>
  );
}
