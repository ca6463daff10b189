import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanDeep, cleanText, terminalSafeJson } from '../../lambda/core/sanitize';

// Anything a terminal or a bidi-aware renderer would act on instead of display.
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

const hostile = fc.constantFrom(
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[2J',
  '\x1b]8;;https://evil.example\x1b\\',
  '\x1b]0;title\x07',
  '\x9b31m',
  '\x1b(B',
  '\x1b',
  '\r\n',
  '\t',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  '  ',
  'backup',
);
const untrusted = fc.oneof(
  fc
    .array(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 30 })
    .map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

describe('cleanText', () => {
  it('removes colour and cursor escapes but keeps the text around them', () => {
    expect(cleanText('a\x1b[31mred\x1b[0m b', 100)).toBe('ared b');
    expect(cleanText('x\x1b[2Jy', 100)).toBe('xy');
    expect(cleanText('x\x9b1;31my', 100)).toBe('xy');
    expect(cleanText('\x1b(Bplain', 100)).toBe('plain');
  });

  it('drops the payload of OSC strings (titles, hyperlink targets), terminated by BEL or ST', () => {
    expect(cleanText('\x1b]0;pwned\x07title', 100)).toBe('title');
    expect(cleanText('\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ here', 100)).toBe('click here');
    expect(cleanText('a\x90secret\x9cb', 100)).toBe('ab');
  });

  it('keeps the text after an unterminated control string, without its introducer', () => {
    expect(cleanText('a\x1b]0;rest', 100)).toBe('a0;rest');
  });

  it('turns line breaks and tabs into single spaces and collapses whitespace', () => {
    expect(cleanText('line1\r\nline2\tcol\u2028x   y', 100)).toBe('line1 line2 col x y');
    expect(cleanText('  padded  ', 100)).toBe('padded');
  });

  it('removes bidi overrides, isolates and marks, C0, C1 and DEL', () => {
    expect(cleanText('invoice\u202egpj.exe', 100)).toBe('invoicegpj.exe');
    expect(cleanText('a\u2066b\u2069c\u200fd', 100)).toBe('abcd');
    expect(cleanText('a\u0000b\u0007c\u007fd\u0090e\u009ff', 100)).toBe('abcdef');
  });

  it('removes every C1 control and every bidi override and isolate, one by one', () => {
    const c1 = Array.from({ length: 0x20 }, (_, i) => 0x80 + i);
    const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
    for (const cp of [...c1, ...bidi]) {
      const out = cleanText(`a${String.fromCharCode(cp)}b`, 100);
      expect(out, `U+${cp.toString(16)}`).not.toMatch(FORBIDDEN);
      // NEL is a line break (a space); the 8-bit introducers may take the next byte as their final one.
      expect(['ab', 'a b', 'a']).toContain(out);
    }
  });

  it('removes lone surrogates but keeps real astral characters', () => {
    expect(cleanText('a\ud800b\udc00c', 100)).toBe('abc');
    expect(cleanText('ok 😀', 100)).toBe('ok 😀');
  });

  it('truncates to maxChars code points with an ellipsis, never splitting a surrogate pair', () => {
    expect(cleanText('abcdefghij', 5)).toBe('abcd…');
    expect(cleanText('abcde', 5)).toBe('abcde');
    expect(cleanText('😀😀😀😀😀😀', 3)).toBe('😀😀…');
    expect(cleanText('abc', 1)).toBe('…');
    expect(cleanText('abc', 0)).toBe('');
  });

  it('maps null and undefined to the empty string', () => {
    expect(cleanText(null, 10)).toBe('');
    expect(cleanText(undefined, 10)).toBe('');
  });

  it('never lets a control character, escape, bidi control or lone surrogate through (property)', () => {
    fc.assert(
      fc.property(untrusted, fc.integer({ min: 1, max: 120 }), (s, max) => {
        const out = cleanText(s, max);
        expect(out).not.toMatch(FORBIDDEN);
        expect(out).not.toMatch(/[\ud800-\udfff]/u);
        expect(out).not.toMatch(/\s{2}|^\s|\s$/u);
        expect(Array.from(out).length).toBeLessThanOrEqual(max);
        // Well-formed UTF-16: encoding round-trips without replacement characters.
        expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent, so cleaning twice (report then renderer) changes nothing more (property)', () => {
    fc.assert(
      fc.property(untrusted, (s) => {
        const once = cleanText(s, 1024);
        expect(cleanText(once, 1024)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('cleanDeep', () => {
  it('cleans every string in nested plain data and leaves other values alone', () => {
    const when = new Date(0);
    expect(
      cleanDeep(
        { a: 'x\u202ey', n: 3, ok: true, none: null, list: ['\u009b2Jz', { deep: 'p\u2066q' }], when },
        100,
      ),
    ).toEqual({ a: 'xy', n: 3, ok: true, none: null, list: ['z', { deep: 'pq' }], when });
  });
});

describe('terminalSafeJson', () => {
  // As FORBIDDEN, but newlines are fine: they are the indentation of the JSON, never inside a string.
  const RAW =
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

  it('escapes what JSON.stringify leaves raw, and parses back to the same value (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(untrusted, fc.oneof(untrusted, fc.array(untrusted), fc.integer())),
        (value) => {
          const json = terminalSafeJson(value, 2);
          expect(json).not.toMatch(RAW);
          expect(JSON.parse(json)).toEqual(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes C1 and bidi controls as \\u escapes', () => {
    expect(terminalSafeJson({ d: 'a\u009bb\u202ec' })).toBe('{"d":"a\\u009bb\\u202ec"}');
  });
});
