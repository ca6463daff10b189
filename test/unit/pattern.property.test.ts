/**
 * The accepted subset means the same in both engines: for generated patterns of the subset and
 * printable-ASCII texts, JavaScript's RegExp (the engine `exclude` used before) and RE2 give the same
 * answer, so no existing `exclude` matches less after the switch.
 *
 * JavaScript backtracks, so the generators keep its work bounded: long texts (up to 1,024 characters)
 * only meet patterns with at most one unbounded repeat and few bounded ones; patterns with repeats
 * nested in repeated groups only meet short texts.
 */
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compilePattern, isPatternError } from '../../lambda/core/pattern';

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
/** Characters that are syntax outside a class (`{` too: the subset has no bare `{`). */
const SPECIAL = new Set([...'\\^$.|?*+()[]{']);
/** Characters that are syntax inside a class; `^` is escaped wherever it stands, for simplicity. */
const CLASS_SPECIAL = new Set([...'\\]^-[']);

const char = fc.constantFrom(...PRINTABLE);

/** A literal character: escaped when it must be, and sometimes when it may be (any non-alphanumeric). */
const literal = fc
  .tuple(char, fc.boolean())
  .map(([c, escaped]) => (SPECIAL.has(c) || (escaped && !isAlnum(c)) ? `\\${c}` : c));

const classChar = fc
  .tuple(char, fc.boolean())
  .map(([c, escaped]) => (CLASS_SPECIAL.has(c) || (escaped && !isAlnum(c)) ? `\\${c}` : c));

const classEscape = fc.constantFrom('\\d', '\\D', '\\w', '\\W', '\\s', '\\S');
const controlEscape = fc.constantFrom('\\t', '\\n', '\\r', '\\f', '\\v');

const range = fc
  .tuple(char, char)
  .map(([a, b]) => (a <= b ? [a, b] : [b, a]))
  .map((ends) => ends.map((c) => (CLASS_SPECIAL.has(c) || !isAlnum(c) ? `\\${c}` : c)).join('-'));

const bracket = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof(classChar, classChar, range, classEscape, controlEscape), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.boolean(),
  )
  // A '-' first or last is a literal in both engines: sometimes put one there.
  .map(([negate, items, dash]) => `[${negate ? '^' : ''}${dash ? '-' : ''}${items.join('')}]`);

/** One character's worth of pattern: something a repeat may follow. */
const atom = fc.oneof(
  { weight: 6, arbitrary: literal },
  { weight: 2, arbitrary: fc.constant('.') },
  { weight: 2, arbitrary: classEscape },
  { weight: 3, arbitrary: bracket },
  { weight: 1, arbitrary: controlEscape },
);
const assertion = fc.constantFrom('^', '$', '\\b', '\\B');

const lazy = fc.constantFrom('', '?');
/** Bounded repeats with the number of ways each can match (what JavaScript may try). */
const boundedRepeat = fc.oneof(
  fc.constant({ text: '?', ways: 2 }),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ text: `{${n}}`, ways: 1 })),
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }))
    .map(([n, extra]) => ({ text: `{${n},${n + extra}}`, ways: extra + 1 })),
);
const unboundedRepeat = fc.oneof(
  fc.constantFrom('*', '+'),
  fc.integer({ min: 0, max: 3 }).map((n) => `{${n},}`),
);

interface Piece {
  readonly text: string;
  readonly unbounded: number;
  readonly ways: number;
}

/** An atom, repeated or not, an assertion, or an unrepeated group of atoms. */
const flatPiece: fc.Arbitrary<Piece> = fc.oneof(
  { weight: 4, arbitrary: atom.map((text) => ({ text, unbounded: 0, ways: 1 })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(atom, boundedRepeat, lazy)
      .map(([a, r, l]) => ({ text: `${a}${r.text}${l}`, unbounded: 0, ways: r.ways })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(atom, unboundedRepeat, lazy)
      .map(([a, r, l]) => ({ text: `${a}${r}${l}`, unbounded: 1, ways: 1 })),
  },
  { weight: 1, arbitrary: assertion.map((text) => ({ text, unbounded: 0, ways: 1 })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('(', '(?:'),
        fc.array(fc.array(atom, { minLength: 0, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      )
      .map(([open, branches]) => ({
        text: `${open}${branches.map((b) => b.join('')).join('|')})`,
        unbounded: 0,
        ways: branches.length,
      })),
  },
);

/** Patterns whose backtracking cost in JavaScript stays about quadratic in the text. */
const flatPattern = fc
  .array(fc.array(flatPiece, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 })
  .filter((branches) => {
    const pieces = branches.flat();
    const ways = pieces.reduce((product, piece) => product * piece.ways, 1);
    return pieces.reduce((n, piece) => n + piece.unbounded, 0) <= 1 && ways <= 8;
  })
  .map((branches) => branches.map((pieces) => pieces.map((piece) => piece.text).join('')).join('|'));

/** Any construct of the subset, groups nested and repeated; only for short texts. */
const nestedPattern: fc.Arbitrary<string> = fc.letrec<{ alternation: string; piece: string }>((tie) => ({
  alternation: fc
    .array(fc.array(tie('piece'), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
    .map((branches) => branches.map((pieces) => pieces.join('')).join('|')),
  piece: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: atom },
    { weight: 1, arbitrary: assertion },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          atom,
          fc.oneof(
            unboundedRepeat,
            boundedRepeat.map((r) => r.text),
          ),
          lazy,
        )
        .map((parts) => parts.join('')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('(', '(?:'),
          tie('alternation'),
          fc.option(
            fc.oneof(
              unboundedRepeat,
              boundedRepeat.map((r) => r.text),
            ),
            { nil: '' },
          ),
          lazy,
        )
        .map(([open, inner, repeat, l]) => `${open}${inner})${repeat}${repeat === '' ? '' : l}`),
    },
  ),
})).alternation;

/** Texts mostly made of the pattern's own characters, so that matches are common; long ones too. */
function textFor(pattern: string, maxLength: number): fc.Arbitrary<string> {
  const own = [...new Set([...pattern].filter((c) => c !== '\\'))];
  const unit = own.length === 0 ? char : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...own) }, char);
  const short = fc.string({ unit, maxLength: Math.min(maxLength, 24) });
  if (maxLength <= 24) return short;
  return fc.oneof(short, fc.string({ unit, minLength: maxLength / 4, maxLength, size: 'max' }));
}

