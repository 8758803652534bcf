import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import type { TicketStatus } from '@ensoras/contracts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { TableScroll } from '../components/TableScroll.tsx';
import { DateTime, ErrorAlert, Loading, PageTitle, Pager, TicketStatusBadge } from '../components/common.tsx';
import { usePager } from '../components/usePager.ts';
import { formatAddress, isTicketStatus, TICKET_STATUS_OPTIONS } from '../labels.ts';
import { useProjectId } from '../layout/ProjectLayout.tsx';
import { projectPath } from '../projects.ts';

const ALL = 'all';
const STATUS_FILTER = [{ value: ALL, label: 'All' }, ...TICKET_STATUS_OPTIONS];

/** Tickets newest first, filtered by status (kept in the address as ?status=), a page of 25 at a time. */
export function InboxPage() {
  const projectId = useProjectId();
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const status: TicketStatus | null = isTicketStatus(statusParam) ? statusParam : null;
  const pager = usePager();
  const { reset } = pager;

  useEffect(() => reset(), [projectId, status, reset]);

  const query = useQuery({
    queryKey: ['tickets', projectId, status, pager.cursor],
    queryFn: () => api.tickets.list(projectId, { status, cursor: pager.cursor }),
    placeholderData: keepPreviousData,
    // New mail shows up without a reload.
    refetchInterval: 5_000,
  });

  return (
    <Stack gap="md">
      <PageTitle>Inbox</PageTitle>
      <Group align="flex-end">
        <Select
          label="Status"
          data={STATUS_FILTER}
          value={status ?? ALL}
          onChange={(value) => {
            const next = new URLSearchParams(params);
            if (!value || value === ALL) next.delete('status');
            else next.set('status', value);
            setParams(next, { replace: true });
          }}
          allowDeselect={false}
          w={220}
        />
      </Group>
      {query.isPending && <Loading what="Loading tickets…" />}
      {query.isError && <ErrorAlert error={query.error} title="The tickets could not be read" onRetry={() => void query.refetch()} />}
      {query.data && (
        <>
          {query.data.items.length === 0 ? (
            <Text>{pager.page === 0 ? (status ? 'No tickets with this status.' : 'No tickets yet: mail that arrives becomes a ticket here.') : 'No more tickets.'}</Text>
          ) : (
            <TableScroll label="Tickets" minWidth={640}>
              <Table striped highlightOnHover verticalSpacing="sm">
                <Table.Caption>Tickets, newest first</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Subject</Table.Th>
                    <Table.Th scope="col">Customer</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Messages</Table.Th>
                    <Table.Th scope="col">Updated</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {query.data.items.map((ticket) => (
                    <Table.Tr key={ticket.id}>
                      <Table.Td>
                        <Anchor component={Link} to={projectPath(projectId, `inbox/${encodeURIComponent(ticket.id)}`)} fw={500}>
                          {ticket.subject.trim() || '(no subject)'}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{formatAddress(ticket.customer)}</Table.Td>
                      <Table.Td>
                        <TicketStatusBadge status={ticket.status} />
                      </Table.Td>
                      <Table.Td>{ticket.messageCount}</Table.Td>
                      <Table.Td>
                        <DateTime iso={ticket.updatedAt} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
          )}
          <Pager
            page={pager.page}
            hasNext={query.data.nextCursor !== null}
            onPrevious={pager.previous}
            onNext={() => pager.next(query.data.nextCursor)}
            busy={query.isFetching && query.isPlaceholderData}
          />
        </>
      )}
    </Stack>
  );
}
