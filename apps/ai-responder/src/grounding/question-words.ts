/**
 * Stems (as PostgreSQL's snowball stemmers write them) of words that frame a question without saying what it is
 * about: "how long does it usually take", "I would like to know", "wie lange dauert das". They are not asked of the
 * knowledge base: a passage need not contain them to answer, and the knowledge base not knowing them says nothing.
 * Numbers are details of the customer's case and count as such words too.
 */
const FRAMING: Record<string, ReadonlySet<string>> = {
  english: new Set(
    'know need want like wonder worri happen possibl still usual pleas help thank question hello hi also would could get go tell let ask long take much mani way exact actual realli just anyth someth thing abl sure current right okay ok yes one make see look soon quick fast normal alreadi again anyon anybodi someon somebodi everyth day time week today tomorrow yesterday mean said say think hope lol thx pls plz btw asap even suppos ago kind sort last peopl guy taken took m d s ll ve re t two three four five six seven eight nine ten give shop store websit site onlin buy bought purchas fix solv sort resolv handl explain'.split(' '),
  ),
  german: new Set(
    'wiss brauch woll mocht moglich noch normal bitt hilf dank frag hallo hi auch wurd konnt bekomm geh sag lass lang dauert dauer viel vielleicht genau eigent wirklich einfach etwas ding sich richtig ok ja mach seh schau bald schnell schon wied jemand all tag zeit woch heut morg gest mein denk hoff gern kurz zwei drei vier fünf sechs sieben acht neun zehn'.split(' '),
  ),
};

/** Whether `lexeme` only frames a question in the configuration `config` (english, german, …). */
export function isFramingWord(config: string, lexeme: string): boolean {
  // A number in a question is the customer's detail ("my basket is at 85 EUR"), never what it is about.
  return (FRAMING[config]?.has(lexeme) ?? false) || /^[\d.,:-]+$/u.test(lexeme);
}
