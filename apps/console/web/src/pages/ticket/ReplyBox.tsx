import { Alert, Button, Group, Paper, Stack, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorText } from '../../api.ts';

/** An agent's reply: recorded and sent like an AI reply, to the latest customer message. */
export function ReplyBox({ projectId, ticketId, onSent }: { projectId: string; ticketId: string; onSent: () => Promise<void> }) {
  const [text, setText] = useState('');
  const [sent, setSent] = useState(false);
  const reply = useMutation({
    mutationFn: (body: string) => api.tickets.reply(projectId, ticketId, body),
    onMutate: () => setSent(false),
    onSuccess: async () => {
      setText('');
      setSent(true);
      await onSent();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() !== '') reply.mutate(text);
  };
  return (
    <Paper withBorder p="md" component="section">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <h2 style={{ margin: 0, fontSize: 'var(--mantine-font-size-lg)' }}>
            Reply to the customer
          </h2>
          {reply.isError && (
            <Alert color="red" title="Not sent">
              {errorText(reply.error)}
            </Alert>
          )}
          {sent && !reply.isPending && (
            <Alert color="green" title="Reply queued">
              The reply was recorded and is being sent.
            </Alert>
          )}
          <Textarea
            label="Reply"
            description="Plain text; the channel's signature is added."
            value={text}
            onChange={(event) => {
              setText(event.currentTarget.value);
              setSent(false);
            }}
            autosize
            minRows={4}
            maxRows={16}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={reply.isPending} disabled={text.trim() === ''}>
              Send reply
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
