import { Alert, Anchor, Badge, Box, Button, Group, List, Paper, Stack, Text, Textarea } from '@mantine/core';
import type { TicketMessageView } from '@ensoras/contracts';
import { useMutation } from '@tanstack/react-query';
import { useState, type MouseEvent } from 'react';
import { api, downloadAttachment, errorText } from '../../api.ts';
import { DateTime } from '../../components/common.tsx';
import {
  authorLabel,
  DELIVERY_STATUS_COLORS,
  DELIVERY_STATUS_LABELS,
  directionLabel,
  formatAddress,
  formatBytes,
  MAIL_KIND_LABELS,
} from '../../labels.ts';

/** One message of the thread: who, which way, when, its kind and delivery, text, attachments, sources, draft actions. */
export function MessageItem({
  projectId,
  ticketId,
  message,
  onChanged,
}: {
  projectId: string;
  ticketId: string;
  message: TicketMessageView;
  onChanged: () => Promise<void>;
}) {
  const author = authorLabel(message.author, message.kind);
  const isDraft = message.deliveryStatus === 'draft';
  return (
    <Paper
      component="li"
      withBorder
      p="md"
      style={{
        borderLeft: `6px solid ${message.direction === 'inbound' ? 'var(--mantine-color-gray-5)' : 'var(--mantine-color-blue-8)'}`,
      }}
    >
      <Stack gap="xs">
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Group gap="xs" wrap="wrap">
            {/* The spaces between the parts keep the words apart in the text (e.g. "AI Outgoing", not "AIOutgoing"). */}
            <Text component="h3" fw={700} size="md" m={0}>
              {author}
            </Text>{' '}
            <Text size="sm">{directionLabel(message.direction)}</Text>{' '}
            {message.kind !== 'normal' && <Badge color="grape">{MAIL_KIND_LABELS[message.kind] ?? message.kind}</Badge>}{' '}
            {message.deliveryStatus !== 'received' && (
              <Badge color={DELIVERY_STATUS_COLORS[message.deliveryStatus] ?? 'gray'}>
                {DELIVERY_STATUS_LABELS[message.deliveryStatus] ?? message.deliveryStatus}
              </Badge>
            )}
          </Group>{' '}
          <Text size="sm">
            <DateTime iso={message.date ?? message.createdAt} />
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          {message.from ? `From ${formatAddress(message.from)}` : null}
          {message.from && message.to.length > 0 ? ' · ' : null}
          {message.to.length > 0 ? `To ${message.to.map(formatAddress).join(', ')}` : null}
        </Text>
        {message.kindReasons.length > 0 && message.kind !== 'normal' && (
          <Text size="xs" c="dimmed">
            Recognised by: {message.kindReasons.join('; ')}
          </Text>
        )}

        {isDraft ? (
          <DraftEditor projectId={projectId} ticketId={ticketId} message={message} onChanged={onChanged} />
        ) : (
          <Box className="mail-text" td={message.deliveryStatus === 'discarded' ? 'line-through' : undefined}>
            {message.text.trim() === '' ? <em>(no text)</em> : message.text}
          </Box>
        )}

        {message.note && (
          <Text size="sm">
            <strong>Note:</strong> {message.note}
          </Text>
        )}
        {message.deliveryNote && (
          <Text size="sm">
            <strong>Delivery:</strong> {message.deliveryNote}
          </Text>
        )}
        {message.attachments.length > 0 && <Attachments projectId={projectId} ticketId={ticketId} message={message} />}
        {message.author === 'ai' && <Sources message={message} />}
      </Stack>
    </Paper>
  );
}

function Attachments({ projectId, ticketId, message }: { projectId: string; ticketId: string; message: TicketMessageView }) {
  const [failure, setFailure] = useState<string | null>(null);
  const open = (event: MouseEvent<HTMLAnchorElement>, url: string, filename: string) => {
    // A plain link would go without the token: fetch it with the token, then hand it to the browser.
    event.preventDefault();
    setFailure(null);
    downloadAttachment(url, filename).catch((error: unknown) => setFailure(errorText(error)));
  };
  return (
    <Box>
      <Text size="sm" fw={600}>
        Attachments:
      </Text>
      <List size="sm">
        {message.attachments.map((attachment, index) => {
          const url = api.attachmentUrl(projectId, ticketId, message.id, index);
          const name = attachment.filename ?? `attachment-${index + 1}`;
          return (
            <List.Item key={index}>
              <Anchor href={url} onClick={(event) => open(event, url, name)} download={name}>
                {name}
              </Anchor>{' '}
              ({attachment.contentType}, {formatBytes(attachment.size)}
              {attachment.inline ? ', inline' : ''})
            </List.Item>
          );
        })}
      </List>
      {failure && (
        <Alert color="red" mt="xs" title="The attachment could not be downloaded">
          {failure}
        </Alert>
      )}
    </Box>
  );
}

function Sources({ message }: { message: TicketMessageView }) {
  const sources = message.sources ?? [];
  if (sources.length === 0) return null;
  return (
    <Box>
      <Text size="sm" fw={600}>
        Sources:
      </Text>
      <List size="sm">
        {sources.map((source) => (
          <List.Item key={source.articleId}>
            {source.url ? (
              <Anchor href={source.url} target="_blank" rel="noopener noreferrer">
                {source.title}
              </Anchor>
            ) : (
              source.title
            )}
          </List.Item>
        ))}
      </List>
    </Box>
  );
}

/** A waiting AI draft: send it (as edited, when edited) or discard it. */
function DraftEditor({
  projectId,
  ticketId,
  message,
  onChanged,
}: {
  projectId: string;
  ticketId: string;
  message: TicketMessageView;
  onChanged: () => Promise<void>;
}) {
  const [text, setText] = useState(message.text);
  const act = useMutation({
    mutationFn: (kind: 'send' | 'discard') =>
      kind === 'send'
        ? api.tickets.sendDraft(projectId, ticketId, message.id, text === message.text ? null : text)
        : api.tickets.discardDraft(projectId, ticketId, message.id),
    onSettled: onChanged,
  });
  return (
    <Stack gap="xs">
      <Textarea
        label="Draft text"
        description="The AI's draft; nothing was sent. Edit it before sending if needed."
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        autosize
        minRows={4}
        maxRows={20}
      />
      {act.isError && (
        <Alert color="red" title="Not done">
          {errorText(act.error)}
        </Alert>
      )}
      <Group gap="sm">
        <Button onClick={() => act.mutate('send')} loading={act.isPending && act.variables === 'send'} disabled={text.trim() === ''}>
          Send draft
        </Button>
        <Button variant="default" onClick={() => act.mutate('discard')} loading={act.isPending && act.variables === 'discard'}>
          Discard draft
        </Button>
      </Group>
    </Stack>
  );
}
