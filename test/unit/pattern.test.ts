import { describe, expect, it } from 'vitest';
import { compilePattern, isPatternError, MAX_PATTERN_INSTRUCTIONS } from '../../lambda/core/pattern';
import { ConfigError, parseSettings, parseVaultPattern, ssmNames } from '../../lambda/core/settings';
import { pattern } from './helpers/patterns';

const EXCLUDE = '/glacier-sweeper/exclude';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError was thrown');
}

const asExclude = (source: string) =>
  configError(() => parseSettings({ vaults: 'a', exclude: source }, ssmNames('/glacier-sweeper')));

/**
 * Every construct outside the subset, with what the reason must say. Each was run through both
 * engines: RE2 refuses it, JavaScript refuses it, or the two read it differently.
 */
const REFUSED: [construct: string, source: string, reason: string][] = [
  ['backreference', '(a)\\1', 'RE2 has no backreferences'],
  ['octal escape', 'a\\012', 'octal code'],
  ['NUL escape', '\\0', 'octal code'],
  ['\\8', '\\8', 'backreference'],
  ['\\9', 'a\\9', '\\9 at character 2: JavaScript reads a backslash and a digit as a backreference'],
  ['digit escape in a class', '[\\1]', '\\1 at character 2: JavaScript reads a backslash and a digit'],
  ['named backreference', '(a)\\k<n>', 'RE2 has no backreferences'],
  ['lookahead', '^(?=keep)', 'lookahead (?=…)'],
  ['negative lookahead', '^(?!tmp)', 'lookahead (?!…)'],
  ['lookbehind', '(?<=x)a', 'lookbehind (?<=…)'],
  ['negative lookbehind', '(?<!x)a', 'lookbehind (?<!…)'],
  ['\\A', '\\Akeep', 'RE2 reads \\A as the start of the text, JavaScript as the letter A'],
  ['\\z', 'keep\\z', 'RE2 reads \\z as the end of the text, JavaScript as the letter z'],
  ['\\Z', 'keep\\Z', '\\Z at character 5: RE2 refuses it, JavaScript reads it as the letter Z; write Z'],
  ['\\Q…\\E', '\\Qa.b\\E', 'RE2 reads \\Q…\\E as quoted text'],
  ['\\pL', 'x\\pL', 'Unicode class'],
  ['\\p{…}', '\\p{Greek}', 'Unicode class'],
  ['\\PL', '\\PL', 'negated Unicode class'],
  ['\\x{41}', '\\x{41}', 'hexadecimal escapes are not accepted'],
  ['\\x41', 'a\\x41', 'hexadecimal escapes are not accepted'],
  ['\\u0041', '\\u0041', 'UTF-16 code unit'],
  ['\\cX', '\\cA', 'control character'],
  ['\\a', 'b\\a', 'RE2 reads \\a as the bell character'],
  ['\\C', '\\C', 'RE2 reads \\C as any byte'],
  ['other letter escapes', '\\e', 'RE2 refuses it, JavaScript reads it as the letter e'],
  ['POSIX class', '[[:alpha:]]', 'POSIX class'],
  ['[ inside a class', '[a[]', 'write \\[ for a literal'],
  ['empty class', '[]a]', '[] at character 1: JavaScript reads [] as a class that matches nothing'],
  ['[^]', 'a[^]', '[^] at character 2: JavaScript reads [] as a class that matches nothing and [^] as any'],
  ['\\b in a class', '[\\b]', 'backspace'],
  // In a class RE2 refuses \A \z \Q \C outright: no anchor or quoting there to explain.
  [
    'letter escape in a class',
    '[\\A]',
    '\\A at character 2 (in a class): RE2 refuses it, JavaScript reads it as the letter A; write A',
  ],
  [
    '\\z in a class',
    '[a\\z]',
    '\\z at character 3 (in a class): RE2 refuses it, JavaScript reads it as the letter z',
  ],
  ["'-' after a range", '[a-c-e]', 'write \\- for a literal'],
  ["'-' next to a class escape", '[\\w-z]', 'joins a class escape'],
  ["'-' before a class escape", '[a-\\d]', "'-' at character 3 joins a class escape"],
  ['reversed range', '[z-a]', 'range z-a at character 2 is out of order'],
  ['inline flags', '(?i)keep', 'inline flags'],
  ['scoped inline flags', '(?i:keep)', 'inline flags'],
  ['named group', '(?<n>keep)', 'named group (?<name>…)'],
  ["RE2's named group", '(?P<n>keep)', '(?P…)'],
  ['comment', 'a(?#note)', 'neither engine reads comments'],
  ['other (? syntax', '(?*a)', 'starts no group of the accepted syntax'],
  ['{,n}', 'a{,3}', "starts no repeat {n}, {n,} or {n,m}: write \\{ for a literal '{'"],
  ['bare {', 'a{b', 'write \\{'],
  ['bare { before a count', 'a{b{2}', "'{' at character 2 starts no repeat"],
  ['leading zero in a count', 'a{01}', 'leading zero'],
  ['count over 1000', 'a{1001}', 'RE2 allows counts up to 1000'],
  ['minimum over 1000', 'a{1001,}', '{1001,} at character 2: RE2 allows counts up to 1000'],
  ['maximum over 1000', 'a{2,1001}', '{2,1001} at character 2: RE2 allows counts up to 1000'],
  ['nested counts over 1000', '(a{100}){11}', "nested repeat counts multiply past RE2's limit of 1000"],
  ['min over max', 'a{3,2}', 'the minimum is larger than the maximum'],
  ['repeated anchor', '^*a', 'repeats ^, $, \\b or \\B'],
  ['repeated word boundary', '\\b+', 'repeats ^, $, \\b or \\B'],
  ['repeated end anchor', 'keep$+', "'+' at character 6 repeats ^, $, \\b or \\B"],
  ['repeat of a repeat', 'a**', 'repeats a repeat'],
  ['nothing to repeat', '+a', "'+' at character 1 has nothing to repeat"],
  ['? with nothing to repeat', '?keep', "'?' at character 1 has nothing to repeat"],
  ['nothing to repeat in a group', '(*a)', "'*' at character 2 has nothing to repeat"],
  ['counted repeat of nothing', '{2}a', "'{2}' at character 1 has nothing to repeat"],
  ['nothing to repeat after |', 'a|*b', 'has nothing to repeat'],
  ['unclosed group', '(keep', "a group is never closed with ')'"],
  ['two unclosed groups', '((keep)(', "2 groups are never closed with ')'"],
  ['unmatched )', 'keep)', 'closes no group'],
  ['unclosed class', '[keep', "the class '[' at character 1 is never closed with ']'"],
  ['unclosed class ending in -', 'x[a-', "the class '[' at character 2 is never closed with ']'"],
  ['class ending in a lone backslash', '[keep\\', 'lone backslash'],
  ['trailing backslash', 'keep\\', 'lone backslash'],
  ['non-ASCII character', 'välkommen', 'character 2 (U+00E4) is not printable ASCII'],
  ['character outside the BMP', 'keep 😀', 'character 6 (U+1F600) is not printable ASCII'],
  ['control character', 'a\tb', 'U+0009'],
  [
    'too many instructions',
    '(\\w*\\W*){1000}',
    `compiles to 6002 RE2 instructions, more than the ${MAX_PATTERN_INSTRUCTIONS} allowed`,
  ],
];

