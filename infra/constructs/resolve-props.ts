import { Duration, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DEFAULT_ABORT_CONCURRENCY,
  DEFAULT_SSM_PREFIX,
  DEFAULT_VAULT_CONCURRENCY,
  MAX_ABORT_CONCURRENCY,
  MAX_VAULT_CONCURRENCY,
} from '../../lambda/core/defaults';
import {
  isWholeNumberError,
  parseWholeNumber,
  type WholeNumberRange,
  wholeNumberRule,
} from '../../lambda/core/numbers';
import type { Pattern } from '../../lambda/core/pattern';
import {
  ConfigError,
  parseAccountId,
  parseSettings,
  parseSsmPrefix,
  parseVaultPattern,
  quote,
  type SettingNames,
} from '../../lambda/core/settings';
import type { SweepSettings } from '../../lambda/core/types';
import type { GlacierSweeperProps } from './glacier-sweeper-props';
import { vaultNameGlob } from './vault-resource';

export const DEFAULT_SCHEDULE = 'cron(0 3 * * ? *)';
export const DEFAULT_TIMEZONE = 'Etc/UTC';
export const DEFAULT_MEMORY_SIZE = 256;
export const DEFAULT_TIMEOUT = Duration.minutes(10);
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_YEAR;
export const DEFAULT_RESERVED_CONCURRENCY = 1;

/** Everything the construct builds from, validated; SSM values exactly as they are written. */
export interface ResolvedProps {
  readonly ssmValues: {
    readonly vaults: string[];
    readonly olderThan: string;
    readonly action: string;
    readonly accountId: string;
    readonly maxAborts: string;
    readonly exclude: string | undefined;
    readonly notify: string;
    /** Absent parameter = no quiet period, so undefined means "do not create it". */
    readonly quietPeriod: string | undefined;
    readonly maxListParts: string;
  };
  readonly ssmPrefix: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly alertEmails: readonly string[];
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  readonly reservedConcurrency: number | undefined;
  /** SWEEPER_VAULT_CONCURRENCY and SWEEPER_ABORT_CONCURRENCY, within the core's bounds. */
  readonly vaultConcurrency: number;
  readonly abortConcurrency: number;
  /** SWEEPER_VAULT_METRICS on: the per-vault metrics, and the dashboard's per-vault widgets. */
  readonly perVaultMetrics: boolean;
  /** Explicit accounts, or undefined for "this stack's account" (a token until deploy). */
  readonly vaultAccountIds: readonly string[] | undefined;
  readonly vaultPattern: string | undefined;
  readonly vaultNameGlob: string;
  /** The vault names the grant is narrowed to (grantNamedVaultsOnly), or undefined for the glob. */
  readonly grantedVaultNames: readonly string[] | undefined;
}

/** The core's parsers name the setting through this, so their messages name the prop. */
const propNames: SettingNames = { name: (key) => key };

/** A prop (or the context key of the same name) that cannot be deployed; `prop` names it. */
export class InvalidPropError extends Error {
  override readonly name = 'InvalidPropError';
  constructor(
    readonly prop: string,
    why: string,
  ) {
    super(`GlacierSweeper: invalid prop ${prop}: ${why}`);
  }
}

export function invalidProp(prop: string, why: string): InvalidPropError {
  return new InvalidPropError(prop, why);
}

function rethrowConfigError(error: unknown): never {
  if (error instanceof ConfigError) throw invalidProp(error.setting, error.message);
  throw error;
}

/** The vault entries as they go into the StringList: trimmed, nothing else changed. */
function vaultEntries(vaults: string | readonly string[]): string[] {
  const joined = typeof vaults === 'string' ? vaults : vaults.join(',');
  return joined.split(',').map((entry) => entry.trim());
}

/**
 * Bounds of the whole-number props. The construct checks each prop against its bounds, and the app's
 * context reader checks `-c` values against the same ones, so both say the same range.
 */
