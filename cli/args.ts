import { parseArgs } from 'node:util';
import { quote } from '../lambda/core/settings';

/** A bad command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * What each flag that takes a value takes, said when the value is missing. The order is the help's.
 * Every value is checked again where it is used, which names the flag and the bad value.
 */
const VALUE_OF = {
  vault: "NAME or NAME=DURATION, or '*' for every vault of the account",
  'older-than': 'a duration, a whole number and m, h, d or w, from 24h to 3650d',
  exclude: 'a pattern (RE2 syntax) that protects the uploads it matches',
  'max-aborts': 'a whole number of 0 or more',
  'max-list-parts': 'a whole number of 0 or more',
  'account-id': "a 12-digit account id, or '-' for the caller's own",
  'quiet-period': 'a duration, a whole number and m, h, d or w, from 24h to 3650d',
  'state-table': "the name of the upload-history table (the stack's StateTableName output)",
  'vault-pattern': 'a pattern (RE2 syntax) that vault names must match',
  'vault-concurrency': 'a whole number of vaults swept at once',
  'abort-concurrency': 'a whole number of aborts in flight per vault',
  region: 'an AWS region such as us-east-1',
  profile: 'the name of a profile in ~/.aws/config or ~/.aws/credentials',
  'endpoint-url': 'a URL such as http://localhost:4566',
} as const;

const OPTIONS = {
  ...(Object.fromEntries(Object.keys(VALUE_OF).map((name) => [name, { type: 'string' }])) as Record<
    keyof typeof VALUE_OF,
    { type: 'string' }
  >),
  vault: { type: 'string', multiple: true },
  abort: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  wide: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

const takesValue = (name: string): name is keyof typeof VALUE_OF => Object.hasOwn(VALUE_OF, name);

/** A token that is itself a flag, never a flag's value: `--anything`, or one of the short flags. */
const isFlag = (token: string): boolean => token.startsWith('--') || token === '-h' || token === '-V';

/**
 * `--older-than -1d` is the value `-1d`, as `--older-than=-1d` is: Node's parser calls a value that
 * starts with `-` ambiguous, and its message names neither what the flag takes nor the value. Here
 * the next token is the flag's value unless it is a flag itself (then the value is missing).
 */
function attachValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = token.startsWith('--') ? token.slice(2) : '';
    if (!takesValue(name)) {
      out.push(token);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || isFlag(value))
      throw new UsageError(`--${name} needs a value: ${VALUE_OF[name]}`);
    out.push(`--${name}=${value}`);
    i += 1;
  }
  return out;
}

export function parseCli(argv: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: attachValues(argv),
    allowPositionals: true,
    strict: true,
    options: OPTIONS,
  });
  return { values, positionals };
}

/** Every long flag, for the help test: each one is documented. */
export const FLAGS: readonly string[] = Object.keys(OPTIONS).map((name) => `--${name}`);

/**
 * `--endpoint-url`, checked before any request: an http(s) URL with a host. The SDK would otherwise
 * read `localhost:4566` as the scheme `localhost:` and fail every vault with an unhelpful error.
 */
export function parseEndpointUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new UsageError(
      `--endpoint-url = ${quote(value)}: not a URL: give the scheme and the host, such as http://localhost:4566`,
    );
  }
  return value;
}
