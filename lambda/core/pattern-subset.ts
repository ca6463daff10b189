/**
 * The subset of RE2 syntax glacier-sweeper accepts for `exclude` and the vault-name pattern: the
 * constructs RE2 and JavaScript's RegExp (no flags, the engine used before) read the same way on
 * printable ASCII, which is all a description, an upload id or a vault name holds. A construct
 * outside it is refused with the reason, never reinterpreted: an `exclude` that silently matched
 * less after the switch would unprotect uploads. Each refusal was checked by running both engines.
 *
 * Accepted: printable-ASCII literals; `.` `^` `$` `|`; groups `(…)` `(?:…)`; repeats `*` `+` `?`
 * `{n}` `{n,}` `{n,m}` (counts 0-1000, no leading zero), each optionally lazy (`*?`); bracket
 * classes `[…]` `[^…]` with ranges; `\d \D \w \W \s \S`, `\b \B` (outside classes),
 * `\t \n \v \f \r`; a backslash before any other printable character that is not a letter or digit.
 */

/** RE2's limit for one count `{n,m}`; nested counts multiply, and their product has the same limit. */
export const MAX_REPEAT = 1000;

/** What the last item of the current alternative was: a repeat needs something repeatable before it. */
type Last = 'nothing' | 'atom' | 'position' | 'repeat';

const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const POSITION_ESCAPES = new Set(['b', 'B']);
/** Control characters: both engines read them alike (descriptions never hold them). */
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const at = (index: number): string => `at character ${index + 1}`;

/** Escapes whose meaning differs between the engines, outside a class. */
const LETTER_REASONS: Record<string, string> = {
  A: 'RE2 reads \\A as the start of the text, JavaScript as the letter A; write ^',
  z: 'RE2 reads \\z as the end of the text, JavaScript as the letter z; write $',
  Q: 'RE2 reads \\Q…\\E as quoted text, JavaScript as the letters Q and E; put a backslash before each special character instead',
  C: 'RE2 reads \\C as any byte, JavaScript as the letter C',
  p: 'RE2 reads \\p as a Unicode class (\\pL, \\p{Greek}), JavaScript as the letter p; write a class such as [A-Za-z]',
  P: 'RE2 reads \\P as a negated Unicode class (\\PL, \\P{Greek}), JavaScript as the letter P; write a class such as [^A-Za-z]',
  x: 'hexadecimal escapes are not accepted (RE2 reads \\x{41} as A, JavaScript as x repeated 41 times); write the character itself',
  u: 'JavaScript reads \\u as a UTF-16 code unit, RE2 refuses it; write the character itself',
  c: 'JavaScript reads \\cX as a control character, RE2 refuses it',
  a: 'RE2 reads \\a as the bell character, JavaScript as the letter a; write a',
  k: 'JavaScript reads \\k<name> as a backreference; RE2 has no backreferences',
};

function letterEscapeProblem(letter: string, index: number, inClass: boolean): string {
  const specific = inClass && 'AzQC'.includes(letter) ? undefined : LETTER_REASONS[letter];
  const where = `\\${letter} ${at(index)}${inClass ? ' (in a class)' : ''}`;
  if (specific !== undefined) return `${where}: ${specific}`;
  return `${where}: RE2 refuses it, JavaScript reads it as the letter ${letter}; write ${letter}`;
}

function digitEscapeProblem(digit: string, index: number): string {
  return `\\${digit} ${at(index)}: JavaScript reads a backslash and a digit as a backreference or an octal code, depending on the groups; RE2 has no backreferences (write the character itself)`;
}

