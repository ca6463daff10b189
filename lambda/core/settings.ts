import {
  ACTIONS,
  DEFAULT_ABORT_CONCURRENCY,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_ACTION,
  DEFAULT_MAX_ABORTS,
  DEFAULT_MAX_LIST_PARTS,
  DEFAULT_NOTIFY,
  DEFAULT_OLDER_THAN,
  DEFAULT_SSM_PREFIX,
  DEFAULT_VAULT_CONCURRENCY,
  ENV,
  MAX_ABORT_CONCURRENCY,
  MAX_EXCLUDE_LENGTH,
  MAX_VAULT_CONCURRENCY,
  NOTIFY_MODES,
  type ParamKey,
} from './defaults';
import { type Duration, isDurationError, parseDuration } from './duration';
import { isWholeNumberError, parseWholeNumber } from './numbers';
import { compilePattern, isPatternError, type Pattern } from './pattern';
import { escapeUnsafeInJson } from './sanitize';
import { ssmParameterName } from './ssm-names';
import type { Action, Notify, SweepSettings, VaultTarget } from './types';

/**
 * A setting that cannot be used. Nothing is aborted because of it: the run stops before any vault is
 * touched. `setting` is the name the operator knows (an SSM path, an env var, a CLI flag); `cause`,
 * when the settings could not even be read, is what the service answered.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly setting: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Raw parameter values by contract key; a missing key means the parameter does not exist. */
export type RawSettings = Partial<Record<ParamKey, string | undefined>>;

export interface SettingNames {
  /** How to name a parameter in an error: `/glacier-sweeper/older-than` for SSM, `--older-than` for the CLI. */
  name(key: ParamKey): string;
}

export const ssmNames = (prefix: string): SettingNames => ({ name: (key) => ssmParameterName(prefix, key) });

const VAULT_NAME_RE = /^[a-zA-Z0-9_.-]{1,255}$/;
const ACCOUNT_ID_RE = /^[0-9]{12}$/;

/**
 * Quotes a value for an error message, bounded so a pasted blob cannot flood the alert, and with every
 * control character escaped: the message is printed to terminals (the CLI) and logs (the Lambda).
 */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return escapeUnsafeInJson(JSON.stringify(shown));
}

export function isValidVaultName(name: string): boolean {
  return VAULT_NAME_RE.test(name);
}

function fail(names: SettingNames, key: ParamKey, value: string, why: string): never {
  const setting = names.name(key);
  throw new ConfigError(setting, `${setting} = ${quote(value)}: ${why}`);
}

/** Why the 24-hour floor exists, said in terms of the setting that hit it. */
const FLOOR_WHY: Partial<Record<ParamKey, string>> = {
  olderThan: 'Glacier may drop uploads idle for a day, so a shorter threshold mostly hits live uploads',
  vaults: 'Glacier may drop uploads idle for a day, so a shorter threshold mostly hits live uploads',
  quietPeriod: 'parts still in flight are not listed, so the quiet period must outlast the slowest part',
};

function durationError(key: ParamKey, error: string): string {
  const why = FLOOR_WHY[key];
  return error.startsWith('must be at least') && why ? `${error}: ${why}` : error;
}

function durationOf(names: SettingNames, key: ParamKey, value: string): Duration {
  const parsed = parseDuration(value);
  if (isDurationError(parsed)) fail(names, key, value, durationError(key, parsed.error));
  return parsed;
}

/**
 * Parses the `vaults` StringList: `name` or `name=DURATION` entries, or `*` alone. Entries are
 * trimmed; an empty entry, a name listed twice, a name that is not a vault name, and `*` with a
 * threshold or beside other entries are errors. Enforced here, once, for the Lambda, the CLI and the
 * CDK construct.
 */
