/** Where a message's attachment is served: the inbox API route of AttachmentsController. */
export function attachmentPath(ids: { projectId: string; ticketId: string; messageId: string }, index: number): string {
  return `/v1/projects/${ids.projectId}/tickets/${ids.ticketId}/messages/${ids.messageId}/attachments/${index}`;
}

/**
 * mail-ingest rewrites inline `cid:` images to `ensoras-attachment:<index>` (an index into the message's
 * attachments). Only as an attribute value (after `=` or a quote) is it a reference: the same words in the text stay.
 */
const ATTACHMENT_REFERENCE = /(=\s*["']?|["'])ensoras-attachment:(\d{1,6})(?=["'\s>]|$)/g;

/**
 * The HTML as an agent's browser should see it: each reference to an attachment the message has becomes the API
 * path that serves it. References to attachments not kept (over the size limit, or an index out of range) stay
 * as they are, pointing nowhere, rather than at a route that can only answer 404.
 */
export function linkAttachments(
  html: string | null,
  ids: { projectId: string; ticketId: string; messageId: string },
  attachmentCount: number,
): string | null {
  if (html === null || !html.includes('ensoras-attachment:')) return html;
  return html.replace(ATTACHMENT_REFERENCE, (whole, prefix: string, index: string) => {
    const number = Number(index);
    return number < attachmentCount ? `${prefix}${attachmentPath(ids, number)}` : whole;
  });
}