export const WHOLE_NUMBER_PROPS = {
  memorySize: { min: 128, max: 10240 },
  // 0 would not mean "no reservation" but "never run": Lambda throttles every invocation.
  reservedConcurrency: { min: 1, max: 1000 },
  // The core's own bounds: the function refuses anything outside them at run time, so synth must too.
  vaultConcurrency: { min: 1, max: MAX_VAULT_CONCURRENCY },
  abortConcurrency: { min: 1, max: MAX_ABORT_CONCURRENCY },
} as const satisfies Record<string, WholeNumberRange>;

/**
 * A whole-number prop (a number) or context value (text, trimmed) within `range`. The message names
 * the prop and shows the value as it was given: a number as is, text quoted.
 */
export function wholeNumberProp(prop: string, value: number | string, range: WholeNumberRange): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const parsed = parseWholeNumber(text, range);
  if (isWholeNumberError(parsed)) {
    throw invalidProp(prop, `${prop} = ${typeof value === 'number' ? text : quote(text)}: ${parsed.error}`);
  }
  return parsed;
}

const CRON_FIELDS = 'minutes hours day-of-month month day-of-week year';
const RATE_UNITS = ['minute', 'hour', 'day'];
const RATE_AMOUNT: WholeNumberRange = { min: 1 };

/**
 * Why `schedule` is not an EventBridge Scheduler expression, or undefined when it has the right shape:
 * `cron(…)` with 6 fields, one of the two day fields `?`; `rate(N unit)`, N a whole number of 1 or
 * more, unit minute(s), hour(s) or day(s), singular exactly when N is 1
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html, and the
 * Scheduler API's ScheduleExpression). A 5-field Unix cron is the usual mistake, and CloudFormation
 * would only refuse it at deploy time. The field values themselves are left to Scheduler.
 */
function scheduleProblem(schedule: string): string | undefined {
  const cron = /^cron\((.*)\)$/.exec(schedule);
  if (cron !== null) {
    const fields = (cron[1] ?? '')
      .trim()
      .split(/\s+/)
      .filter((field) => field !== '');
    if (fields.length !== 6) {
      return `a cron expression has 6 fields (${CRON_FIELDS}), this one has ${fields.length}: e.g. cron(0 3 * * ? *) for 03:00 every day`;
    }
    if ((fields[2] === '?') === (fields[4] === '?')) {
      return 'exactly one of day-of-month and day-of-week must be ? (e.g. cron(0 3 * * ? *), cron(0 3 ? * MON *))';
    }
    return undefined;
  }
  const rate = /^rate\((.*)\)$/.exec(schedule);
  if (rate !== null) {
    const parts = /^\s*(\S+)\s+(\S+)\s*$/.exec(rate[1] ?? '');
    const [amount, unit] = [parts?.[1], parts?.[2]];
    const n = amount === undefined ? undefined : parseWholeNumber(amount, RATE_AMOUNT);
    if (n === undefined || isWholeNumberError(n) || unit === undefined) {
      return `a rate expression is rate(N unit), N ${wholeNumberRule(RATE_AMOUNT)}`;
    }
    const singular = unit.replace(/s$/, '');
    if (!RATE_UNITS.includes(singular)) {
      return `the unit of a rate must be minute(s), hour(s) or day(s), not ${quote(unit)}`;
    }
    const expected = n === 1 ? singular : `${singular}s`;
    if (unit !== expected) return `with ${n} the unit is ${expected}: rate(${n} ${expected})`;
    return undefined;
  }
  return 'must be an EventBridge Scheduler expression, cron(…) or rate(…)';
}
// Deliberately loose: SNS is the real judge; this only catches lists pasted as one address and typos
// without an @, which would otherwise surface only as a failed deploy.
const EMAIL_RE = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates the props with the core's own parsers and fills in the core's defaults. Throws an Error
 * whose message starts with `GlacierSweeper: invalid prop <name>`.
 *
 * @param stackAccount the stack's account when it is known at synth (not a token), for cross-checks
 */
