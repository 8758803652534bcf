import { Badge, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../api.ts';
import { TableScroll } from '../components/TableScroll.tsx';
import { DateTime, ErrorAlert, Loading, PageTitle, Pager } from '../components/common.tsx';
import { usePager } from '../components/usePager.ts';
import { formatAddress, MAIL_KIND_LABELS } from '../labels.ts';
import { useProjectId } from '../layout/ProjectLayout.tsx';

/** Received mail that opened no ticket: our own mail, machine mail about nothing we know. Newest first. */
export function UnattachedPage() {
  const projectId = useProjectId();
  const pager = usePager();
  const { reset } = pager;
  useEffect(() => reset(), [projectId, reset]);
  const query = useQuery({
    queryKey: ['unattached', projectId, pager.cursor],
    queryFn: () => api.unattached.list(projectId, { cursor: pager.cursor }),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack gap="md">
      <PageTitle>Unattached mail</PageTitle>
      <Text>Mail that arrived in the mailbox but belongs to no ticket: bounces and auto-replies about nothing we sent, and our own mail.</Text>
      {query.isPending && <Loading />}
      {query.isError && <ErrorAlert error={query.error} title="The unattached mail could not be read" onRetry={() => void query.refetch()} />}
      {query.data &&
        (query.data.items.length === 0 && pager.page === 0 ? (
          <Text>No unattached mail.</Text>
        ) : (
          <>
            <TableScroll label="Unattached mail list" minWidth={720}>
              <Table striped verticalSpacing="sm">
                <Table.Caption>Unattached mail, newest first</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Received</Table.Th>
                    <Table.Th scope="col">Kind</Table.Th>
                    <Table.Th scope="col">From</Table.Th>
                    <Table.Th scope="col">Subject</Table.Th>
                    <Table.Th scope="col">Why it is here</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {query.data.items.map((mail) => (
                    <Table.Tr key={mail.id}>
                      <Table.Td>
                        <DateTime iso={mail.receivedAt} />
                      </Table.Td>
                      <Table.Td>
                        <Badge color="grape">{MAIL_KIND_LABELS[mail.kind] ?? mail.kind}</Badge>
                      </Table.Td>
                      <Table.Td>{formatAddress(mail.from)}</Table.Td>
                      <Table.Td>{mail.subject.trim() || '(no subject)'}</Table.Td>
                      <Table.Td>
                        {mail.reason}
                        {mail.bounce?.diagnostic ? ` (${mail.bounce.diagnostic})` : ''}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
            <Pager
              page={pager.page}
              hasNext={query.data.nextCursor !== null}
              onPrevious={pager.previous}
              onNext={() => pager.next(query.data.nextCursor)}
              busy={query.isFetching && query.isPlaceholderData}
            />
          </>
        ))}
    </Stack>
  );
}
