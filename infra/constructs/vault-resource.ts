/**
 * Turns the optional vault-name pattern into the name part of a Glacier vault ARN for IAM.
 *
 * IAM resource globs only know `*` and `?`, so only anchored literal patterns translate exactly:
 * `^backup-` → `backup-*`, `^backup-.*$` → `backup-*`, `^archive$` → `archive`. Anything else
 * (alternation, classes, unanchored) keeps `*`: a wider grant than the pattern, never a narrower one,
 * and the function still filters `*` by the full pattern at run time.
 */
export function vaultNameGlob(pattern: string | undefined): string {
  if (pattern === undefined || pattern === '') return '*';
  // Vault names hold only `a-z A-Z 0-9 _ - .`; none of them is an IAM wildcard, so a literal run of
  // them (with `.` escaped, as an unescaped `.` would match any character) can be copied verbatim.
  const match = /^\^((?:[A-Za-z0-9_-]|\\[._-])+)(\$|\.\*\$?)?$/.exec(pattern);
  const literal = match?.[1];
  if (literal === undefined) return '*';
  const name = literal.replace(/\\(.)/g, '$1');
  return match?.[2] === '$' ? name : `${name}*`;
}