/** The first construct outside the subset, as a reason; undefined when every construct is in it. */
export function subsetProblem(source: string): string | undefined {
  for (let i = 0; i < source.length; i += 1) {
    const code = source.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      const shown = `U+${(source.codePointAt(i) ?? code).toString(16).toUpperCase().padStart(4, '0')}`;
      return `character ${i + 1} (${shown}) is not printable ASCII: patterns are written in the characters descriptions, upload ids and vault names are made of (space to ~), and the engines read others differently`;
    }
  }
  let depth = 0;
  let last: Last = 'nothing';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    switch (c) {
      case '\\': {
        const next = source[i + 1];
        if (next === undefined) return 'the pattern ends in a lone backslash';
        if (CLASS_ESCAPES.has(next) || Object.hasOwn(CONTROL_ESCAPES, next)) last = 'atom';
        else if (POSITION_ESCAPES.has(next)) last = 'position';
        else if (isDigit(next)) return digitEscapeProblem(next, i);
        else if (isLetter(next)) return letterEscapeProblem(next, i, false);
        else last = 'atom'; // an escaped punctuation character or space: itself in both engines
        i += 2;
        break;
      }
      case '[': {
        const end = classEnd(source, i);
        if (typeof end === 'string') return end;
        last = 'atom';
        i = end;
        break;
      }
      case '(': {
        const end = groupStart(source, i);
        if (typeof end === 'string') return end;
        depth += 1;
        last = 'nothing';
        i = end;
        break;
      }
      case ')':
        if (depth === 0) return `')' ${at(i)} closes no group; write \\) for a literal ')'`;
        depth -= 1;
        last = 'atom';
        i += 1;
        break;
      case '|':
        last = 'nothing';
        i += 1;
        break;
      case '^':
      case '$':
        last = 'position';
        i += 1;
        break;
      case '*':
      case '+':
      case '?':
      case '{': {
        const end = c === '{' ? countEnd(source, i) : i + 1;
        if (typeof end === 'string') return end;
        const problem = repeatProblem(last, source.slice(i, end), i);
        if (problem !== undefined) return problem;
        i = source[end] === '?' ? end + 1 : end; // a lazy repeat matches the same texts
        last = 'repeat';
        break;
      }
      default:
        // Any other printable character is itself, `]` and `}` included (both engines agree on those).
        last = 'atom';
        i += 1;
    }
  }
  if (depth > 0) return `${depth === 1 ? 'a group is' : `${depth} groups are`} never closed with ')'`;
  return undefined;
}

function repeatProblem(last: Last, repeat: string, index: number): string | undefined {
  if (last === 'nothing') return `'${repeat}' ${at(index)} has nothing to repeat`;
  if (last === 'position') {
    return `'${repeat}' ${at(index)} repeats ^, $, \\b or \\B, which match a position: JavaScript refuses it, RE2 accepts it; drop the repeat`;
  }
  if (last === 'repeat') {
    return `'${repeat}' ${at(index)} repeats a repeat; group it first, as in (?:a+)${repeat} (a lazy repeat is written a*?)`;
  }
  return undefined;
}

/** The end of a counted repeat `{n}`, `{n,}`, `{n,m}` starting at `open`, or why it is not one. */
function countEnd(source: string, open: number): number | string {
  const rest = source.slice(open, open + 24);
  const count = /^\{([0-9]+)(?:(,)([0-9]*))?\}/.exec(rest);
  if (count === null) {
    return `'{' ${at(open)} starts no repeat {n}, {n,} or {n,m}: write \\{ for a literal '{' (engines differ on which braces are text, as in {,n}, so the accepted syntax has no bare '{')`;
  }
  const [text, min, comma, max = ''] = count as unknown as [string, string, string | undefined, string?];
  if ([min, max].some((n) => n.length > 1 && n.startsWith('0'))) {
    return `${text} ${at(open)}: JavaScript reads a count with a leading zero as a repeat, RE2 as literal text; drop the zero`;
  }
  const low = Number(min);
  const high = comma === undefined ? low : max === '' ? undefined : Number(max);
  if (low > MAX_REPEAT || (high ?? 0) > MAX_REPEAT) {
    return `${text} ${at(open)}: RE2 allows counts up to ${MAX_REPEAT}`;
  }
  if (high !== undefined && low > high) return `${text} ${at(open)}: the minimum is larger than the maximum`;
  return open + text.length;
}