describe('compilePattern refuses every construct outside the subset', () => {
  it.each(REFUSED)('%s: %s', (_construct, source, reason) => {
    const compiled = compilePattern(source);
    expect(isPatternError(compiled)).toBe(true);
    expect(isPatternError(compiled) && compiled.error).toContain(reason);
  });

  it.each(REFUSED)(
    'as exclude, a ConfigError names the parameter, the pattern and why: %s',
    (_c, source, reason) => {
      const error = asExclude(source);
      expect(error.setting).toBe(EXCLUDE);
      expect(error.message).toBe(
        `${EXCLUDE} = ${JSON.stringify(source)}: is not an accepted RE2 pattern: ${(compilePattern(source) as { error: string }).error}`,
      );
      expect(error.message).toContain(reason);
    },
  );

  it.each(['SWEEPER_VAULT_PATTERN', '--vault-pattern', 'vaultPattern'])(
    'the vault pattern goes through the same compiler, named %s',
    (setting) => {
      const error = configError(() => parseVaultPattern('^(?!logs)', setting));
      expect(error.setting).toBe(setting);
      expect(error.message).toBe(
        `${setting} = "^(?!logs)": is not an accepted RE2 pattern: lookahead (?!…) at character 2: RE2 has no lookaround`,
      );
    },
  );

  it("refuses a pattern RE2 itself refuses with RE2's reason (groups nested 1,001 deep), as a ConfigError", () => {
    // No length cap on the vault pattern, so nesting depth is RE2's to judge.
    const deep = `${'('.repeat(1001)}a${')'.repeat(1001)}`;
    expect(compilePattern(deep)).toEqual({
      error: 'RE2 refuses it (error parsing regexp: expression nests too deeply)',
    });
    expect(configError(() => parseVaultPattern(deep, 'SWEEPER_VAULT_PATTERN')).message).toContain(
      ': is not an accepted RE2 pattern: RE2 refuses it (error parsing regexp: expression nests too deeply)',
    );
  });

  it('keeps the 256-character limit of exclude, checked before the syntax', () => {
    const error = asExclude(`(${'a'.repeat(300)}`);
    expect(error.message).toContain('is 301 characters long; at most 256 are allowed');
  });
});