const RE2_FIND = (pattern: string, text: string) => RE2JS.compile(pattern).matcher(text).find();

function checkAgreement(
  pattern: string,
  texts: readonly string[],
  tally: { matched: number; total: number },
) {
  const compiled = compilePattern(pattern);
  if (isPatternError(compiled)) throw new Error(`${JSON.stringify(pattern)} was refused: ${compiled.error}`);
  const js = new RegExp(pattern);
  for (const text of texts) {
    const expected = js.test(text);
    expect({ pattern, text, matched: compiled.test(text) }).toEqual({ pattern, text, matched: expected });
    expect(RE2_FIND(pattern, text)).toBe(expected);
    tally.total += 1;
    if (expected) tally.matched += 1;
  }
}

/**
 * Pieces of syntax, many of them read differently by the two engines; joined at random they make
 * patterns the compiler must either refuse or see both engines agree on.
 */
const TOKENS = [
  ...['a', 'b', 'A', '0', '1', ' ', '-', '_', ',', ':', '=', '<', '>', '!', '#', '}', ']'],
  ...['.', '^', '$', '|', '*', '+', '?', '{', '{2}', '{1,3}', '{2,}', '{,2}', '{01}', '{1001}'],
  ...['(', ')', '(?:', '(?=', '(?!', '(?<=', '(?<!', '(?<n>', '(?P<n>', '(?P=n)', '(?i)', '(?i:', '(?#'],
  ...['[', '[^', '[]', '[^]', '[:alpha:]', '[[:alpha:]]', '[a-', '-]'],
  ...['\\', '\\A', '\\z', '\\Z', '\\Q', '\\E', '\\pL', '\\p{L}', '\\PL', '\\x41', '\\x{41}', '\\u0041'],
  ...['\\cA', '\\0', '\\1', '\\12', '\\8', '\\a', '\\e', '\\k<n>', '\\C', '\\b', '\\B'],
  ...['\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '\\t', '\\n', '\\-', '\\]', '\\[', '\\{', '\\}', '\\ '],
];

describe('the accepted subset means the same in JavaScript and RE2 (property)', () => {
  it('agrees on texts up to 1,024 characters for patterns without nested repeats', () => {
    const tally = { matched: 0, total: 0 };
    fc.assert(
      fc.property(
        flatPattern.chain((p) =>
          fc.tuple(fc.constant(p), fc.array(textFor(p, 1024), { minLength: 1, maxLength: 4 })),
        ),
        ([pattern, texts]) => checkAgreement(pattern, texts, tally),
      ),
      { numRuns: 300 },
    );
    // The property means little if nothing matches, or everything does.
    expect(tally.matched / tally.total).toBeGreaterThan(0.2);
    expect(tally.matched / tally.total).toBeLessThan(0.9);
  });

  it('agrees on texts up to 12 characters for patterns with groups and repeats nested', () => {
    const tally = { matched: 0, total: 0 };
    fc.assert(
      fc.property(
        nestedPattern.chain((p) =>
          fc.tuple(fc.constant(p), fc.array(textFor(p, 12), { minLength: 1, maxLength: 8 })),
        ),
        ([pattern, texts]) => checkAgreement(pattern, texts, tally),
      ),
      { numRuns: 500 },
    );
    expect(tally.matched / tally.total).toBeGreaterThan(0.2);
  });

  it('refuses, or agrees on, patterns joined at random from syntax the engines read differently', () => {
    const tally = { matched: 0, total: 0 };
    let accepted = 0;
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 8 })
          .map((tokens) => tokens.join(''))
          .chain((p) => fc.tuple(fc.constant(p), fc.array(textFor(p, 12), { minLength: 1, maxLength: 8 }))),
        ([pattern, texts]) => {
          if (isPatternError(compilePattern(pattern))) return;
          accepted += 1;
          checkAgreement(pattern, texts, tally);
        },
      ),
      { numRuns: 2000 },
    );
    // Enough of them get through for the agreement half to say something.
    expect(accepted).toBeGreaterThan(200);
  });
});