/** After `(` at `open`: the index past the group's opening, or why that kind of group is refused. */
function groupStart(source: string, open: number): number | string {
  if (source[open + 1] !== '?') return open + 1;
  const kind = source.slice(open, open + 4);
  const where = at(open);
  if (kind.startsWith('(?:')) return open + 3;
  if (kind.startsWith('(?=') || kind.startsWith('(?!')) {
    return `lookahead ${kind.slice(0, 3)}…) ${where}: RE2 has no lookaround`;
  }
  if (kind === '(?<=' || kind === '(?<!') return `lookbehind ${kind}…) ${where}: RE2 has no lookaround`;
  if (kind.startsWith('(?<')) {
    return `named group (?<name>…) ${where}: not accepted (the engines allow different names, and a name changes nothing here); write (…)`;
  }
  if (kind.startsWith('(?P'))
    return `RE2's named group syntax (?P…) ${where}: JavaScript refuses it; write (…)`;
  if (kind.startsWith('(?#')) return `comment (?#…) ${where}: neither engine reads comments`;
  if (/^\(\?[A-Za-z-]/.test(kind)) {
    return `inline flags such as (?i) ${where}: RE2 applies them to the rest of the pattern, JavaScript refuses (?i) (and before Node.js 24 also (?i:…)); spell the cases out, as in [Kk]eep`;
  }
  return `'(?' ${where} starts no group of the accepted syntax; write (?:…) for a group or \\( for a literal '('`;
}

/** One element of a bracket class: a single character (a range may use it) or a class escape. */
type ClassItem =
  | { readonly code: number; readonly end: number }
  | { readonly set: true; readonly end: number };

function classItem(source: string, index: number): ClassItem | string {
  const c = source[index] as string;
  if (c !== '\\') return { code: c.charCodeAt(0), end: index + 1 };
  const next = source[index + 1];
  if (next === undefined) return 'the pattern ends in a lone backslash';
  if (CLASS_ESCAPES.has(next)) return { set: true, end: index + 2 };
  const control = CONTROL_ESCAPES[next];
  if (control !== undefined) return { code: control, end: index + 2 };
  if (next === 'b') {
    return `[\\b] ${at(index)}: JavaScript reads \\b in a class as a backspace, RE2 refuses it`;
  }
  if (isDigit(next)) return digitEscapeProblem(next, index);
  if (isLetter(next)) return letterEscapeProblem(next, index, true);
  return { code: next.charCodeAt(0), end: index + 2 };
}

/** The index past the class `[…]` starting at `open`, or why the class is refused. */
function classEnd(source: string, open: number): number | string {
  let i = open + 1;
  if (source[i] === '^') i += 1;
  const first = i;
  if (source[i] === ']') {
    return `${source.slice(open, i + 1)} ${at(open)}: JavaScript reads [] as a class that matches nothing and [^] as any character, RE2 reads the ']' as a literal; write \\] for a literal ']'`;
  }
  while (i < source.length) {
    const c = source[i] as string;
    if (c === ']') return i + 1;
    if (c === '[') {
      return `'[' inside a class ${at(i)}: RE2 reads [:…:] there as a POSIX class such as [:alpha:]; write \\[ for a literal '['`;
    }
    if (c === '-' && i !== first && i + 1 < source.length && source[i + 1] !== ']') {
      return `'-' ${at(i)} is neither a range between two characters nor first or last in the class; write \\- for a literal '-'`;
    }
    const start = i;
    const item = classItem(source, i);
    if (typeof item === 'string') return item;
    i = item.end;
    if (source[i] !== '-' || source[i + 1] === ']' || i + 1 >= source.length) continue;
    // A range: both ends must be single characters, in order.
    const high = classItem(source, i + 1);
    if (typeof high === 'string') return high;
    if ('set' in item || 'set' in high) {
      return `'-' ${at(i)} joins a class escape such as \\d or \\w, not two characters; write \\- for a literal '-'`;
    }
    if (item.code > high.code) {
      return `range ${source.slice(start, high.end)} ${at(start)} is out of order`;
    }
    i = high.end;
  }
  return `the class '[' ${at(open)} is never closed with ']'`;
}
