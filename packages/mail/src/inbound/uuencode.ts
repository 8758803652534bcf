/**
 * Old mail programs put files into the text itself, uuencoded (`begin 644 name` … `end`). Shown as text that is a
 * wall of garbage; we put a short placeholder in its place.
 */
const UUENCODED_BLOCK = /^begin(?:-base64)? [0-7]{3,4} ([^\r\n]+)\r?\n(?:[^\r\n]*\r?\n)*?end[ \t]*(?:\r?\n|$)/gmu;

export function replaceUuencodedBlocks(text: string): string {
  if (!text.includes('begin ')) return text;
  return text.replace(UUENCODED_BLOCK, (_block, name: string) => `[uuencoded file: ${name.trim()}]\n`);
}