export function resolveProps(props: GlacierSweeperProps, stackAccount: string | undefined): ResolvedProps {
  const action = props.action ?? 'report';
  const accountId = props.accountId?.trim() ?? '-';
  if (props.vaults === undefined) {
    if (action === 'abort') {
      throw invalidProp(
        'vaults',
        "vaults is required when action is 'abort': name the vaults to sweep (or pass '*' explicitly)",
      );
    }
    if (/^[0-9]{12}$/.test(accountId)) {
      throw invalidProp('vaults', `vaults is required when accountId names another account (${accountId})`);
    }
  }
  const entries = vaultEntries(props.vaults ?? '*');

  let settings: SweepSettings;
  try {
    settings = parseSettings(
      {
        vaults: entries.join(','),
        olderThan: props.olderThan,
        action: props.action,
        accountId: props.accountId,
        maxAborts: props.maxAborts === undefined ? undefined : String(props.maxAborts),
        exclude: props.exclude,
        notify: props.notify,
        quietPeriod: props.quietPeriod,
        maxListParts: props.maxListParts === undefined ? undefined : String(props.maxListParts),
      },
      propNames,
    );
  } catch (error) {
    rethrowConfigError(error);
  }

  let ssmPrefix: string;
  let pattern: Pattern | undefined;
  try {
    ssmPrefix = parseSsmPrefix(props.ssmPrefix ?? DEFAULT_SSM_PREFIX, 'ssmPrefix');
    pattern = parseVaultPattern(props.vaultPattern, 'vaultPattern');
  } catch (error) {
    rethrowConfigError(error);
  }

  if (pattern !== undefined && settings.vaults !== '*') {
    for (const target of settings.vaults) {
      if (!pattern.test(target.name)) {
        throw invalidProp(
          'vaults',
          `vault ${quote(target.name)} does not match vaultPattern ${quote(props.vaultPattern ?? '')}: the function would not be allowed to touch it`,
        );
      }
    }
  }

  let grantedVaultNames: string[] | undefined;
  if (props.grantNamedVaultsOnly === true) {
    if (settings.vaults === '*') {
      throw invalidProp(
        'vaults',
        `vaults = "*" with grantNamedVaultsOnly: a grant on named vaults only cannot serve '*'; name the vaults, or leave grantNamedVaultsOnly off`,
      );
    }
    grantedVaultNames = settings.vaults.map((target) => target.name);
  }

  const vaultAccountIds = resolveVaultAccounts(props.vaultAccountIds, settings.accountId, stackAccount);

  const schedule = (props.schedule ?? DEFAULT_SCHEDULE).trim();
  const problem = scheduleProblem(schedule);
  if (problem !== undefined) throw invalidProp('schedule', `schedule = ${quote(schedule)}: ${problem}`);
  const timezone = (props.timezone ?? DEFAULT_TIMEZONE).trim();
  if (!isTimeZone(timezone)) {
    throw invalidProp(
      'timezone',
      `timezone = ${quote(timezone)}: must be an IANA time zone such as Europe/Paris`,
    );
  }

  const alertEmails = (props.alertEmails ?? []).map((email) => email.trim());
  for (const email of alertEmails) {
    if (!EMAIL_RE.test(email)) {
      throw invalidProp('alertEmails', `alertEmails entry ${quote(email)}: is not an email address`);
    }
  }

  const memorySize = wholeNumberProp(
    'memorySize',
    props.memorySize ?? DEFAULT_MEMORY_SIZE,
    WHOLE_NUMBER_PROPS.memorySize,
  );
  const timeout = props.timeout ?? DEFAULT_TIMEOUT;
  const timeoutSeconds = timeout.toSeconds();
  if (timeoutSeconds < 60 || timeoutSeconds > 900) {
    throw invalidProp('timeout', `timeout = ${timeoutSeconds}s: must be from 1 to 15 minutes`);
  }
  const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
  if (!Object.values(RetentionDays).includes(logRetention)) {
    throw invalidProp(
      'logRetention',
      `logRetention = ${logRetention}: must be one of CloudWatch's retention periods (in days)`,
    );
  }
  const reserved = props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY;
  const reservedConcurrency =
    reserved === false
      ? undefined
      : wholeNumberProp('reservedConcurrency', reserved, WHOLE_NUMBER_PROPS.reservedConcurrency);
  const vaultConcurrency = wholeNumberProp(
    'vaultConcurrency',
    props.vaultConcurrency ?? DEFAULT_VAULT_CONCURRENCY,
    WHOLE_NUMBER_PROPS.vaultConcurrency,
  );
  const abortConcurrency = wholeNumberProp(
    'abortConcurrency',
    props.abortConcurrency ?? DEFAULT_ABORT_CONCURRENCY,
    WHOLE_NUMBER_PROPS.abortConcurrency,
  );

  return {
    ssmValues: {
      vaults: entries,
      olderThan: settings.olderThan.text,
      action: settings.action,
      accountId: settings.accountId,
      maxAborts: String(settings.maxAborts),
      exclude: settings.exclude === undefined ? undefined : props.exclude,
      notify: settings.notify,
      quietPeriod: settings.quietPeriod?.text,
      maxListParts: String(settings.maxListParts),
    },
    ssmPrefix,
    schedule,
    timezone,
    alertEmails,
    memorySize,
    timeout,
    logRetention,
    reservedConcurrency,
    vaultConcurrency,
    abortConcurrency,
    perVaultMetrics: props.perVaultMetrics ?? false,
    vaultAccountIds,
    vaultPattern: pattern === undefined ? undefined : props.vaultPattern,
    vaultNameGlob: vaultNameGlob(props.vaultPattern),
    grantedVaultNames,
  };
}

