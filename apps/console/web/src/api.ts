/**
 * The one typed API client of the page. Every call goes to the console's own origin (`/api/<service>/…`, forwarded by
 * the console's server to the service's own path) with `Authorization: Bearer <token>`; the token lives in
 * sessionStorage, so it is kept for this tab's session only. A 401 signs the tab out with a message.
 */
import type {
  AuditEntryView,
  EmailChannelStatusView,
  EmailChannelView,
  EmailProviderPreset,
  OAuthProvider,
  OAuthStateView,
  ProjectConfigurationView,
  QuarantineEntryView,
  TestConnectionResult,
  TicketDetailView,
  TicketMessageView,
  TicketPage,
  TicketStatus,
  TicketView,
  UnattachedMailPage,
} from '@ensoras/contracts';
import type { ChannelRequestBody } from './api-types.ts';

export type * from './api-types.ts';

const TOKEN_KEY = 'ensoras.console.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Told when a call is refused with 401: the page signs out and says why. */
type UnauthorizedListener = (message: string) => void;
let unauthorizedListener: UnauthorizedListener | null = null;

export function onUnauthorized(listener: UnauthorizedListener | null): void {
  unauthorizedListener = listener;
}

export const SESSION_ENDED_MESSAGE = 'The token was refused: sign in again.';

/**
 * A response other than 2xx. `messages` are the API's: a Nest error body's `message`, a string or (for validation
 * errors) a list of `<field path>: <reason>`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly body: unknown,
  ) {
    super(messages.join('; ') || `The request failed (HTTP ${status})`);
    this.name = 'ApiError';
  }
}

/** The messages of an error body as Nest shapes it (`{statusCode, error, message}`), or the status line. */
export function messagesOf(status: number, body: unknown): string[] {
  if (body && typeof body === 'object' && 'message' in body) {
    const { message } = body as { message: unknown };
    if (Array.isArray(message)) return message.filter((item): item is string => typeof item === 'string');
    if (typeof message === 'string' && message !== '') return [message];
  }
  if (typeof body === 'string' && body.trim() !== '' && body.length < 500 && !body.trimStart().startsWith('<')) return [body.trim()];
  return [`The request failed (HTTP ${status})`];
}

/** What to show of any error: the API's message(s), or the network failure. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The console could not be reached. Check the connection and try again.';
  return error instanceof Error ? error.message : String(error);
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function send(method: Method, path: string, body?: unknown, token = storedToken()): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  const parsed = await bodyOf(response);
  if (response.status === 401) {
    forgetToken();
    unauthorizedListener?.(SESSION_ENDED_MESSAGE);
  }
  if (!response.ok) throw new ApiError(response.status, messagesOf(response.status, parsed), parsed);
  return parsed as T;
}

/** As request, but a 404 (not configured yet, or the route is not offered) is null. */
async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

const segment = (value: string) => encodeURIComponent(value);
const PRESETS_PATH = '/api/config/v1/presets/email';
const configPath = (projectId: string) => `/api/config/v1/projects/${segment(projectId)}`;
const inboxPath = (projectId: string) => `/api/inbox/v1/projects/${segment(projectId)}`;
const ingestPath = (projectId: string) => `/api/ingest/v1/projects/${segment(projectId)}`;
const ticketPath = (projectId: string, ticketId: string) => `${inboxPath(projectId)}/tickets/${segment(ticketId)}`;

export type TokenCheck = { outcome: 'valid' } | { outcome: 'refused' } | { outcome: 'unavailable'; message: string };

/**
 * A cheap authenticated GET that any valid token may make, the ADMIN_TOKEN or a scoped one (whatever its scopes and
 * projects): 200 means the token is good, 401 that it is refused.
 */
export async function checkToken(token: string): Promise<TokenCheck> {
  let response: Response;
  try {
    response = await send('GET', PRESETS_PATH, undefined, token);
  } catch {
    return { outcome: 'unavailable', message: 'The console could not be reached. Check the connection and try again.' };
  }
  if (response.status === 200) return { outcome: 'valid' };
  if (response.status === 401) return { outcome: 'refused' };
  const detail = messagesOf(response.status, await bodyOf(response)).join('; ');
  return { outcome: 'unavailable', message: `The token could not be checked: ${detail}` };
}

