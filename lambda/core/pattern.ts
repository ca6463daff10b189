import { RE2JS } from 're2js';
import { MAX_REPEAT, subsetProblem } from './pattern-subset';

/**
 * The one pattern compiler: `exclude` (SSM, `--exclude`, the construct prop) and the vault-name
 * pattern (`SWEEPER_VAULT_PATTERN`, `--vault-pattern`, the `vaultPattern` prop) all go through it.
 *
 * Patterns are matched by RE2 (the pure-JavaScript port re2js), whose time is linear in the text
 * searched. Descriptions are written by whoever starts an upload, and with a backtracking engine one
 * crafted description blocks the event loop for minutes, during which no timer (not even the hard
 * stop that saves the report) can fire.
 *
 * Only the subset of RE2 syntax checked in `pattern-subset.ts` is accepted: where RE2 and the engine
 * these settings used before (JavaScript's RegExp, no flags) mean the same on printable ASCII.
 */

/**
 * Most instructions a compiled pattern may have. A search costs at worst about this many steps per
 * character (when RE2's DFA gives up and its NFA runs), so the cap bounds what one description can
 * cost even for a pattern built against the DFA, such as a long group repeated a thousand times.
 */
export const MAX_PATTERN_INSTRUCTIONS = 5000;

/**
 * A compiled pattern. Only `compilePattern` makes one (the class is not exported), and its private
 * field keeps a RegExp, which has a `test` too, from passing for one.
 */
class Pattern {
  readonly #re2: RE2JS;

  constructor(
    readonly source: string,
    re2: RE2JS,
  ) {
    this.#re2 = re2;
  }

  /** True when the pattern matches anywhere in `text`: a search, like `RegExp.prototype.test`. */
  test(text: string): boolean {
    return this.#re2.test(text);
  }

  toString(): string {
    return this.source;
  }
}

export type { Pattern };

export interface PatternError {
  readonly error: string;
}

export function isPatternError(value: Pattern | PatternError): value is PatternError {
  return !(value instanceof Pattern);
}

/**
 * Compiles a pattern of the accepted subset, or returns why not: a reason to put after the setting's
 * name and value (the caller knows what the setting is called), naming the construct and its place.
 */
export function compilePattern(source: string): Pattern | PatternError {
  const problem = subsetProblem(source);
  if (problem !== undefined) return { error: problem };
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Each count passed the subset check, so this is counts nested inside each other.
    if (message.includes('invalid repeat count')) {
      return { error: `nested repeat counts multiply past RE2's limit of ${MAX_REPEAT} (${message})` };
    }
    return { error: `RE2 refuses it (${message})` };
  }
  const instructions = Number(re2.re2().numberOfInstructions());
  if (instructions > MAX_PATTERN_INSTRUCTIONS) {
    return {
      error: `compiles to ${instructions} RE2 instructions, more than the ${MAX_PATTERN_INSTRUCTIONS} allowed so that each description is searched quickly; use smaller repeat counts`,
    };
  }
  return new Pattern(source, re2);
}
