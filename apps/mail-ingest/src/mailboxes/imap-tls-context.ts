import { createSecureContext, type SecureContext } from 'node:tls';

let shared: SecureContext | undefined;

/**
 * The one TLS context of all IMAP connections of this process. Without it every connection builds its own (tls.connect
 * does), about 13 KB of OpenSSL memory each, 13 MB for 1,000 watched mailboxes (docs/benchmarks.md). One context fits
 * every channel: its only TLS setting, validateCertificate, is the connection's rejectUnauthorized, which is checked
 * per connection and is not part of the context; the trusted CAs are the same for all (Node's defaults and
 * NODE_EXTRA_CA_CERTS).
 */
export function imapSecureContext(): SecureContext {
  shared ??= createSecureContext();
  return shared;
}
