/**
 * Upload descriptions, upload ids and error messages come from Glacier (and, before that, from
 * whoever started the upload): they are untrusted text. Everything shown to a person or put into an
 * SNS subject goes through `cleanText` first.
 */

// Control strings (OSC, DCS, SOS, PM, APC) run until ST or BEL. Their payload is never meant to be
// displayed (an OSC 8 hyperlink carries its URL there), so the whole string goes, not only the ESC.
// Without a terminator only the introducer goes: a stray C1 byte must not eat the rest of a description.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const CONTROL_STRING = /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c)/g;
// CSI (ESC [ or the 8-bit 0x9B): parameters, intermediates, one final byte (`\x1b[31m`, `\x1b[2J`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const CSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]/g;
// Every other escape: ESC, optional intermediates, one final byte (`\x1b(B`, `\x1bc`, `\x1b7`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const OTHER_ESCAPE = /\x1b[ -/]*[0-~]/g;
// Line and column breaks become spaces so that words on both sides stay apart.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// C0, DEL, C1, and the bidi controls that can make a line read differently from what it is
// (overrides and isolates U+202A–U+202E, U+2066–U+2069, plus the implicit marks LRM, RLM, ALM).
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// With the u flag a surrogate range matches only unpaired halves: they are not text, and UTF-8
// encoders would turn them into U+FFFD or reject them.
const LONE_SURROGATE = /[\ud800-\udfff]/gu;
const WHITESPACE_RUN = /\s+/gu;
// Most descriptions need none of the passes below; one scan tells (surrogates are checked apart,
// because emoji are legitimate pairs).
const NEEDS_WORK =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\s\s|^\s|\s$/;

/**
 * Makes untrusted text safe for a plain-text email line and an SNS subject: no control characters,
 * terminal escapes, bidi controls or line breaks; whitespace collapsed; at most `maxChars` code points,
 * the last being `…` when the text was cut.
 */
export function cleanText(s: string | null | undefined, maxChars: number): string {
  if (s === null || s === undefined) return '';
  const limit = Math.floor(maxChars);
  if (!(limit > 0)) return '';
  const text = String(s);
  const cleaned =
    NEEDS_WORK.test(text) || !text.isWellFormed()
      ? text
          .replace(CONTROL_STRING, '')
          .replace(CSI, '')
          .replace(OTHER_ESCAPE, '')
          .replace(BREAKS, ' ')
          .replace(INVISIBLE, '')
          .replace(LONE_SURROGATE, '')
          .replace(WHITESPACE_RUN, ' ')
          .trim()
      : text;
  // UTF-16 length bounds the code point count from above.
  if (cleaned.length <= limit) return cleaned;
  if (codePointOffset(cleaned, limit) >= cleaned.length) return cleaned;
  return `${cleaned.slice(0, codePointOffset(cleaned, limit - 1)).trimEnd()}…`;
}

/** UTF-16 offset just after the first `points` code points (the string is well formed here). */
function codePointOffset(s: string, points: number): number {
  let i = 0;
  for (let n = 0; n < points && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return Math.min(i, s.length);
}

/**
 * Cleans every string inside plain data (objects, arrays) with `cleanText`; anything else passes as it
 * is. For log lines, whose JSON encoding (like any JSON.stringify) leaves C1 controls and bidi
 * controls raw for a terminal or a log viewer to act on.
 */
export function cleanDeep<T>(value: T, maxChars: number): T {
  if (typeof value === 'string') return cleanText(value, maxChars) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => cleanDeep(item, maxChars)) as T;
  if (value !== null && typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = cleanDeep(item, maxChars);
    return out as T;
  }
  return value;
}

// What JSON.stringify leaves raw although a terminal or a bidi-aware viewer acts on it: DEL, C1, the
// bidi marks, overrides and isolates, and the Unicode line breaks. JSON.stringify already escapes C0
// and lone surrogates.
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * `\u`-escapes what JSON.stringify leaves raw but a terminal would act on. Applied to JSON.stringify
 * output only: those characters can sit only inside its string literals (everything structural is
 * ASCII), so the result is valid JSON that parses back to the same value.
 */
export function escapeUnsafeInJson(json: string): string {
  return json.replace(JSON_RAW_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON.stringify, safe to print to a terminal: same value when parsed, nothing for a terminal to act on. */
export function terminalSafeJson(value: unknown, space?: number): string {
  return escapeUnsafeInJson(JSON.stringify(value, null, space));
}
