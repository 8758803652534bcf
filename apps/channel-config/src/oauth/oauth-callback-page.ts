import { OAUTH_PROVIDER_NAMES } from '@ensoras/contracts';
import type { CallbackOutcome } from './oauth-connect.service.js';

/** Where the browser goes after the callback: OAUTH_DONE_URL with the outcome in the query. */
export function doneRedirect(doneUrl: string, outcome: CallbackOutcome): string {
  const url = new URL(doneUrl);
  url.searchParams.set('oauth', outcome.connected ? 'connected' : 'failed');
  if (outcome.provider) url.searchParams.set('provider', outcome.provider);
  if (outcome.projectId) url.searchParams.set('project', outcome.projectId);
  if (!outcome.connected) url.searchParams.set('reason', outcome.reason);
  return url.href;
}

/** The small page the callback answers without OAUTH_DONE_URL: what happened, in words; nothing secret. */
export function callbackPage(outcome: CallbackOutcome): string {
  const provider = outcome.provider ? OAUTH_PROVIDER_NAMES[outcome.provider] : 'the provider';
  const title = outcome.connected ? `Mailbox connected with ${provider}` : `Connecting with ${provider} failed`;
  const detail = outcome.connected
    ? `Project ${outcome.projectId} can now read and send mail as ${outcome.account || 'the account that consented'}. You can close this window.`
    : `Project ${outcome.projectId ?? '(unknown)'}: ${outcome.reason}.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(detail)}</p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
