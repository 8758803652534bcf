import { ImapFlow, type ImapFlowOptions } from 'imapflow';

/** The mailbox's Sent folder, selected, within one IMAP session. */
export interface SentFolder {
  readonly path: string;
  /** Whether it holds a message with this Message-ID whose internal date is no earlier than a day before `sentAt`. */
  holds(messageId: string, sentAt: Date): Promise<boolean>;
  /** Appends the message as it is, flagged \Seen (we wrote it, nobody needs to read it as new), dated `sentAt`. */
  append(raw: Buffer, sentAt: Date): Promise<void>;
}

/** Thrown when the server refuses a search: not knowing whether the copy is there, we must not append it. */
export class SentFolderSearchRefused extends Error {
  override readonly name = 'SentFolderSearchRefused';
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Logs in, finds the Sent folder and runs `work` with it selected, then logs out. The Sent folder is the one the
 * server marks SPECIAL-USE \Sent (RFC 6154); on a server that marks none (cPanel and Courier hosting, Dovecot without
 * special_use settings), the one a mail client would take by its name ("Sent", "Sent Items", "INBOX.Sent",
 * "Gesendete Elemente" …: imapflow's table of localized names, one winner). None is created: without one the result
 * is `{ found: false }`. An abort closes the connection at once.
 */
export async function withSentFolder(
  options: ImapFlowOptions,
  work: (folder: SentFolder) => Promise<void>,
  signal?: AbortSignal,
): Promise<{ found: boolean }> {
  // One short session per batch: no IDLE between commands, nothing left open.
  const client = new ImapFlow({ ...options, disableAutoIdle: true });
  // imapflow reports a broken socket as an 'error' event too; the command that was waiting rejects with it.
  client.on('error', () => undefined);
  const abort = () => client.close();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    const sent = (await client.list()).find((mailbox) => mailbox.specialUse === '\\Sent');
    if (!sent) return { found: false };
    // Read-only (EXAMINE): searching needs no write access, and appending does not need the folder selected.
    const lock = await client.getMailboxLock(sent.path, { readOnly: true });
    try {
      await work({
        path: sent.path,
        async holds(messageId, sentAt) {
          // SINCE narrows the search by the index's internal dates before any header is read; our own copies carry
          // sentAt as their date, a provider's its arrival, both later than a day before.
          const found = await client.search({ header: { 'message-id': messageId }, since: new Date(sentAt.getTime() - DAY_MS) }, { uid: true });
          if (!Array.isArray(found)) throw new SentFolderSearchRefused(`The server refused to search ${sent.path}`);
          return found.length > 0;
        },
        async append(raw, sentAt) {
          const appended = await client.append(sent.path, raw, ['\\Seen'], sentAt);
          if (!appended) throw new Error(`The server did not take the message into ${sent.path}`);
        },
      });
    } finally {
      lock.release();
    }
    return { found: true };
  } finally {
    signal?.removeEventListener('abort', abort);
    if (client.usable) await client.logout().catch(() => client.close());
    else client.close();
  }
}
