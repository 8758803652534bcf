import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Words customers and knowledge-base authors use for the same thing in support mail ("send it back" – "return",
 * "delivery" – "shipping", "anrufen" – "Telefon"). A question is looked up with the other words of each group it
 * touches, and a passage that holds any word of a group counts as holding the customer's word: a shop's article is
 * written in the shop's words, the mail in the customer's.
 *
 * Only words that mean the same in every shop's support mail belong here, per ISO 639-1 language; a group holds
 * single words as written (each configuration stems them itself). Several words that mean one ("gift card", "log
 * in") are PHRASES: as a group their words would each stand for the whole ("card" of "credit card" for a voucher).
 */
const GROUPS: Record<string, readonly string[][]> = {
  en: [
    ['shipping', 'delivery', 'deliver', 'dispatch', 'postage'],
    ['return', 'returns'],
    ['refund', 'reimbursement', 'reimburse'],
    ['phone', 'telephone', 'call'],
    ['cost', 'costs', 'fee', 'fees', 'postage'],
    ['cancel', 'cancellation'],
    ['invoice', 'bill'],
    ['login', 'logon', 'signin'],
    ['locked', 'blocked'],
    ['broken', 'damaged', 'defective', 'shattered', 'cracked', 'faulty'],
    ['parcel', 'package', 'shipment'],
    ['valid', 'expire', 'expiry'],
    ['voucher', 'coupon'],
    ['warranty', 'guarantee'],
    ['declined', 'rejected', 'refused', 'failed'],
    ['change', 'modify', 'amend'],
    ['customs', 'duties', 'duty'],
    ['delete', 'erase', 'remove'],
    ['dim', 'dimmed', 'dimmable', 'dimmer', 'dimming'],
    ['clean', 'cleaning', 'polish'],
  ],
  de: [
    ['Versand', 'versenden', 'verschicken', 'Lieferung', 'liefern', 'Zustellung'],
    ['Rücksendung', 'zurückschicken', 'zurückzuschicken', 'zurücksenden', 'zurückzusenden', 'Rückgabe', 'zurückgeben', 'zurückzugeben', 'Retoure', 'retournieren'],
    ['Erstattung', 'Rückerstattung', 'erstatten', 'zurückerstatten'],
    ['Telefon', 'telefonisch', 'anrufen', 'Anruf'],
    ['kostenlos', 'gratis', 'umsonst', 'versandkostenfrei'],
    ['Kosten', 'Porto', 'Gebühr', 'Versandkosten', 'Rücksendekosten'],
    ['Rechnung', 'Quittung'],
    ['stornieren', 'Stornierung', 'storno'],
    ['kaputt', 'beschädigt', 'defekt', 'zerbrochen'],
    ['Paket', 'Sendung', 'Päckchen'],
    ['Gutschein', 'Geschenkgutschein', 'Geschenkkarte'],
    ['Garantie', 'Gewährleistung'],
    ['abgelehnt', 'fehlgeschlagen'],
    ['ändern', 'Änderung'],
    ['kaufen', 'bestellen'],
  ],
};

/** Phrases that name a group's subject without any of its words ("send it back" asks about a return). */
const PHRASES: Record<string, ReadonlyArray<readonly [RegExp, string]>> = {
  en: [
    [/\b(?:send|sending|sent|ship|post|posting|bring|take|mail)\b(?:\s+[\p{L}\d'’-]+){0,4}?\s+back\b/iu, 'return'],
    [/\bmoney\s+back\b|\b(?:get|see|receive)\s+(?:my|the|our)\s+money\b/iu, 'refund'],
    [/\b(?:get|got|getting)\s+back\s+in\b|\blocked\s+(?:me\s+)?out\b/iu, 'login locked'],
    [/\b(?:log|sign)(?:ged|ging)?\s+(?:in|on)\b/iu, 'login'],
    [/\bfree\s+of\s+charge\b/iu, 'free'],
    [/\bgift\s*cards?\b/iu, 'voucher'],
    [/\bimport\s+tax(?:es)?\b/iu, 'customs'],
  ],
  de: [
    [/\bGeld\b(?:\s+[\p{L}\d'’-]+){0,4}?\s+zurück/iu, 'Erstattung'],
    [/\bzurück\s*(?:schicken|senden|geben)\b/iu, 'Rücksendung'],
  ],
};

/** The lexemes of each group in one text search configuration. */
export type WordGroups = ReadonlyArray<ReadonlySet<string>>;

@Injectable()
export class SupportVocabulary {
  private readonly groups = new Map<string, Promise<WordGroups>>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * The words to look `text` up with besides its own: those of every group it touches, and what its phrases name.
   * `language` is the mail's; `config` its text search configuration. `phraseGroups`: for each phrase found, its
   * words with what it names, as one more group ("send it back" holds "send" and "back" and means "return").
   */
  async expansionOf(text: string, language: string, config: string): Promise<{ words: string; phraseGroups: WordGroups }> {
    const words = GROUPS[language];
    if (!words) return { words: '', phraseGroups: [] };
    const phrases = (PHRASES[language] ?? []).flatMap(([pattern, named]) => {
      const found = pattern.exec(text);
      return found ? [{ text: found[0], named }] : [];
    });
    const extra = phrases.map((phrase) => phrase.named);
    const lexemes = new Set(await this.lexemesOf(`${text} ${extra.join(' ')}`, config));
    const groups = await this.groupsIn(language, config);
    groups.forEach((group, index) => {
      if ([...group].some((lexeme) => lexemes.has(lexeme))) extra.push(...words[index]!);
    });
    const phraseGroups = await Promise.all(phrases.map(async (phrase) => new Set(await this.lexemesOf(`${phrase.text} ${phrase.named}`, config))));
    return { words: [...new Set(extra)].join(' '), phraseGroups };
  }

  /** The groups of `language` as lexemes of `config`; none for a language without groups. */
  groupsIn(language: string, config: string): Promise<WordGroups> {
    const key = `${language}\u0000${config}`;
    let groups = this.groups.get(key);
    if (!groups) {
      groups = Promise.all((GROUPS[language] ?? []).map(async (group) => new Set(await this.lexemesOf(group.join(' '), config))));
      groups.catch(() => this.groups.delete(key));
      this.groups.set(key, groups);
    }
    return groups;
  }

  private async lexemesOf(text: string, config: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ lexeme: string }>>(
      `SELECT word.lexeme FROM unnest(to_tsvector($1::text::regconfig, $2)) AS word(lexeme, positions, weights)`,
      [config, text.slice(0, 4_000).replace(/\u0000/g, ' ')],
    );
    return rows.map((row) => row.lexeme);
  }
}
