import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { SwitchField } from '../../components/SwitchField.tsx';
import type { EmailChannelView } from '@ensoras/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../../api.ts';
import {
  AI_MODE_OPTIONS,
  CHANNEL_FIELDS,
  channelFormFromView,
  channelSave,
  DEFAULT_IMPORT_DAYS,
  fieldId,
  IMAP_ENCRYPTION_OPTIONS,
  isDirty,
  MAX_HANDOFF_TEXT_LENGTH,
  MAX_RESPONSE_DELAY_SECONDS,
  SIGN_IN_OPTIONS,
  SMTP_ENCRYPTION_OPTIONS,
  withGmailPreset,
  withProviderPreset,
  type ChannelField,
  type ChannelFormValues,
  type NumberValue,
  type SignIn,
} from '../../channel-form.ts';
import { fieldErrorsOf, firstFieldWithError, NO_FIELD_ERRORS, type FieldErrors } from '../../field-errors.ts';
import { ProviderPresets } from './ProviderPresets.tsx';
import { SignaturePreview } from './SignaturePreview.tsx';
import { TestConnectionResultView, useConnectionTest } from './TestConnection.tsx';

/** Not "password" in its name: `getByLabel('Password')` then finds the input alone. */
const REVEAL_BUTTON = { 'aria-label': 'Show the typed characters' };

type Section = 'imap' | 'smtp' | 'identity' | 'responseDelay' | 'handoff' | 'sentFolder' | 'safety' | 'import';

