import { compilePattern, isPatternError, type Pattern } from '../../../lambda/core/pattern';

/** A compiled pattern for tests; throws with the compiler's reason when the source is refused. */
export function pattern(source: string): Pattern {
  const compiled = compilePattern(source);
  if (isPatternError(compiled)) throw new Error(`${JSON.stringify(source)}: ${compiled.error}`);
  return compiled;
}
