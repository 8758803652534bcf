import { Alert, Badge, Button, Group, Loader, Text, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { errorText } from '../api.ts';
import { formatDateTime, ticketStatusLabel, TICKET_STATUS_COLORS } from '../labels.ts';
import type { TicketStatus } from '@ensoras/contracts';

/** The page's one h1, and the tab's title. */
export function PageTitle({ children, title }: { children: ReactNode; title?: string }) {
  const text = title ?? (typeof children === 'string' ? children : '');
  useEffect(() => {
    document.title = text ? `${text} · Ensoras console` : 'Ensoras console';
  }, [text]);
  return (
    <Title order={1} size="h2" mb="md">
      {children}
    </Title>
  );
}

export function Loading({ what = 'Loading…' }: { what?: string }) {
  return (
    <Group gap="xs" my="md">
      <Loader size="sm" aria-hidden />
      <Text size="sm">{what}</Text>
    </Group>
  );
}

export function ErrorAlert({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  return (
    <Alert color="red" title={title} my="md">
      <Text size="sm">{errorText(error)}</Text>
      {onRetry && (
        <Button variant="default" size="xs" mt="sm" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  );
}

export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  return <Badge color={TICKET_STATUS_COLORS[status] ?? 'gray'}>{ticketStatusLabel(status)}</Badge>;
}

export function DateTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>–</span>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

/** Keyset paging: the API gives the next page's cursor; the previous pages' cursors are kept here. */
export function Pager({
  page,
  hasNext,
  onPrevious,
  onNext,
  busy,
}: {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  busy?: boolean;
}) {
  return (
    <Group justify="space-between" mt="md">
      <Button variant="default" onClick={onPrevious} disabled={page === 0 || busy}>
        Previous page
      </Button>
      <Text size="sm">Page {page + 1}</Text>
      <Button variant="default" onClick={onNext} disabled={!hasNext || busy}>
        Next page
      </Button>
    </Group>
  );
}
