import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailChannelView, ProjectConfigurationView, TestConnectionResult, TicketDetailView } from '@ensoras/contracts';
import {
  type ChannelStack,
  eventually,
  PROJECT,
  type ServiceProcess,
  SMTP_USER,
  startChannelStack,
  startConsole,
  SUPPORT,
} from '@ensoras/testing';
import { choose, DESKTOP, horizontalOverflow, launchChromium, PHONE, screenshot, seriousAxeViolations, switchNamed } from './console/browser.js';
import { plainMail } from './mail-builders.js';

// The Encryption options as the form labels them (the API's values: imap ssl, smtp tls = STARTTLS).
const IMAP_ENCRYPTION_SSL = 'SSL';
const SMTP_ENCRYPTION_TLS = 'TLS';

const SUBJECT = 'My parcel 5678 never came';
const CUSTOMER_TEXT = 'Hello, my parcel 5678 has not arrived. Could you look into it?';
const AGENT_TEXT = 'Hello Jane, I asked the courier about parcel 5678 and will write again tomorrow. Best, Sam';
const SIGNATURE = '<p>Kind regards,<br><b>The Acme team</b></p><script>globalThis.signatureScriptRan = true</script>';
/** A project nobody configured: its channel cannot be enabled. */
const EMPTY_PROJECT = 'empty';

const webIndex = fileURLToPath(new URL('../apps/console/dist/web/index.html', import.meta.url));

