import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmailChannelView } from '@ensoras/contracts';
import { type ChannelStack, PROJECT, type ServiceProcess, startChannelStack, startConsole, SUPPORT } from '@ensoras/testing';
import { choose, DESKTOP, launchChromium, seriousAxeViolations } from './console/browser.js';

/**
 * An admin switches a saved channel to OAuth2 in the console and connects the mailbox: the browser goes to the
 * (local) provider's consent page, comes back through channel-config's callback, and the console shows the account.
 */
describe('connecting a mailbox with OAuth2 from the console', () => {
  let browser: Browser | undefined;
  let stack: ChannelStack;
  let consoleApp: ServiceProcess | undefined;
  let page: Page;
  const C = `/v1/projects/${PROJECT}/channels/email`;
  const group = (legend: string) => page.getByRole('group', { name: legend, exact: true });

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startChannelStack('console-oauth', { oauth: true });
    consoleApp = await startConsole(stack.services);
    const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', baseURL: consoleApp.url });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    // The callback's public address (OAUTH_REDIRECT_URL) is channel-config behind a name only this browser knows.
    const redirect = new URL(stack.oauthRedirectUrl!);
    await context.route(`${redirect.origin}/**`, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({ url: `${stack.services.url('channel-config')}${url.pathname}${url.search}` });
      await route.fulfill({ response });
    });
  });

  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(() => console.error(`Service logs for "${task.name}": ${stack?.services.saveLogs(task.name)}`));
  });

  afterAll(async () => {
    await browser?.close();
    await consoleApp?.stop();
    await stack?.stop();
  });

  it('saves OAuth2 as the sign-in of both directions, connects with Google, and shows the connected account', async () => {
    expect((await stack.api('channel-config', 'PUT', C, stack.channelSettings())).status).toBe(200);

    await page.goto('/');
    await page.getByRole('textbox', { name: 'Admin token', exact: true }).fill(stack.adminToken);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The token is kept once the check answered; a page opened before that would ask to sign in again.
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    await page.goto(`/p/${PROJECT}/channels/email`);
    for (const legend of ['IMAP Configuration (Incoming)', 'SMTP Configuration (Outgoing)']) {
      await choose(page, group(legend).getByRole('combobox', { name: 'Sign-in', exact: true }), 'OAuth2 with Google');
      // No password with OAuth2: the field is gone.
      expect(await group(legend).getByLabel('Password', { exact: true }).count()).toBe(0);
    }
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'OAuth2 connection', exact: true }).waitFor();
    const saved = await stack.api<EmailChannelView>('channel-config', 'GET', C);
    expect(saved.body.imap).toMatchObject({ auth: { type: 'oauth2', provider: 'google' }, passwordSet: false });
    expect(saved.body.smtp).toMatchObject({ auth: { type: 'oauth2', provider: 'google' }, passwordSet: false });
    expect(await page.getByText('Not connected', { exact: true }).isVisible()).toBe(true);
    expect(await seriousAxeViolations(page, 'the Email page with OAuth2')).toBe('');

    // To the provider's consent (it consents at once) and back through channel-config's callback.
    await page.getByRole('button', { name: 'Connect with Google', exact: true }).click();
    await page.getByText(`as ${SUPPORT.username}`).waitFor();

    await page.goto(`/p/${PROJECT}/channels/email`);
    await page.getByText('Connected', { exact: true }).waitFor();
    expect(await page.getByText(SUPPORT.username, { exact: false }).first().isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Connect Google again', exact: true }).isVisible()).toBe(true);
  });
});