function resolveVaultAccounts(
  given: readonly string[] | undefined,
  accountId: string,
  stackAccount: string | undefined,
): readonly string[] | undefined {
  const known = stackAccount !== undefined && !Token.isUnresolved(stackAccount) ? stackAccount : undefined;
  if (given === undefined) {
    if (accountId !== '-' && accountId !== known) {
      throw invalidProp(
        'accountId',
        `accountId ${accountId} is not this stack's account: list it in vaultAccountIds so the function may reach its vaults`,
      );
    }
    return undefined;
  }
  if (given.length === 0) {
    throw invalidProp('vaultAccountIds', 'vaultAccountIds is empty: list at least one 12-digit account id');
  }
  const ids = given.map((id) => id.trim());
  const names: SettingNames = { name: () => 'vaultAccountIds' };
  for (const id of ids) {
    if (id === '-') {
      throw invalidProp(
        'vaultAccountIds',
        'vaultAccountIds = "-": list 12-digit account ids (\'-\' is only for accountId)',
      );
    }
    try {
      parseAccountId(id, names);
    } catch (error) {
      rethrowConfigError(error);
    }
  }
  if (new Set(ids).size !== ids.length) {
    throw invalidProp(
      'vaultAccountIds',
      `vaultAccountIds = ${quote(ids.join(','))}: an account is listed twice`,
    );
  }
  // With '-' the function sweeps its own account, so the grant must cover it. An account that is a
  // token until deploy is checked by a template rule instead (GlacierSweeper).
  if (accountId === '-' && known !== undefined && !ids.includes(known)) {
    throw invalidProp(
      'vaultAccountIds',
      `vaultAccountIds = ${quote(ids.join(','))} leaves out this stack's account ${known}, but accountId is "-" (this account): add ${known}, or set accountId to one of the listed accounts`,
    );
  }
  if (accountId !== '-' && !ids.includes(accountId)) {
    throw invalidProp(
      'accountId',
      `accountId ${accountId} is not in vaultAccountIds (${ids.join(', ')}): the function could not reach its vaults`,
    );
  }
  return ids;
}
