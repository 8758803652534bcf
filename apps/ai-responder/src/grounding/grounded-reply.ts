import type { RetrievedPassage } from '../knowledge/knowledge-retriever.js';

/** The fixed sentences of an offline reply, per language the knowledge base may be written in. */
interface ReplyPhrases {
  hello: (name: string | null) => string;
  thanks: string;
  more: string;
  closing: string;
  regards: string;
}

const PHRASES: Record<string, ReplyPhrases> = {
  en: {
    hello: (name) => (name ? `Hello ${name},` : 'Hello,'),
    thanks: 'Thank you for your message.',
    more: 'More:',
    closing: 'If anything is still unclear, just reply to this email.',
    regards: 'Kind regards,',
  },
  de: {
    hello: (name) => (name ? `Hallo ${name},` : 'Guten Tag,'),
    thanks: 'vielen Dank für Ihre Nachricht.',
    more: 'Mehr dazu:',
    closing: 'Wenn noch etwas unklar ist, antworten Sie einfach auf diese E-Mail.',
    regards: 'Viele Grüße',
  },
  fr: {
    hello: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    thanks: 'Merci pour votre message.',
    more: 'Pour en savoir plus :',
    closing: "Si quelque chose n'est pas clair, répondez simplement à cet e-mail.",
    regards: 'Cordialement,',
  },
  es: {
    hello: (name) => (name ? `Hola ${name}:` : 'Hola:'),
    thanks: 'Gracias por su mensaje.',
    more: 'Más información:',
    closing: 'Si algo no queda claro, responda a este correo.',
    regards: 'Saludos cordiales,',
  },
  it: {
    hello: (name) => (name ? `Buongiorno ${name},` : 'Buongiorno,'),
    thanks: 'grazie per il suo messaggio.',
    more: 'Per saperne di più:',
    closing: 'Se qualcosa non fosse chiaro, risponda pure a questa e-mail.',
    regards: 'Cordiali saluti,',
  },
  nl: {
    hello: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
    thanks: 'Bedankt voor uw bericht.',
    more: 'Meer informatie:',
    closing: 'Is er nog iets onduidelijk? Beantwoord dan gewoon deze e-mail.',
    regards: 'Met vriendelijke groet,',
  },
};

/** Languages the offline responder writes its own sentences in; knowledge in others is answered in English. */
export const REPLY_LANGUAGES = Object.keys(PHRASES);

/**
 * The offline responder's reply: a greeting by name, the knowledge base's passages as they are written (nothing
 * invented, nothing of the customer's mail repeated), where to read more, and a closing signed with the channel's
 * From name. In the language of the passages, so a German mail answered from German articles is answered in German.
 */
export function composeGroundedReply(input: { customerName: string | null; senderName: string; language: string; passages: RetrievedPassage[] }): string {
  const phrases = PHRASES[input.language] ?? PHRASES.en!;
  const blocks = input.passages.map((passage) => {
    const body = withoutLeadingHeading(passage).trim();
    return passage.url ? `${body}\n\n${phrases.more} ${passage.url}` : body;
  });
  return [phrases.hello(input.customerName), '', phrases.thanks, '', blocks.join('\n\n'), '', phrases.closing, '', phrases.regards, input.senderName].join('\n');
}

/** A passage may start with its article title or section heading, which reads oddly in a mail: left out. */
function withoutLeadingHeading(passage: RetrievedPassage): string {
  const lines = passage.text.split('\n');
  const labels = new Set([passage.title, passage.heading, passage.heading ? `${passage.title} – ${passage.heading}` : null].filter(Boolean).map((label) => normalize(label!)));
  while (lines.length > 1 && (labels.has(normalize(lines[0]!)) || /^#{1,6}\s/u.test(lines[0]!))) lines.shift();
  return lines.join('\n');
}

function normalize(text: string): string {
  return text.replace(/^#+\s*/u, '').replace(/[\s:–-]+/gu, ' ').trim().toLowerCase();
}