export function parseVaultList(value: string, olderThan: Duration, names: SettingNames): '*' | VaultTarget[] {
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === '*') return '*';
  const seen = new Set<string>();
  const targets: VaultTarget[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry === '') fail(names, 'vaults', value, `entry ${index + 1} is empty`);
    const eq = entry.indexOf('=');
    const name = (eq === -1 ? entry : entry.slice(0, eq)).trim();
    const override = eq === -1 ? undefined : entry.slice(eq + 1).trim();
    if (name === '*') {
      const why =
        override === undefined
          ? "'*' (every vault) cannot be combined with other entries"
          : `'*' cannot have its own threshold (${quote(entry)}): set older-than instead`;
      fail(names, 'vaults', value, why);
    }
    if (!isValidVaultName(name)) {
      fail(names, 'vaults', value, `${quote(name)} is not a vault name (1-255 of a-z A-Z 0-9 _ - .)`);
    }
    if (seen.has(name)) fail(names, 'vaults', value, `vault ${quote(name)} is listed twice`);
    seen.add(name);
    let threshold = olderThan;
    if (override !== undefined) {
      const parsed = parseDuration(override);
      if (isDurationError(parsed)) {
        fail(names, 'vaults', value, `threshold of ${quote(name)}: ${durationError('vaults', parsed.error)}`);
      }
      threshold = parsed;
    }
    targets.push({ name, olderThan: threshold });
  }
  return targets;
}

function oneOf<T extends string>(
  names: SettingNames,
  key: ParamKey,
  value: string,
  allowed: readonly T[],
): T {
  const trimmed = value.trim();
  if (!(allowed as readonly string[]).includes(trimmed)) {
    fail(names, key, value, `must be one of ${allowed.join(', ')}`);
  }
  return trimmed as T;
}

/** The lead-in of every refused pattern: an operator used to JavaScript syntax learns the rules changed. */
const notAccepted = (why: string): string => `is not an accepted RE2 pattern: ${why}`;

/** `exclude`: a pattern of the accepted RE2 subset (see `pattern.ts`), at most 256 characters. */
export function parseExclude(value: string | undefined, names: SettingNames): Pattern | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (value.length > MAX_EXCLUDE_LENGTH) {
    fail(
      names,
      'exclude',
      value,
      `is ${value.length} characters long; at most ${MAX_EXCLUDE_LENGTH} are allowed`,
    );
  }
  const compiled = compilePattern(value);
  if (isPatternError(compiled)) return fail(names, 'exclude', value, notAccepted(compiled.error));
  return compiled;
}

/** A count setting: 0 is allowed (`max-aborts` 0 reports only, `max-list-parts` 0 measures nothing). */
function countSetting(names: SettingNames, key: ParamKey, value: string): number {
  const parsed = parseWholeNumber(value.trim(), { min: 0 });
  if (isWholeNumberError(parsed)) fail(names, key, value, parsed.error);
  return parsed;
}

export function parseMaxAborts(value: string, names: SettingNames): number {
  return countSetting(names, 'maxAborts', value);
}

export function parseMaxListParts(value: string, names: SettingNames): number {
  return countSetting(names, 'maxListParts', value);
}

export function parseAccountId(value: string, names: SettingNames): string {
  const trimmed = value.trim();
  if (trimmed !== '-' && !ACCOUNT_ID_RE.test(trimmed)) {
    fail(names, 'accountId', value, "must be a 12-digit account id, or '-' for the function's own account");
  }
  return trimmed;
}

/**
 * Validates every setting before any vault is touched; throws a ConfigError naming the first bad one.
 * Absent optional parameters take the contract's defaults; `vaults` is required.
 */
