/**
 * Bytes of a received mail → text, whatever the mail claims. Mail systems label their text wrongly all the time:
 * 8-bit Latin-1 under `us-ascii` or no label, EUC-JP under `iso-2022-jp`, raw ISO-2022-JP escapes in a part with no
 * charset, Microsoft's names (`ks_c_5601-1987`), the subsets of what they really use (`gb2312`), UTF-7. The rule is:
 * believe the label when the bytes fit it, otherwise decode what the bytes are.
 */
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';

/** Labels for which we decode with a superset or the real name: what Windows and most mail clients do too. */
const ALIASES: Record<string, string> = {
  ksc56011987: 'cp949',
  ksc5601: 'cp949',
  euckr: 'cp949',
  gb2312: 'gb18030',
  gb231280: 'gb18030',
  gbk: 'gb18030',
  xgbk: 'gb18030',
  cp936: 'gb18030',
  unicode11utf7: 'utf7',
  utf7: 'utf7',
  csunicode11utf7: 'utf7',
  shiftjis: 'cp932',
  sjis: 'cp932',
  xsjis: 'cp932',
  windows31j: 'cp932',
  mskanji: 'cp932',
  // WHATWG: browsers have always read these as windows-1252, and so does mail written on Windows.
  iso88591: 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  usascii: 'windows-1252',
  ascii: 'windows-1252',
  iso646us: 'windows-1252',
  ansix341968: 'windows-1252',
};

/** Labels that promise UTF-8 (or nothing at all): believed only when the bytes are valid UTF-8. */
const UTF8_LABELS = new Set(['', 'utf8', 'uft8', 'utf', 'unicode', 'xunknown', 'unknown', 'none', 'default', 'us', 'charset']);

/** iconv-lite names that are transfer encodings, not charsets: a label naming one is treated as unknown. */
const NOT_CHARSETS = new Set(['base64', 'hex']);

const JIS_ESCAPE = /\x1b\$[@B]|\x1b\(J|\x1b\$\(D/u;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8Decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function hasEightBitBytes(bytes: Uint8Array): boolean {
  // An index loop: the iterator form costs several ms per MB.
  for (let index = 0; index < bytes.length; index++) if (bytes[index]! >= 0x80) return true;
  return false;
}

/** Lower-case letters and digits only, the way iconv compares charset names. */
export function charsetKey(label: string | null | undefined): string {
  return (label ?? '').toLowerCase().replace(/[^a-z0-9]/gu, '');
}

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

const japanese = (bytes: Uint8Array, from: Encoding.EncodingName): string =>
  Encoding.convert(bytes, { to: 'UNICODE', from, type: 'string' });

/** EUC-JP or Shift_JIS (or UTF-8) bytes, as detected; for Japanese text labelled as 7-bit ISO-2022-JP. */
function decodeEightBitJapanese(bytes: Uint8Array): string {
  if (isValidUtf8(bytes)) return Buffer.from(bytes).toString('utf8');
  // Unrestricted detection: restricted to the two candidates, encoding-japanese takes EUC-JP for Shift_JIS.
  const detected = Encoding.detect(bytes);
  return japanese(bytes, detected === 'SJIS' ? 'SJIS' : 'EUCJP');
}

/** Text of `bytes` labelled `charset` (the label may be missing or wrong). Never throws. */
export function decodeText(bytes: Uint8Array, charset: string | null | undefined): string {
  const key = charsetKey(charset);
  const eightBit = hasEightBitBytes(bytes);

  if (key.startsWith('iso2022jp') || key === 'jis' || key === 'csiso2022jp') {
    return stripBom(eightBit ? decodeEightBitJapanese(bytes) : japanese(bytes, 'JIS'));
  }
  if (UTF8_LABELS.has(key) || ALIASES[key] === 'windows-1252') {
    // ISO-2022-JP is 7-bit: Japanese mail without (or with a wrong) label still shows its escape sequences.
    if (!eightBit && JIS_ESCAPE.test(Buffer.from(bytes).toString('latin1'))) return japanese(bytes, 'JIS');
    if (!eightBit || isValidUtf8(bytes)) return stripBom(Buffer.from(bytes).toString('utf8'));
    return iconv.decode(Buffer.from(bytes), 'windows-1252');
  }
  const name = ALIASES[key] ?? (charset ?? '').trim().replace(/^["']|["']$/gu, '');
  if (name === 'utf7') return stripBom(decodeUtf7(bytes));
  if (name !== '' && !NOT_CHARSETS.has(key) && iconv.encodingExists(name)) {
    try {
      return stripBom(iconv.decode(Buffer.from(bytes), name));
    } catch {
      // fall through to the guess below
    }
  }
  if (key === 'eucjp' || key === 'xeucjp') return japanese(bytes, 'EUCJP');
  return !eightBit || isValidUtf8(bytes) ? stripBom(Buffer.from(bytes).toString('utf8')) : iconv.decode(Buffer.from(bytes), 'windows-1252');
}

const BASE64_VALUES = (() => {
  const values = new Int8Array(256).fill(-1);
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].forEach((char, index) => (values[char.charCodeAt(0)] = index));
  return values;
})();

/**
 * UTF-7 (RFC 2152): bytes as they are, except `+…-` runs of base64 UTF-16. iconv-lite decodes each run with two
 * decoder calls, so a mail of millions of tiny runs took 300 ms per MB; this is one pass.
 */
export function decodeUtf7(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  let length = 0;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte !== 0x2b) {
      units[length++] = byte;
      continue;
    }
    // "+-" is a plain "+".
    if (bytes[index + 1] === 0x2d) {
      units[length++] = 0x2b;
      index += 1;
      continue;
    }
    let bits = 0;
    let bitCount = 0;
    let next = index + 1;
    for (; next < bytes.length; next++) {
      const value = BASE64_VALUES[bytes[next]!]!;
      if (value < 0) break;
      bits = ((bits << 6) | value) & 0x3fffff;
      bitCount += 6;
      if (bitCount >= 16) {
        bitCount -= 16;
        units[length++] = (bits >> bitCount) & 0xffff;
      }
    }
    // The "-" that ends a run is absorbed; any other end character is text again.
    index = bytes[next] === 0x2d ? next : next - 1;
  }
  let text = '';
  for (let start = 0; start < length; start += 8192) text += String.fromCharCode(...units.subarray(start, Math.min(start + 8192, length)));
  return text;
}

/**
 * A raw header line with 8-bit bytes (RFC 6532 allows UTF-8; old clients wrote their local charset without saying
 * so) as UTF-8 text. `hint` is a charset the message names elsewhere (its Content-Type or encoded words).
 */
export function decodeHeaderBytes(bytes: Uint8Array, hint: string | null): string {
  if (!hasEightBitBytes(bytes) || isValidUtf8(bytes)) return Buffer.from(bytes).toString('utf8');
  const hintKey = charsetKey(hint);
  if (hintKey !== '' && !UTF8_LABELS.has(hintKey)) return decodeText(bytes, hint);
  return iconv.decode(Buffer.from(bytes), 'windows-1252');
}