export const api = {
  /** The well-known providers' settings (channel-config), for filling in the channel form. */
  presets: () => request<{ presets: EmailProviderPreset[] }>('GET', PRESETS_PATH),

  configuration: {
    get: (projectId: string) => request<ProjectConfigurationView>('GET', `${configPath(projectId)}/configuration`),
    put: (projectId: string, communicationStyle: string) =>
      request<ProjectConfigurationView>('PUT', `${configPath(projectId)}/configuration`, { communicationStyle }),
  },

  channel: {
    /** null while the channel was never configured. */
    get: (projectId: string) => orNull(request<EmailChannelView>('GET', `${configPath(projectId)}/channels/email`)),
    /** null while the channel was never configured. */
    status: (projectId: string) => orNull(request<EmailChannelStatusView>('GET', `${configPath(projectId)}/channels/email/status`)),
    put: (projectId: string, body: ChannelRequestBody) =>
      request<EmailChannelView>('PUT', `${configPath(projectId)}/channels/email`, body),
    patch: (projectId: string, body: ChannelRequestBody) =>
      request<EmailChannelView>('PATCH', `${configPath(projectId)}/channels/email`, body),
    enable: (projectId: string) => request<EmailChannelView>('POST', `${configPath(projectId)}/channels/email/enable`),
    disable: (projectId: string) => request<EmailChannelView>('POST', `${configPath(projectId)}/channels/email/disable`),
    /** Logs in again where repeated authentication failures paused a direction (a new revision); 200 when nothing was paused too. */
    resume: (projectId: string) => request<EmailChannelView>('POST', `${configPath(projectId)}/channels/email/resume`),
    /** Tests the saved settings (the API takes no body): 200 whatever the outcome, 409 while not configured. */
    testConnection: (projectId: string) =>
      request<TestConnectionResult>('POST', `${configPath(projectId)}/channels/email/test-connection`),
    /** The project's OAuth2 grants and which providers it may connect with. */
    oauth: (projectId: string) => request<OAuthStateView>('GET', `${configPath(projectId)}/channels/email/oauth`),
    /** The provider's consent page for this project (PKCE, single-use state); the browser goes there. */
    oauthStart: (projectId: string, provider: OAuthProvider) =>
      request<{ url: string }>('POST', `${configPath(projectId)}/channels/email/oauth/start`, { provider }),
    audit: (projectId: string, limit = 100) =>
      request<{ entries: AuditEntryView[] }>('GET', `${configPath(projectId)}/channels/email/audit?limit=${limit}`),
  },

  tickets: {
    list: (projectId: string, options: { status?: TicketStatus | null; cursor?: string | null; limit?: number }) => {
      const query = new URLSearchParams({ limit: String(options.limit ?? 25) });
      if (options.status) query.set('status', options.status);
      if (options.cursor) query.set('cursor', options.cursor);
      return request<TicketPage>('GET', `${inboxPath(projectId)}/tickets?${query.toString()}`);
    },
    get: (projectId: string, ticketId: string) => request<TicketDetailView>('GET', ticketPath(projectId, ticketId)),
    handOff: (projectId: string, ticketId: string, reason: string) =>
      request<TicketView>('POST', `${ticketPath(projectId, ticketId)}/handoff`, { reason }),
    resumeAi: (projectId: string, ticketId: string) => request<TicketView>('POST', `${ticketPath(projectId, ticketId)}/resume-ai`),
    close: (projectId: string, ticketId: string) => request<TicketView>('POST', `${ticketPath(projectId, ticketId)}/close`),
    reply: (projectId: string, ticketId: string, text: string) =>
      request<TicketMessageView>('POST', `${ticketPath(projectId, ticketId)}/replies`, { text }),
    /** `text` null sends the draft as the AI wrote it. */
    sendDraft: (projectId: string, ticketId: string, draftId: string, text: string | null) =>
      request<TicketMessageView>(
        'POST',
        `${ticketPath(projectId, ticketId)}/drafts/${segment(draftId)}/send`,
        text === null ? {} : { text },
      ),
    discardDraft: (projectId: string, ticketId: string, draftId: string) =>
      request<TicketMessageView>('DELETE', `${ticketPath(projectId, ticketId)}/drafts/${segment(draftId)}`),
  },

  /** The attachment route; a plain link cannot carry the token, so downloads go through `downloadAttachment`. */
  attachmentUrl: (projectId: string, ticketId: string, messageId: string, index: number) =>
    `${ticketPath(projectId, ticketId)}/messages/${segment(messageId)}/attachments/${index}`,

  unattached: {
    list: (projectId: string, options: { cursor?: string | null; limit?: number }) => {
      const query = new URLSearchParams({ limit: String(options.limit ?? 25) });
      if (options.cursor) query.set('cursor', options.cursor);
      return request<UnattachedMailPage>('GET', `${inboxPath(projectId)}/unattached-mail?${query.toString()}`);
    },
  },

  quarantine: {
    /** null when mail-ingest offers no admin routes (it runs without ADMIN_TOKEN). */
    list: (projectId: string) => orNull(request<{ projectId: string; items: QuarantineEntryView[] }>('GET', `${ingestPath(projectId)}/quarantine`)),
    retry: (projectId: string, id: string) =>
      request<{ id: string; published: true; messageId: string; duplicate: boolean }>(
        'POST',
        `${ingestPath(projectId)}/quarantine/${segment(id)}/retry`,
      ),
  },
};

/** Fetches an attachment with the token and hands it to the browser as a download. */
export async function downloadAttachment(url: string, filename: string): Promise<void> {
  const response = await send('GET', url);
  if (response.status === 401) {
    forgetToken();
    unauthorizedListener?.(SESSION_ENDED_MESSAGE);
  }
  if (!response.ok) throw new ApiError(response.status, messagesOf(response.status, await bodyOf(response)), null);
  const objectUrl = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = objectUrl;
    link.download = filename;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The click starts the download synchronously; give the browser a moment before the URL goes.
    setTimeout(() => URL.revokeObjectURL(objectUrl), 10_000);
  }
}
