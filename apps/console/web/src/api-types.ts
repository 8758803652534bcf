/**
 * The body the channel form sends, which @ensoras/contracts holds only as DTO classes (value imports, which would
 * bring class-validator into the page). Everything else comes from the contracts, as types only.
 */
import type { AiMode, ImapEncryption, MailAuth, SmtpEncryption } from '@ensoras/contracts';

/**
 * The body of PUT and PATCH …/channels/email as the form sends it (PutEmailChannelDto / PatchEmailChannelDto). A
 * number field left empty goes as null, so the API names it in its 400 instead of keeping a stored value; a password
 * left empty is left out, which keeps the saved one.
 */
export interface ChannelRequestBody {
  imap?: {
    auth?: MailAuth;
    host?: string;
    port?: number | null;
    encryption?: ImapEncryption;
    username?: string;
    password?: string;
    validateCertificate?: boolean;
    markAsRead?: boolean;
  };
  smtp?: {
    auth?: MailAuth;
    host?: string;
    port?: number | null;
    encryption?: SmtpEncryption;
    username?: string;
    password?: string;
    validateCertificate?: boolean;
  };
  identity?: { fromEmail?: string; fromName?: string; signatureHtml?: string };
  guidelines?: string;
  responseDelay?: { minSeconds?: number | null; maxSeconds?: number | null };
  safety?: {
    maxMessageSizeMb?: number | null;
    maxAiRepliesPerTicket?: number | null;
    maxAiRepliesPerAddress?: number | null;
    loopWindowMinutes?: number | null;
    maxAiRepliesPerHour?: number;
  };
  import?: { since: string | null };
  aiMode?: AiMode;
  handoff?: { acknowledge?: boolean; text?: string };
  sentFolder?: { append?: boolean };
}
