/**
 * The one whole-number parser. The SSM settings (`max-aborts`, `max-list-parts`), the function's
 * environment (`SWEEPER_*_CONCURRENCY`), the CLI's flags, the construct's props and the app's context
 * all read their counts through it, so a count is written the same way wherever it goes. It only
 * says what is wrong; each caller names the input (an SSM path, a variable, a flag, a prop) and
 * shows the value its own way.
 */

export interface WholeNumberRange {
  readonly min: number;
  /** Absent: no bound but the largest exact integer. */
  readonly max?: number;
}

export interface WholeNumberError {
  /** Ready to follow `<name> = <value>: `, e.g. `must be a whole number from 1 to 32`. */
  readonly error: string;
}

/** `a whole number from 1 to 32`, or `a whole number of 0 or more` without an upper bound. */
export function wholeNumberRule(range: WholeNumberRange): string {
  return range.max === undefined
    ? `a whole number of ${range.min} or more`
    : `a whole number from ${range.min} to ${range.max}`;
}

/**
 * Decimal digits only: no sign, point, exponent or surrounding space (callers that accept padded
 * text trim it first), and exact (at most `Number.MAX_SAFE_INTEGER`).
 */
export function parseWholeNumber(text: string, range: WholeNumberRange): number | WholeNumberError {
  const n = Number(text);
  const whole = /^[0-9]+$/.test(text) && Number.isSafeInteger(n);
  if (!whole || n < range.min || (range.max !== undefined && n > range.max)) {
    return { error: `must be ${wholeNumberRule(range)}` };
  }
  return n;
}

export function isWholeNumberError(value: number | WholeNumberError): value is WholeNumberError {
  return typeof value !== 'number';
}