/** Patterns of the subset, with texts each must and must not match (printable ASCII, as in Glacier). */
const ACCEPTED: [source: string, matches: string[], misses: string[]][] = [
  ['^keep:', ['keep: photos'], ['do not keep: x', 'Keep:']],
  ['nightly', ['the nightly backup'], ['night']],
  [
    '^(backup|archive)-\\d{4}-\\d{2}$',
    ['backup-2026-11', 'archive-1999-01'],
    ['backup-26-11', 'logs-2026-11'],
  ],
  ['(?:ab)+c', ['xababc'], ['ac', 'abab']],
  ['a.c', ['abc', 'a c'], ['ac']],
  ['^$', [''], [' ']],
  ['\\bkeep\\b', ['please keep it'], ['keeper', 'upkeep']],
  ['\\Bkeep', ['upkeep'], ['keep it']],
  ['^[^a-z]*$', ['ABC 123', ''], ['ABc']],
  ['[\\w.-]+@[\\w-]+\\.com', ['mail me@example.com'], ['me@example.org']],
  ['[-a]', ['-'], ['b']],
  ['[a-]', ['-', 'a'], ['b']],
  ['[\\]\\[\\\\^]', [']', '[', '\\', '^'], ['a']],
  ['[!--]', ['!', ',', '-'], ['.']],
  ['\\d{1,3}?x', ['12x'], ['x']],
  ['a{0}b', ['b'], ['a']],
  ['x{2,}', ['axxb'], ['axb']],
  ['\\(draft\\)', ['(draft) v2'], ['draft']],
  ['\\{\\$\\}', ['{$} var'], ['{}', '$']],
  ['a}', ['a}'], ['a']],
  ['\\_\\ \\-', ['_ -'], ['_-']],
  ['\\s\\S', [' x'], ['x ', '  ']],
  ['\\D\\W', ['a!'], ['1!', 'ab']],
  ['(^)*a', ['a'], ['b']],
  ['(?:)keep|()x', ['keep', 'x'], ['kee']],
];

describe('compilePattern accepts the subset and matches as JavaScript did', () => {
  it.each(ACCEPTED)('%s', (source, matches, misses) => {
    const compiled = pattern(source);
    const js = new RegExp(source);
    for (const text of matches) {
      expect({ text, matched: compiled.test(text) }).toEqual({ text, matched: true });
      expect(js.test(text)).toBe(true);
    }
    for (const text of misses) {
      expect({ text, matched: compiled.test(text) }).toEqual({ text, matched: false });
      expect(js.test(text)).toBe(false);
    }
  });

  it('searches anywhere in the text, not only from its start', () => {
    expect(pattern('keep').test('do not keep')).toBe(true);
    expect(pattern('^keep').test('do not keep')).toBe(false);
  });

  it('accepts counts up to 1000, nested ones while their product stays within it', () => {
    expect(pattern('a{1000}').test('a'.repeat(1000))).toBe(true);
    expect(pattern('(?:a{10}){100}').test('a'.repeat(999))).toBe(false);
  });

  it(`accepts a pattern of exactly ${MAX_PATTERN_INSTRUCTIONS} instructions, refuses one more`, () => {
    const atLimit = `${'a{1000}'.repeat(4)}${'a'.repeat(998)}`;
    expect(pattern(atLimit).test('a'.repeat(4998))).toBe(true);
    expect(compilePattern(`${atLimit}a`)).toEqual({
      error: `compiles to 5001 RE2 instructions, more than the ${MAX_PATTERN_INSTRUCTIONS} allowed so that each description is searched quickly; use smaller repeat counts`,
    });
  });

  it('keeps the source as written', () => {
    expect(pattern('^keep:').source).toBe('^keep:');
    expect(String(pattern('^keep:'))).toBe('^keep:');
  });
});
