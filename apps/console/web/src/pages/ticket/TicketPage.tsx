import { Alert, Anchor, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import type { TicketDetailView, TicketStatus } from '@ensoras/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, errorText } from '../../api.ts';
import { DateTime, ErrorAlert, Loading, PageTitle, TicketStatusBadge } from '../../components/common.tsx';
import { formatAddress } from '../../labels.ts';
import { useProjectId } from '../../layout/ProjectLayout.tsx';
import { projectPath } from '../../projects.ts';
import { MessageItem } from './MessageItem.tsx';
import { ReplyBox } from './ReplyBox.tsx';

/** Which status changes an agent may ask for (ticketing's ticketTransition). */
const canHandOff = (status: TicketStatus) => status === 'open' || status === 'answered' || status === 'draft_ready';
const canResumeAi = (status: TicketStatus) => status === 'needs_human';
const canClose = (status: TicketStatus) => status !== 'closed';

export function TicketPage() {
  const projectId = useProjectId();
  const { ticketId = '' } = useParams();
  const query = useQuery({
    queryKey: ['ticket', projectId, ticketId],
    queryFn: () => api.tickets.get(projectId, ticketId),
    // The AI's reply, delivery reports and new mail show up without a reload.
    refetchInterval: 5_000,
  });

  return (
    <Stack gap="md" maw={960}>
      <Anchor component={Link} to={projectPath(projectId, 'inbox')} size="sm">
        ← All tickets
      </Anchor>
      {query.isPending && (
        <>
          <PageTitle title="Ticket">Ticket</PageTitle>
          <Loading what="Loading the ticket…" />
        </>
      )}
      {query.isError && (
        <>
          <PageTitle title="Ticket">Ticket</PageTitle>
          <ErrorAlert error={query.error} title="The ticket could not be read" onRetry={() => void query.refetch()} />
        </>
      )}
      {query.data && <Ticket projectId={projectId} ticket={query.data} />}
    </Stack>
  );
}

function Ticket({ projectId, ticket }: { projectId: string; ticket: TicketDetailView }) {
  const queryClient = useQueryClient();
  const [handoffOpen, setHandoffOpen] = useState(false);
  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['ticket', projectId, ticket.id] }),
      queryClient.invalidateQueries({ queryKey: ['tickets', projectId] }),
    ]);
  };
  const action = useMutation({
    mutationFn: (kind: 'resume-ai' | 'close') =>
      kind === 'resume-ai' ? api.tickets.resumeAi(projectId, ticket.id) : api.tickets.close(projectId, ticket.id),
    onSettled: refresh,
  });
  const subject = ticket.subject.trim() || '(no subject)';

  return (
    <>
      <Stack gap="xs">
        <PageTitle title={subject}>{subject}</PageTitle>
        <Group gap="sm">
          <TicketStatusBadge status={ticket.status} />
          <Text size="sm">
            {formatAddress(ticket.customer)} · opened <DateTime iso={ticket.createdAt} /> · updated <DateTime iso={ticket.updatedAt} />
          </Text>
        </Group>
        {ticket.handoffReason && (
          <Text size="sm">
            <strong>{ticket.status === 'needs_human' ? 'Handed to a person:' : 'Last handed to a person:'}</strong> {ticket.handoffReason}
          </Text>
        )}
      </Stack>

      <Group gap="sm">
        {canHandOff(ticket.status) && (
          <Button variant="default" onClick={() => setHandoffOpen(true)}>
            Hand over to a person
          </Button>
        )}
        {canResumeAi(ticket.status) && (
          <Button variant="default" onClick={() => action.mutate('resume-ai')} loading={action.isPending && action.variables === 'resume-ai'}>
            Give back to the AI
          </Button>
        )}
        {canClose(ticket.status) && (
          <Button variant="default" onClick={() => action.mutate('close')} loading={action.isPending && action.variables === 'close'}>
            Close ticket
          </Button>
        )}
      </Group>
      {action.isError && (
        <Alert color="red" title="Not changed">
          {errorText(action.error)}
        </Alert>
      )}

      <HandoffModal projectId={projectId} ticketId={ticket.id} opened={handoffOpen} onClose={() => setHandoffOpen(false)} onDone={refresh} />

      <section>
        <Text component="h2" fw={700} size="lg" mb="sm">
          Conversation ({ticket.messages.length} {ticket.messages.length === 1 ? 'message' : 'messages'})
        </Text>
        <Stack component="ol" aria-label="Conversation" gap="md" p={0} m={0} style={{ listStyle: 'none' }}>
          {ticket.messages.map((message) => (
            <MessageItem key={message.id} projectId={projectId} ticketId={ticket.id} message={message} onChanged={refresh} />
          ))}
        </Stack>
      </section>

      <ReplyBox projectId={projectId} ticketId={ticket.id} onSent={refresh} />
    </>
  );
}

function HandoffModal({
  projectId,
  ticketId,
  opened,
  onClose,
  onDone,
}: {
  projectId: string;
  ticketId: string;
  opened: boolean;
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const handOff = useMutation({
    mutationFn: (text: string) => api.tickets.handOff(projectId, ticketId, text),
    onSuccess: async () => {
      setReason('');
      onClose();
      await onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    handOff.mutate(reason);
  };
  return (
    <Modal.Root opened={opened} onClose={onClose} transitionProps={{ duration: 0 }}>
      <Modal.Overlay />
      <Modal.Content>
        {/* A div, not Mantine's <header>: a second banner landmark would confuse screen readers. */}
        <Modal.Header {...{ component: 'div' }}>
          <Modal.Title>Hand over to a person</Modal.Title>
          <Modal.CloseButton aria-label="Close" />
        </Modal.Header>
        <Modal.Body>
          <form onSubmit={submit} noValidate>
            <Stack>
              <Text size="sm">The AI stops answering this ticket until it is given back to the AI or closed.</Text>
              {handOff.isError && (
                <Alert color="red" title="Not handed over">
                  {errorText(handOff.error)}
                </Alert>
              )}
              <Textarea
                label="Reason"
                description="Why a person takes over; kept on the ticket."
                value={reason}
                onChange={(event) => setReason(event.currentTarget.value)}
                autosize
                minRows={3}
                maxLength={1_000}
                required
                data-autofocus
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={onClose} type="button">
                  Cancel
                </Button>
                <Button type="submit" loading={handOff.isPending} disabled={reason.trim() === ''}>
                  Hand over
                </Button>
              </Group>
            </Stack>
          </form>
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