export function parseSettings(raw: RawSettings, names: SettingNames): SweepSettings {
  if (raw.vaults === undefined) {
    const setting = names.name('vaults');
    throw new ConfigError(setting, `${setting} is not set: list vault names (name or name=DURATION), or '*'`);
  }
  const olderThan = durationOf(names, 'olderThan', raw.olderThan ?? DEFAULT_OLDER_THAN);
  const vaults = parseVaultList(raw.vaults, olderThan, names);
  const action = oneOf<Action>(names, 'action', raw.action ?? DEFAULT_ACTION, ACTIONS);
  const accountId = parseAccountId(raw.accountId ?? DEFAULT_ACCOUNT_ID, names);
  if (vaults === '*' && accountId !== '-') {
    fail(
      names,
      'vaults',
      raw.vaults,
      `'*' lists only the function's own account, but account-id is ${accountId}`,
    );
  }
  return {
    vaults,
    olderThan,
    action,
    accountId,
    maxAborts: parseMaxAborts(raw.maxAborts ?? String(DEFAULT_MAX_ABORTS), names),
    exclude: parseExclude(raw.exclude, names),
    notify: oneOf<Notify>(names, 'notify', raw.notify ?? DEFAULT_NOTIFY, NOTIFY_MODES),
    quietPeriod:
      raw.quietPeriod === undefined ? undefined : durationOf(names, 'quietPeriod', raw.quietPeriod),
    maxListParts: parseMaxListParts(raw.maxListParts ?? String(DEFAULT_MAX_LIST_PARTS), names),
  };
}

/** The function's environment, validated. */
export interface RuntimeEnv {
  readonly ssmPrefix: string;
  readonly topicArn: string;
  readonly vaultConcurrency: number;
  readonly abortConcurrency: number;
  readonly vaultPattern: Pattern | undefined;
  /** DynamoDB table of upload history for `quiet-period`; unset when the stack has none. */
  readonly stateTable: string | undefined;
}

const SSM_PREFIX_RE = /^\/[a-zA-Z0-9_.\-/]{0,900}[a-zA-Z0-9_.-]$/;

/** A concurrency variable: unset or empty takes the default, anything else must be 1 to `max`. */
function envConcurrency(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  max: number,
): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = parseWholeNumber(value.trim(), { min: 1, max });
  if (isWholeNumberError(parsed)) throw new ConfigError(name, `${name} = ${quote(value)}: ${parsed.error}`);
  return parsed;
}

export function parseSsmPrefix(value: string, setting: string): string {
  if (!SSM_PREFIX_RE.test(value) || value.includes('//')) {
    throw new ConfigError(
      setting,
      `${setting} = ${quote(value)}: must be an SSM path such as /glacier-sweeper (leading slash, no trailing slash)`,
    );
  }
  return value;
}

/** The vault-name pattern (env, CLI flag or construct prop, named by `setting`): the same compiler as `exclude`. */
export function parseVaultPattern(value: string | undefined, setting: string): Pattern | undefined {
  if (value === undefined || value === '') return undefined;
  const compiled = compilePattern(value);
  if (isPatternError(compiled)) {
    throw new ConfigError(setting, `${setting} = ${quote(value)}: ${notAccepted(compiled.error)}`);
  }
  return compiled;
}

export function parseRuntimeEnv(env: Record<string, string | undefined>): RuntimeEnv {
  const topicArn = env[ENV.topicArn];
  if (topicArn === undefined || topicArn.trim() === '') {
    throw new ConfigError(ENV.topicArn, `${ENV.topicArn} is not set: the function needs its SNS topic`);
  }
  return {
    ssmPrefix: parseSsmPrefix(env[ENV.ssmPrefix] || DEFAULT_SSM_PREFIX, ENV.ssmPrefix),
    topicArn: topicArn.trim(),
    vaultConcurrency: envConcurrency(
      env,
      ENV.vaultConcurrency,
      DEFAULT_VAULT_CONCURRENCY,
      MAX_VAULT_CONCURRENCY,
    ),
    abortConcurrency: envConcurrency(
      env,
      ENV.abortConcurrency,
      DEFAULT_ABORT_CONCURRENCY,
      MAX_ABORT_CONCURRENCY,
    ),
    vaultPattern: parseVaultPattern(env[ENV.vaultPattern], ENV.vaultPattern),
    stateTable: env[ENV.stateTable]?.trim() || undefined,
  };
}