describe('the admin console in a browser, in front of the five services', () => {
  let browser: Browser | undefined;
  let stack: ChannelStack;
  let consoleApp: ServiceProcess | undefined;
  let page: Page;
  const browserLog: string[] = [];
  const api: ChannelStack['api'] = (...args) => stack.api(...args);
  const channelPath = (project: string) => `/v1/projects/${project}/channels/email`;
  const channel = async (project = PROJECT) => api<EmailChannelView>('channel-config', 'GET', channelPath(project));

  const nav = () => page.getByRole('navigation', { name: 'Project navigation' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1, exact: true });
  const group = (name: string) => page.getByRole('group', { name, exact: true });
  const imap = () => group('IMAP Configuration (Incoming)');
  const smtp = () => group('SMTP Configuration (Outgoing)');
  /** The author of a message in the thread: Customer, AI or Agent. */
  const author = (name: string) => page.getByText(name, { exact: true });
  const connectionResult = () => page.getByRole('region', { name: 'Test Connection result' });

  /** axe-core on the page as it is: a serious or critical violation fails the test, after the rest of it ran. */
  const checkAccessibility = async (label: string) => {
    expect.soft(await seriousAxeViolations(page, label), `accessibility of ${label}`).toBe('');
  };

  /** Opens a page of the project from the sidebar and waits for its heading. */
  const openFromSidebar = async (link: string, title = link) => {
    await nav().getByRole('link', { name: link, exact: true }).click();
    await heading(title).waitFor();
  };

  /** Clicks Save on the Email page and waits until channel-config stored a change (its updatedAt moved). */
  const saveChannel = async () => {
    const before = (await channel()).body?.updatedAt ?? null;
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    return eventually(async () => {
      const after = await channel();
      return after.status === 200 && after.body.updatedAt !== before ? after.body : null;
    }, { timeoutMs: 15_000, message: 'Save on the Email page stored nothing' });
  };

  /** Waits until `locator` shows up, reloading the page in between: for data the page fetched before it existed. */
  const untilShownReloading = async (locator: Locator, message: string, timeoutMs = 60_000) => {
    await eventually(
      async () =>
        locator.first().waitFor({ timeout: 3_000 }).then(
          () => true,
          async () => {
            await page.reload();
            return false;
          },
        ),
      { timeoutMs, intervalMs: 0, message },
    );
  };

  beforeAll(async () => {
    // Before the stack: a missing browser or page fails in a second, with the command that fixes it.
    browser = await launchChromium();
    if (!existsSync(webIndex)) throw new Error(`${webIndex} is missing: build the console (npx turbo run build --filter=@ensoras/console)`);
    stack = await startChannelStack('console');
    consoleApp = await startConsole(stack.services);
    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', baseURL: consoleApp.url });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') browserLog.push(`[${message.type()}] ${message.text()}`);
    });
    page.on('pageerror', (error) => browserLog.push(`[pageerror] ${error.stack ?? error.message}`));
  });

  // A failing scenario needs the services' side, the console's output, the browser's errors and what the page showed.
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      if (!stack) return;
      const dir = stack.services.saveLogs(task.name);
      writeFileSync(join(dir, 'console.log'), consoleApp?.logs() ?? '');
      writeFileSync(join(dir, 'browser.log'), browserLog.join('\n'));
      await page?.screenshot({ path: join(dir, 'page.png'), fullPage: true }).catch(() => undefined);
      console.error(`Logs and a screenshot for "${task.name}" (page ${page?.url()}): ${dir}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleApp?.stop();
    await stack?.stop();
  });

  it('refuses a wrong admin token', async () => {
    await page.goto('/');
    await heading('Sign in to Ensoras').waitFor();
    await checkAccessibility('the sign-in page');
    await screenshot(page, 'sign-in');

    await page.getByRole('textbox', { name: 'Admin token', exact: true }).fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The token was refused' }).waitFor();
    expect(await heading('Sign in to Ensoras').isVisible()).toBe(true);
  });

  it('signs in with the admin token and opens a project from the picker', async () => {
    await page.getByRole('textbox', { name: 'Admin token', exact: true }).fill(stack.adminToken);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Choose a project').waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    await checkAccessibility('the project picker');

    await page.getByLabel('Project', { exact: true }).fill(PROJECT);
    await page.getByRole('button', { name: 'Open project', exact: true }).click();
    await nav().waitFor();
    await page.waitForURL(`**/p/${PROJECT}/**`);
  });

  it('saves the communication style on Configuration', async () => {
    const style = 'Warm, concise, and always on first-name terms.';
    await openFromSidebar('Configuration');
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/configuration`);
    await page.getByRole('textbox', { name: 'Communication style', exact: true }).fill(style);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved', { exact: true }).waitFor();
    const stored = await api<ProjectConfigurationView>('channel-config', 'GET', `/v1/projects/${PROJECT}/configuration`);
    expect(stored.body.communicationStyle).toBe(style);
    await checkAccessibility('Configuration');
    await screenshot(page, 'configuration');
  });

  it('configures the channel through the Email form; the signature preview shows the bold text and runs no script', async () => {
    await openFromSidebar('Email');
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/channels/email`);
    await page.getByRole('status').first().waitFor();
    await checkAccessibility('the empty Email page');

    await imap().getByRole('textbox', { name: 'IMAP Host', exact: true }).fill('127.0.0.1');
    await imap().getByRole('textbox', { name: 'IMAP Port', exact: true }).fill(String(stack.dovecot.imapsPort));
    await choose(page, imap().getByRole('combobox', { name: 'Encryption', exact: true }), IMAP_ENCRYPTION_SSL);
    await imap().getByRole('textbox', { name: 'Username/Email', exact: true }).fill(SUPPORT.username);
    await imap().getByRole('textbox', { name: 'Password', exact: true }).fill(SUPPORT.password);
    // The test Dovecot has a self-signed certificate.
    await switchNamed(imap(), 'Validate SSL Certificate').setChecked(false);
    await switchNamed(imap(), 'Mark Imported Emails as Read').setChecked(true);

    await smtp().getByRole('textbox', { name: 'SMTP Host', exact: true }).fill('127.0.0.1');
    await smtp().getByRole('textbox', { name: 'SMTP Port', exact: true }).fill(String(stack.smtp.port));
    await choose(page, smtp().getByRole('combobox', { name: 'Encryption', exact: true }), SMTP_ENCRYPTION_TLS);
    await smtp().getByRole('textbox', { name: 'Username/Email', exact: true }).fill(SMTP_USER.username);
    await smtp().getByRole('textbox', { name: 'Password', exact: true }).fill(SMTP_USER.password);
    // So does the test SMTP server's STARTTLS. (The spec's SMTP table has no such row; the form adds this switch.)
    await switchNamed(smtp(), "Verify the SMTP server's certificate").setChecked(false);

    const identity = group('Email Identity');
    await identity.getByRole('textbox', { name: 'From Email Address', exact: true }).fill('support@acme.test');
    await identity.getByRole('textbox', { name: 'From Name', exact: true }).fill('Acme Support');
    await identity.getByRole('textbox', { name: 'Email Signature', exact: true }).fill(SIGNATURE);
    const preview = page.getByLabel('Signature preview', { exact: true });
    await preview.locator('b').filter({ hasText: 'The Acme team' }).waitFor();
    expect(await preview.locator('script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { signatureScriptRan?: boolean }).signatureScriptRan)).toBeUndefined();

    await page.getByRole('textbox', { name: 'Ensoras Guidelines', exact: true }).fill('Use a professional email tone with proper greeting and sign-off.');
    const delay = group('Response Delay');
    await delay.getByRole('textbox', { name: 'Minimum Delay', exact: true }).fill('0');
    await delay.getByRole('textbox', { name: 'Maximum Delay', exact: true }).fill('1');

    const stored = await saveChannel();
    expect(stored).toMatchObject({
      enabled: false,
      imap: {
        host: '127.0.0.1',
        port: stack.dovecot.imapsPort,
        encryption: 'ssl',
        username: SUPPORT.username,
        passwordSet: true,
        validateCertificate: false,
        markAsRead: true,
      },
      smtp: { host: '127.0.0.1', port: stack.smtp.port, encryption: 'tls', username: SMTP_USER.username, passwordSet: true, validateCertificate: false },
      identity: { fromEmail: 'support@acme.test', fromName: 'Acme Support' },
      guidelines: 'Use a professional email tone with proper greeting and sign-off.',
      responseDelay: { minSeconds: 0, maxSeconds: 1 },
    });
    expect(stored.identity?.signatureHtml).toContain('<b>The Acme team</b>');
  });

  it('Test Connection shows both directions OK', async () => {
    await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
    await connectionResult().getByText('Incoming (IMAP): OK').waitFor({ timeout: 30_000 });
    await connectionResult().getByText('Outgoing (SMTP): OK').waitFor();
    await checkAccessibility('the Email page with a Test Connection result');
  });

  it("shows the failing direction with the API's hint for a wrong IMAP password, and both OK once it is restored", async () => {
    await imap().getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password');
    await saveChannel();
    await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
    await connectionResult().getByText('Incoming (IMAP): failed').waitFor({ timeout: 30_000 });
    await connectionResult().getByText('Outgoing (SMTP): OK').waitFor();

    // What the API says of the same stored settings: the page shows its error and hint.
    const { body } = await api<TestConnectionResult>('channel-config', 'POST', `${channelPath(PROJECT)}/test-connection`);
    expect(body.imap).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    const shown = await connectionResult().innerText();
    expect(shown).toContain(`Incoming (IMAP): failed – ${body.imap.error!.message}`);
    expect(shown).toContain(body.imap.error!.hint);
    expect(shown).not.toContain('not-the-password');

    await imap().getByRole('textbox', { name: 'Password', exact: true }).fill(SUPPORT.password);
    await saveChannel();
    await page.getByRole('button', { name: 'Test Connection', exact: true }).click();
    await connectionResult().getByText('Incoming (IMAP): OK').waitFor({ timeout: 30_000 });
    await connectionResult().getByText('Outgoing (SMTP): OK').waitFor();
  });

  it("shows the API's validation error beside its field and stores nothing", async () => {
    const before = await channel();
    const port = imap().getByRole('textbox', { name: 'IMAP Port', exact: true });
    await port.fill('70000');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // The API says `imap.port: imap.port must not be greater than 65535`.
    await imap().getByText(/must not be greater than 65535/).waitFor();
    await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
    // Beside it: the text the input is described by.
    const describedBy = (await port.getAttribute('aria-describedby'))?.split(/\s+/).filter(Boolean) ?? [];
    const descriptions = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).innerText()));
    expect(descriptions.join('\n')).toMatch(/must not be greater than 65535/);
    expect(await channel()).toEqual(before);
    await checkAccessibility('the Email page with a field error');
  });

  it('never shows a saved password: the inputs are empty with the placeholder "saved"', async () => {
    await page.reload();
    await heading('Email').waitFor();
    // The form shows what is stored, the port it had before the refused Save included.
    await expect.poll(() => imap().getByRole('textbox', { name: 'IMAP Port', exact: true }).inputValue()).toBe(String(stack.dovecot.imapsPort));
    for (const fieldset of [imap(), smtp()]) {
      const password = fieldset.getByRole('textbox', { name: 'Password', exact: true });
      expect(await password.inputValue()).toBe('');
      expect(await password.getAttribute('placeholder')).toBe('saved');
    }
    const html = await page.content();
    expect(html).not.toContain(SUPPORT.password);
    expect(html).not.toContain(SMTP_USER.password);
  });

  it('enables the channel with the switch, and the status banner shows the mailbox watched', async () => {
    const toggle = switchNamed(page, 'Email channel enabled');
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    await eventually(async () => (await channel()).body.enabled, { message: 'the channel was not enabled' });
    // mail-ingest logs in and reports; the page shows it (after a refetch or a reload).
    await untilShownReloading(page.getByRole('status').filter({ hasText: /watching/i }), 'the status banner never showed the mailbox watched', 30_000);
    expect(await toggle.isChecked()).toBe(true);
    await screenshot(page, 'channels-email');
  });

  it('shows a mail delivered to the mailbox as a ticket in the Inbox, and the AI reply in its thread', async () => {
    await stack.dovecot.deliver(
      SUPPORT.username,
      plainMail('Jane Doe <jane@customer.test>', { Subject: SUBJECT, 'Message-ID': '<console-1@customer.test>' }, CUSTOMER_TEXT),
    );
    await openFromSidebar('Inbox');
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/inbox`);
    const link = page.getByRole('table').getByRole('link', { name: SUBJECT, exact: true });
    await untilShownReloading(link, 'the ticket never showed in the Inbox');
    await page.getByRole('button', { name: 'Previous page', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next page', exact: true }).waitFor();
    // The status filter: no closed ticket yet; all of them again.
    const status = page.getByRole('combobox', { name: 'Status', exact: true });
    await choose(page, status, 'Closed');
    await expect.poll(() => link.count()).toBe(0);
    await choose(page, status, 'All');
    await link.waitFor();
    await checkAccessibility('the Inbox');
    await screenshot(page, 'inbox');

    await link.click();
    await heading(SUBJECT).waitFor();
    const ticketId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/inbox/${ticketId}`);
    const conversation = page.getByRole('list', { name: 'Conversation', exact: true });
    await conversation.getByRole('listitem').filter({ hasText: CUSTOMER_TEXT }).filter({ has: author('Customer') }).waitFor();

    // The AI answers (offline, no knowledge base: an acknowledgement) through the project's SMTP server.
    const [sent] = await stack.smtp.waitForMessages(1, 60_000);
    expect(sent.parsed.subject).toBe(`Re: ${SUBJECT}`);
    expect(sent.parsed.inReplyTo).toBe('<console-1@customer.test>');
    const detail = await eventually(async () => {
      const current = (await api<TicketDetailView>('ticketing', 'GET', `/v1/projects/${PROJECT}/tickets/${ticketId}`)).body;
      return current.messages.some((m) => m.author === 'ai') ? current : null;
    }, { timeoutMs: 30_000, message: 'ticketing never recorded the AI reply' });
    const aiText = detail.messages.find((m) => m.author === 'ai')!.text;
    const aiFirstLine = aiText.split('\n').map((line) => line.trim()).find(Boolean)!;
    await untilShownReloading(
      conversation.getByRole('listitem').filter({ hasText: aiFirstLine }).filter({ has: author('AI') }),
      'the AI reply never showed in the thread',
      30_000,
    );
    const items = await conversation.getByRole('listitem').allInnerTexts();
    expect(items.findIndex((text) => text.includes(CUSTOMER_TEXT))).toBeLessThan(items.findIndex((text) => text.includes(aiFirstLine)));
  });

  it('sends an agent reply from the Reply box: it shows in the thread and reaches the customer', async () => {
    await page.getByRole('textbox', { name: 'Reply', exact: true }).fill(AGENT_TEXT);
    await page.getByRole('button', { name: 'Send reply', exact: true }).click();
    const conversation = page.getByRole('list', { name: 'Conversation', exact: true });
    await conversation.getByRole('listitem').filter({ hasText: AGENT_TEXT }).filter({ has: author('Agent') }).waitFor({ timeout: 30_000 });

    const mails = await stack.smtp.waitForMessages(2, 30_000);
    const agentMail = mails[1].parsed;
    expect(agentMail.text).toContain(AGENT_TEXT);
    expect(agentMail.subject).toBe(`Re: ${SUBJECT}`);
    expect(agentMail.to && !Array.isArray(agentMail.to) ? agentMail.to.value[0].address : null).toBe('jane@customer.test');
    expect(agentMail.headers.has('auto-submitted')).toBe(false);

    for (const action of ['Hand over to a person', 'Close ticket']) {
      await page.getByRole('button', { name: action, exact: true }).waitFor();
    }
    await checkAccessibility('a ticket');
    await screenshot(page, 'ticket');
  });

  it('hands the ticket to a person and gives it back; in draft mode an agent sends the AI draft edited, then closes the ticket', async () => {
    const ticketId = new URL(page.url()).pathname.split('/').at(-1)!;
    const ticketPath = `/v1/projects/${PROJECT}/tickets/${ticketId}`;
    const statusOf = async () => (await api<TicketDetailView>('ticketing', 'GET', ticketPath)).body.status;

    await page.getByRole('button', { name: 'Hand over to a person', exact: true }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Reason' }).fill('The customer asked for a call');
    await page.getByRole('button', { name: 'Hand over', exact: true }).click();
    await eventually(async () => (await statusOf()) === 'needs_human', { message: 'the ticket was not handed over' });
    await page.getByText('The customer asked for a call').waitFor();
    await page.getByRole('button', { name: 'Give back to the AI', exact: true }).click();
    await eventually(async () => (await statusOf()) === 'open', { message: 'the ticket was not given back' });

    // Draft mode, chosen on the Email page.
    await openFromSidebar('Email');
    await choose(page, page.getByRole('combobox', { name: 'AI mode' }), 'Draft');
    expect((await saveChannel()).aiMode).toBe('draft');

    await stack.dovecot.deliver(
      SUPPORT.username,
      plainMail(
        'Jane Doe <jane@customer.test>',
        { Subject: `Re: ${SUBJECT}`, 'Message-ID': '<console-2@customer.test>', 'In-Reply-To': '<console-1@customer.test>' },
        'Any news about parcel 5678?',
      ),
    );
    await page.goto(new URL(`/p/${PROJECT}/inbox/${ticketId}`, page.url()).toString());
    const draftText = page.getByRole('textbox', { name: 'Draft text' });
    await untilShownReloading(draftText, 'the AI draft never showed on the ticket');
    expect(await statusOf()).toBe('draft_ready');
    await checkAccessibility('a ticket with a draft');
    const edited = 'Hello Jane, the courier confirmed parcel 5678 is on its way again. Best, Sam';
    await draftText.fill(edited);
    await page.getByRole('button', { name: 'Send draft', exact: true }).click();
    const conversation = page.getByRole('list', { name: 'Conversation', exact: true });
    await conversation.getByRole('listitem').filter({ hasText: edited }).filter({ has: author('Agent') }).waitFor({ timeout: 30_000 });
    const mails = await stack.smtp.waitForMessages(3, 30_000);
    expect(mails[2].parsed.text).toContain(edited);
    expect(mails[2].parsed.inReplyTo).toBe('<console-2@customer.test>');

    await page.getByRole('button', { name: 'Close ticket', exact: true }).click();
    await eventually(async () => (await statusOf()) === 'closed', { message: 'the ticket was not closed' });
  });

  it('shows sending paused with the reason on the Email page; Resume, after the fix at the provider, sends the held reply', async () => {
    const ticketId = new URL(page.url()).pathname.split('/').at(-1)!;
    const sentBefore = stack.smtp.messages.length;
    stack.smtp.changePassword(SMTP_USER.username, 'changed-at-the-provider');
    const text = 'Hello Jane, one more thing about parcel 5678: it comes on Monday. Best, Sam';
    expect((await api('ticketing', 'POST', `/v1/projects/${PROJECT}/tickets/${ticketId}/replies`, { text })).status).toBe(201);

    await openFromSidebar('Email');
    const paused = page.getByRole('alert').filter({ hasText: 'Sending paused (SMTP)' });
    await untilShownReloading(paused, 'the Email page never showed sending paused');
    await paused.getByText(/rejected the username or password/).waitFor();
    await paused.getByText(/Replies are held, not lost/).waitFor();
    await checkAccessibility('the Email page with sending paused');
    await screenshot(page, 'email-sending-paused');
    expect(stack.smtp.messages).toHaveLength(sentBefore);

    stack.smtp.changePassword(SMTP_USER.username, SMTP_USER.password);
    await paused.getByRole('button', { name: 'Resume', exact: true }).click();
    await paused.waitFor({ state: 'detached' });
    const mails = await stack.smtp.waitForMessages(sentBefore + 1, 60_000);
    expect(mails[sentBefore]!.parsed.text).toContain(text);
    expect((await api<{ entries: Array<{ action: string }> }>('channel-config', 'GET', `${channelPath(PROJECT)}/audit`)).body.entries[0]).toMatchObject({
      action: 'email_channel.resumed',
    });
  });

  it('passes axe on Unattached mail, Quarantine and the Audit log', async () => {
    await openFromSidebar('Unattached mail');
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/unattached`);
    await checkAccessibility('Unattached mail');
    await screenshot(page, 'unattached');
    await openFromSidebar('Quarantine');
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/quarantine`);
    await checkAccessibility('Quarantine');
    await screenshot(page, 'quarantine');
    await openFromSidebar('Audit log');
    expect(new URL(page.url()).pathname).toBe(`/p/${PROJECT}/audit`);
    await checkAccessibility('the Audit log');
    await screenshot(page, 'audit');
  });

  it('fits a phone: the navigation collapses behind a button, Email and Inbox do not scroll sideways', async () => {
    const expectNoSidewaysScrolling = async (label: string) => {
      const { scrollWidth, innerWidth } = await horizontalOverflow(page);
      expect(scrollWidth, `the document width of ${label} at ${innerWidth} px`).toBeLessThanOrEqual(innerWidth);
    };
    await page.setViewportSize(PHONE);
    try {
      await page.goto(`/p/${PROJECT}/channels/email`);
      await heading('Email').waitFor();
      await imap().getByRole('textbox', { name: 'IMAP Host', exact: true }).waitFor();
      const burger = page.getByRole('button', { name: 'Open navigation', exact: true });
      await burger.waitFor();
      expect(await nav().isVisible(), 'the navigation is collapsed').toBe(false);
      await expectNoSidewaysScrolling('the Email page');
      await checkAccessibility('the Email page at phone width');

      await burger.click();
      await nav().waitFor();
      await openFromSidebar('Inbox');
      // Following a link closes the navigation again.
      await nav().waitFor({ state: 'hidden' });
      await page.getByRole('link', { name: SUBJECT, exact: true }).waitFor();
      await expectNoSidewaysScrolling('the Inbox');
      await checkAccessibility('the Inbox at phone width');
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  it("refuses to enable a project's channel that is not configured, with the API's reason, and the switch stays off", async () => {
    const refused = await api<{ message: string }>('channel-config', 'POST', `${channelPath(EMPTY_PROJECT)}/enable`);
    expect(refused.status).toBe(409);

    await nav().getByLabel('Project', { exact: true }).fill(EMPTY_PROJECT);
    await nav().getByRole('button', { name: 'Open', exact: true }).click();
    await page.waitForURL(`**/p/${EMPTY_PROJECT}/**`);
    await openFromSidebar('Email');
    expect(new URL(page.url()).pathname).toBe(`/p/${EMPTY_PROJECT}/channels/email`);
    const toggle = switchNamed(page, 'Email channel enabled');
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    await page.getByRole('alert').filter({ hasText: refused.body.message }).waitFor();
    expect(await toggle.isChecked()).toBe(false);
    expect((await channel(EMPTY_PROJECT)).status).toBe(404);
    await checkAccessibility('the Email page of an unconfigured project');

    // The Gmail preset fills the spec's Gmail servers (and saves nothing).
    await page.getByRole('button', { name: 'Gmail preset', exact: true }).click();
    const shown = async (fieldset: Locator, name: string) => fieldset.getByRole('textbox', { name, exact: true }).inputValue();
    expect(await shown(imap(), 'IMAP Host')).toBe('imap.gmail.com');
    expect(await shown(imap(), 'IMAP Port')).toBe('993');
    expect(await imap().getByRole('combobox', { name: 'Encryption', exact: true }).inputValue()).toBe(IMAP_ENCRYPTION_SSL);
    expect(await shown(smtp(), 'SMTP Host')).toBe('smtp.gmail.com');
    expect(await shown(smtp(), 'SMTP Port')).toBe('587');
    expect(await smtp().getByRole('combobox', { name: 'Encryption', exact: true }).inputValue()).toBe(SMTP_ENCRYPTION_TLS);
    expect((await channel(EMPTY_PROJECT)).status).toBe(404);

    // A provider from channel-config's presets fills its servers and says how to sign in there.
    await page.getByRole('combobox', { name: 'Provider', exact: true }).click();
    await page.getByRole('option', { name: 'iCloud Mail', exact: true }).click();
    expect(await shown(imap(), 'IMAP Host')).toBe('imap.mail.me.com');
    expect(await shown(smtp(), 'SMTP Host')).toBe('smtp.mail.me.com');
    expect(await shown(smtp(), 'SMTP Port')).toBe('587');
    await page.getByRole('alert').filter({ hasText: 'app-specific password' }).waitFor();
    await checkAccessibility('the Email page with a provider picked');
    expect((await channel(EMPTY_PROJECT)).status).toBe(404);
  });
});