/** Every setting of the spec's tables and of the later issues, saved with PUT (new channel) or PATCH. */
export function ChannelForm({ projectId, channel }: { projectId: string; channel: EmailChannelView | null }) {
  const queryClient = useQueryClient();
  const [initial, setInitial] = useState(() => channelFormFromView(channel));
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>(NO_FIELD_ERRORS);
  const [saved, setSaved] = useState(false);
  const [gmailHint, setGmailHint] = useState(false);
  const generalRef = useRef<HTMLDivElement>(null);
  const dirty = isDirty(values, initial);
  const test = useConnectionTest(projectId);

  const save = useMutation({
    mutationFn: () => {
      const { method, body } = channelSave(values, channel, initial);
      return method === 'PUT' ? api.channel.put(projectId, body) : api.channel.patch(projectId, body);
    },
    onMutate: () => {
      setSaved(false);
      setErrors(NO_FIELD_ERRORS);
    },
    onSuccess: (view) => {
      queryClient.setQueryData(['channel', projectId], view);
      const next = channelFormFromView(view);
      setInitial(next);
      setValues(next);
      setSaved(true);
      void queryClient.invalidateQueries({ queryKey: ['status', projectId] });
      void queryClient.invalidateQueries({ queryKey: ['audit', projectId] });
    },
    onError: (error) => {
      const found =
        error instanceof ApiError && error.status === 400
          ? fieldErrorsOf(error.messages, CHANNEL_FIELDS)
          : { fields: {}, general: [errorText(error)] };
      setErrors(found);
    },
  });

  // After a refused save the focus goes to the first field the API named, or to the message above the form.
  useEffect(() => {
    if (errors === NO_FIELD_ERRORS) return;
    const first = firstFieldWithError(errors, CHANNEL_FIELDS);
    if (first) document.getElementById(fieldId(first as ChannelField))?.focus();
    else generalRef.current?.focus();
  }, [errors]);

  const set = <S extends Section>(section: S, patch: Partial<ChannelFormValues[S]>) => {
    setValues((current) => ({ ...current, [section]: { ...current[section], ...patch } }));
    setSaved(false);
  };
  const setTop = (patch: Partial<Pick<ChannelFormValues, 'guidelines' | 'aiMode'>>) => {
    setValues((current) => ({ ...current, ...patch }));
    setSaved(false);
  };
  const error = (path: ChannelField) => errors.fields[path];
  // aria-invalid is set here too: PasswordInput and Switch leave it out of their inner input.
  const field = (path: ChannelField) => ({ id: fieldId(path), error: error(path), 'aria-invalid': error(path) ? true : undefined });
  const number = (value: string | number): NumberValue => (typeof value === 'number' ? value : value.trim() === '' ? '' : Number(value));
  const numberProps = { allowDecimal: false, allowNegative: false, clampBehavior: 'none' as const, thousandSeparator: false as const };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  const passwordSet = { imap: channel?.imap?.passwordSet ?? false, smtp: channel?.smtp?.passwordSet ?? false };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="lg">
        {errors.general.length > 0 && (
          <Alert color="red" title="Not saved" ref={generalRef} tabIndex={-1}>
            {errors.general.map((message) => (
              <Text size="sm" key={message}>
                {message}
              </Text>
            ))}
          </Alert>
        )}
        {Object.keys(errors.fields).length > 0 && errors.general.length === 0 && (
          <Alert color="red" title="Not saved">
            Correct the fields marked below.
          </Alert>
        )}
        <Stack gap="xs">
          <Group>
            <Button
              type="button"
              variant="default"
              onClick={() => {
                setValues((current) => withGmailPreset(current));
                setGmailHint(true);
                setSaved(false);
              }}
            >
              Gmail preset
            </Button>
            <Text size="sm" c="dimmed">
              Fills the spec&apos;s Gmail and Google Workspace servers.
            </Text>
          </Group>
          <ProviderPresets
            onPick={(preset) => {
              setValues((current) => withProviderPreset(current, preset));
              setGmailHint(false);
              setSaved(false);
            }}
          />
          {gmailHint && (
            <Alert color="blue" title="Use an App Password" withCloseButton onClose={() => setGmailHint(false)} closeButtonLabel="Hide the Gmail hint">
              Gmail does not accept your regular password here. Turn on 2-Step Verification for the Google account, then
              create an App Password (Google Account &gt; Security &gt; 2-Step Verification &gt; App passwords, for
              &quot;Mail&quot;) and enter it as the Password of both IMAP and SMTP. Username/Email is the full Gmail address.
            </Alert>
          )}
        </Stack>

        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
          <Fieldset legend="IMAP Configuration (Incoming)">
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                How Ensoras receives mail from your inbox.
              </Text>
              <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
                <TextInput
                  label="IMAP Host"
                  placeholder="imap.gmail.com"
                  value={values.imap.host}
                  onChange={(event) => set('imap', { host: event.currentTarget.value })}
                  autoComplete="off"
                  spellCheck={false}
                  miw={180}
                  {...field('imap.host')}
                />
                <NumberInput
                  label="IMAP Port"
                  value={values.imap.port}
                  onChange={(value) => set('imap', { port: number(value) })}
                  min={1}
                  max={65535}
                  maw={140}
                  miw={110}
                  {...numberProps}
                  {...field('imap.port')}
                />
              </Group>
              <Select
                label="Encryption"
                description="SSL and TLS: encrypted from the first byte (port 993). StartTLS: upgraded after connecting. TCP: none."
                data={IMAP_ENCRYPTION_OPTIONS.map((option) => ({ ...option }))}
                value={values.imap.encryption}
                onChange={(value) => value && set('imap', { encryption: value as ChannelFormValues['imap']['encryption'] })}
                allowDeselect={false}
                {...field('imap.encryption')}
              />
              <TextInput
                label="Username/Email"
                placeholder="support@example.com"
                value={values.imap.username}
                onChange={(event) => set('imap', { username: event.currentTarget.value })}
                autoComplete="off"
                spellCheck={false}
                {...field('imap.username')}
              />
              <Select
                label="Sign-in"
                description="The password (or app password), or OAuth2: then connect the mailbox below, after saving."
                data={SIGN_IN_OPTIONS.map((option) => ({ ...option }))}
                value={values.imap.signIn}
                onChange={(value) => value && set('imap', { signIn: value as SignIn })}
                allowDeselect={false}
                id="channel-imap-sign-in"
              />
              {values.imap.signIn === 'password' && (
                <PasswordInput
                  label="Password"
                  description={passwordSet.imap ? 'A password is saved. Leave empty to keep it; typing replaces it.' : 'Email password or App Password.'}
                  placeholder={passwordSet.imap ? 'saved' : undefined}
                  value={values.imap.password}
                  onChange={(event) => set('imap', { password: event.currentTarget.value })}
                  autoComplete="new-password"
                  visibilityToggleButtonProps={REVEAL_BUTTON}
                  {...field('imap.password')}
                />
              )}
              <SwitchField
                label="Validate SSL Certificate"
                description="Verify the server's certificate. Turn off only for a server with a self-signed certificate."
                checked={values.imap.validateCertificate}
                onChange={(event) => set('imap', { validateCertificate: event.currentTarget.checked })}
                {...field('imap.validateCertificate')}
              />
              <SwitchField
                label="Mark Imported Emails as Read"
                description="Mark mail as read after importing it, if you also read this inbox by hand."
                checked={values.imap.markAsRead}
                onChange={(event) => set('imap', { markAsRead: event.currentTarget.checked })}
                {...field('imap.markAsRead')}
              />
              <SwitchField
                label="Copy Replies to the Sent Folder"
                description="Put each reply Ensoras sends into this mailbox's Sent folder, so it shows in your mail client. Gmail and Microsoft 365 do this themselves."
                checked={values.sentFolder.append}
                onChange={(event) => set('sentFolder', { append: event.currentTarget.checked })}
                {...field('sentFolder.append')}
              />
            </Stack>
          </Fieldset>

          <Fieldset legend="SMTP Configuration (Outgoing)">
            <Stack gap="sm">
              <Text size="sm" c="dimmed">
                How Ensoras sends its replies.
              </Text>
              <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
                <TextInput
                  label="SMTP Host"
                  placeholder="smtp.gmail.com"
                  value={values.smtp.host}
                  onChange={(event) => set('smtp', { host: event.currentTarget.value })}
                  autoComplete="off"
                  spellCheck={false}
                  miw={180}
                  {...field('smtp.host')}
                />
                <NumberInput
                  label="SMTP Port"
                  value={values.smtp.port}
                  onChange={(value) => set('smtp', { port: number(value) })}
                  min={1}
                  max={65535}
                  maw={140}
                  miw={110}
                  {...numberProps}
                  {...field('smtp.port')}
                />
              </Group>
              <Select
                label="Encryption"
                description="TLS: STARTTLS required (port 587). SSL: encrypted from the first byte (port 465). None: no encryption."
                data={SMTP_ENCRYPTION_OPTIONS.map((option) => ({ ...option }))}
                value={values.smtp.encryption}
                onChange={(value) => value && set('smtp', { encryption: value as ChannelFormValues['smtp']['encryption'] })}
                allowDeselect={false}
                {...field('smtp.encryption')}
              />
              <TextInput
                label="Username/Email"
                placeholder="support@example.com"
                value={values.smtp.username}
                onChange={(event) => set('smtp', { username: event.currentTarget.value })}
                autoComplete="off"
                spellCheck={false}
                {...field('smtp.username')}
              />
              <Select
                label="Sign-in"
                description="The password (or app password), or OAuth2: then connect the mailbox below, after saving."
                data={SIGN_IN_OPTIONS.map((option) => ({ ...option }))}
                value={values.smtp.signIn}
                onChange={(value) => value && set('smtp', { signIn: value as SignIn })}
                allowDeselect={false}
                id="channel-smtp-sign-in"
              />
              {values.smtp.signIn === 'password' && (
                <PasswordInput
                  label="Password"
                  description={passwordSet.smtp ? 'A password is saved. Leave empty to keep it; typing replaces it.' : 'Email password or App Password.'}
                  placeholder={passwordSet.smtp ? 'saved' : undefined}
                  value={values.smtp.password}
                  onChange={(event) => set('smtp', { password: event.currentTarget.value })}
                  autoComplete="new-password"
                  visibilityToggleButtonProps={REVEAL_BUTTON}
                  {...field('smtp.password')}
                />
              )}
              <SwitchField
                label="Verify the SMTP server's certificate"
                description="Turn off only for a server with a self-signed certificate."
                checked={values.smtp.validateCertificate}
                onChange={(event) => set('smtp', { validateCertificate: event.currentTarget.checked })}
                {...field('smtp.validateCertificate')}
              />
            </Stack>
          </Fieldset>
        </SimpleGrid>

        <Fieldset legend="Email Identity">
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="From Email Address"
                description="Shown on outgoing mail; should match the SMTP account."
                type="email"
                placeholder="support@example.com"
                value={values.identity.fromEmail}
                onChange={(event) => set('identity', { fromEmail: event.currentTarget.value })}
                autoComplete="off"
                spellCheck={false}
                {...field('identity.fromEmail')}
              />
              <TextInput
                label="From Name"
                description="The display name on outgoing mail."
                placeholder="Acme Support"
                value={values.identity.fromName}
                onChange={(event) => set('identity', { fromName: event.currentTarget.value })}
                maxLength={200}
                {...field('identity.fromName')}
              />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Textarea
                label="Email Signature"
                description="HTML, appended to every reply."
                placeholder="<p>Kind regards,<br>Acme Support</p>"
                value={values.identity.signatureHtml}
                onChange={(event) => set('identity', { signatureHtml: event.currentTarget.value })}
                autosize
                minRows={4}
                maxRows={12}
                spellCheck={false}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                {...field('identity.signatureHtml')}
              />
              <SignaturePreview html={values.identity.signatureHtml} />
            </SimpleGrid>
          </Stack>
        </Fieldset>

        <Fieldset legend="Ensoras Guidelines">
          <Textarea
            label="Ensoras Guidelines"
            description="Instructions for email replies, applied on top of the global communication style (Configuration)."
            placeholder="Use a professional email tone with proper greeting and sign-off."
            value={values.guidelines}
            onChange={(event) => setTop({ guidelines: event.currentTarget.value })}
            autosize
            minRows={4}
            maxRows={16}
            maxLength={10_000}
            {...field('guidelines')}
          />
        </Fieldset>

        <Fieldset legend="Response Delay">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Seconds before a reply is sent, between 0 and {MAX_RESPONSE_DELAY_SECONDS} (48 hours). For email, 30–120
              seconds feel more natural than instant replies.
            </Text>
            <Group align="flex-start" grow preventGrowOverflow={false} wrap="wrap">
              <NumberInput
                label="Minimum Delay"
                value={values.responseDelay.minSeconds}
                onChange={(value) => set('responseDelay', { minSeconds: number(value) })}
                min={0}
                max={MAX_RESPONSE_DELAY_SECONDS}
                miw={160}
                {...numberProps}
                {...field('responseDelay.minSeconds')}
              />
              <NumberInput
                label="Maximum Delay"
                value={values.responseDelay.maxSeconds}
                onChange={(value) => set('responseDelay', { maxSeconds: number(value) })}
                min={0}
                max={MAX_RESPONSE_DELAY_SECONDS}
                miw={160}
                {...numberProps}
                {...field('responseDelay.maxSeconds')}
              />
            </Group>
          </Stack>
        </Fieldset>

        <Fieldset legend="AI">
          <Stack gap="sm">
            <Select
              label="AI mode"
              description="Auto: the AI answers customers. Draft: it writes drafts for an agent to send or discard. Off: tickets only, no AI replies."
              data={AI_MODE_OPTIONS.map((option) => ({ ...option }))}
              value={values.aiMode}
              onChange={(value) => value && setTop({ aiMode: value as ChannelFormValues['aiMode'] })}
              allowDeselect={false}
              maw={420}
              {...field('aiMode')}
            />
            <SwitchField
              label="Acknowledge handoffs"
              description="When the AI hands a ticket to a person, send the customer the text below."
              checked={values.handoff.acknowledge}
              onChange={(event) => set('handoff', { acknowledge: event.currentTarget.checked })}
              {...field('handoff.acknowledge')}
            />
            <Textarea
              label="Acknowledgement text"
              description={`Plain text, at most ${MAX_HANDOFF_TEXT_LENGTH} characters; the signature is added.`}
              value={values.handoff.text}
              onChange={(event) => set('handoff', { text: event.currentTarget.value })}
              autosize
              minRows={2}
              maxRows={8}
              maxLength={MAX_HANDOFF_TEXT_LENGTH}
              {...field('handoff.text')}
            />
          </Stack>
        </Fieldset>

        <Fieldset legend="Safety">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              Limits that keep the AI out of mail loops. Past a limit a person takes the ticket over.
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberInput
                label="Maximum message size (MB)"
                description="Larger mail still becomes a message, without its attachments. 1–100."
                value={values.safety.maxMessageSizeMb}
                onChange={(value) => set('safety', { maxMessageSizeMb: number(value) })}
                min={1}
                max={100}
                {...numberProps}
                {...field('safety.maxMessageSizeMb')}
              />
              <NumberInput
                label="Loop window (minutes)"
                description="The time the two reply limits below count in. 1–10080."
                value={values.safety.loopWindowMinutes}
                onChange={(value) => set('safety', { loopWindowMinutes: number(value) })}
                min={1}
                max={10_080}
                {...numberProps}
                {...field('safety.loopWindowMinutes')}
              />
              <NumberInput
                label="Maximum AI replies per ticket"
                description="Within the loop window. 1–100."
                value={values.safety.maxAiRepliesPerTicket}
                onChange={(value) => set('safety', { maxAiRepliesPerTicket: number(value) })}
                min={1}
                max={100}
                {...numberProps}
                {...field('safety.maxAiRepliesPerTicket')}
              />
              <NumberInput
                label="Maximum AI replies per customer address"
                description="Within the loop window. 1–1000."
                value={values.safety.maxAiRepliesPerAddress}
                onChange={(value) => set('safety', { maxAiRepliesPerAddress: number(value) })}
                min={1}
                max={1_000}
                {...numberProps}
                {...field('safety.maxAiRepliesPerAddress')}
              />
              <NumberInput
                label="Maximum AI replies per hour (all tickets)"
                description="Caps what a flood of mail can make the AI write. 1–100000."
                value={values.safety.maxAiRepliesPerHour}
                onChange={(value) => set('safety', { maxAiRepliesPerHour: number(value) })}
                min={1}
                max={100_000}
                {...numberProps}
                {...field('safety.maxAiRepliesPerHour')}
              />
            </SimpleGrid>
          </Stack>
        </Fieldset>

        <Fieldset legend="History import">
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              How much of the mailbox&apos;s existing mail becomes tickets when the channel first reads it. History is
              never answered; mail arriving later is always imported.
            </Text>
            <TextInput
              type="date"
              label="Import mail since"
              description={
                channel
                  ? 'Mail that arrived on or after this day. Empty keeps the saved choice.'
                  : `Mail that arrived on or after this day. Empty: the last ${DEFAULT_IMPORT_DAYS} days.`
              }
              value={values.import.since}
              onChange={(event) => set('import', { since: event.currentTarget.value })}
              disabled={values.import.all}
              maw={260}
              {...field('import.since')}
            />
            <Checkbox
              label="Import the whole mailbox history"
              checked={values.import.all}
              onChange={(event) => set('import', { all: event.currentTarget.checked })}
            />
          </Stack>
        </Fieldset>

        <TestConnectionResultView test={test} channel={channel} />
      </Stack>

      {/* Save and Test Connection stay in reach at the bottom of the screen, however long the form. */}
      <Paper
        withBorder
        p="sm"
        mt="lg"
        shadow="sm"
        style={{ position: 'sticky', bottom: 0, zIndex: 5 }}
      >
        <Group gap="sm" wrap="wrap">
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
          <Button type="button" variant="default" onClick={() => test.mutate()} loading={test.isPending}>
            Test Connection
          </Button>
          {saved && !dirty && (
            <Alert color="green" py={6} px="sm">
              Saved
            </Alert>
          )}
          {dirty && (
            <Text size="sm" c="dimmed">
              Unsaved changes. Test Connection checks the saved settings.
            </Text>
          )}
        </Group>
      </Paper>
    </form>
  );
}
