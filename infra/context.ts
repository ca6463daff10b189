import { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { WholeNumberRange } from '../lambda/core/numbers';
import type { Action, Notify } from '../lambda/core/types';
import type { GlacierSweeperProps } from './constructs/glacier-sweeper-props';
import { invalidProp, WHOLE_NUMBER_PROPS, wholeNumberProp } from './constructs/resolve-props';

/** Context keys read by the app: the construct's props, plus `regions`. */
export const PROP_KEYS = [
  'vaults',
  'olderThan',
  'action',
  'accountId',
  'maxAborts',
  'exclude',
  'notify',
  'quietPeriod',
  'maxListParts',
  'schedule',
  'timezone',
  'alertEmails',
  'ssmPrefix',
  'memorySize',
  'timeout',
  'logRetention',
  'reservedConcurrency',
  'vaultConcurrency',
  'abortConcurrency',
  'perVaultMetrics',
  'vaultAccountIds',
  'vaultPattern',
  'grantNamedVaultsOnly',
] as const satisfies readonly (keyof GlacierSweeperProps)[];

/**
 * Keys of the fleet app (`-c fleet=true`): the switch, the spoke's trust (organizationId, hubAccountId),
 * the hub's props, and the optional StackSet of spokes. Refused without `-c fleet=true`.
 */
export const FLEET_KEYS = [
  'fleet',
  'organizationId',
  'hubAccountId',
  'accounts',
  'excludeAccounts',
  'abortAccounts',
  'maxConcurrency',
  'vaultsPerBatch',
  'workerMaxPages',
  'accountMessages',
  'accountMetrics',
  'spokeOrganizationalUnitIds',
  'spokeStackSetRegion',
] as const;

export interface SweeperContext {
  readonly props: GlacierSweeperProps;
  /** Regions to deploy to, one stack each; empty for one stack in the CLI's default region. */
  readonly regions: readonly string[];
}

type Lookup = (key: string) => unknown;

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export function text(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw invalidProp(key, `${key}: expected a string, got ${typeof value}`);
}

/** `-c a=x,y` gives a string; cdk.json may hold an array. Either way a list of trimmed, non-empty items. */
export function list(key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value)
    ? value.map((item) => text(key, item) ?? '')
    : (text(key, value) ?? '').split(',');
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/** A number in cdk.json, or text from `-c`; checked against the prop's own bounds, in its words. */
function wholeNumber(key: string, value: unknown, range: WholeNumberRange): number | undefined {
  const raw = text(key, value);
  if (raw === undefined) return undefined;
  return wholeNumberProp(key, typeof value === 'number' ? value : raw, range);
}

/** `600`, `600s` or `10m`: CDK's Duration has no parser, and the core's durations start at a day. */
function timeout(value: unknown): Duration | undefined {
  const raw = text('timeout', value)?.trim();
  if (raw === undefined) return undefined;
  const match = /^([0-9]+)(s|m)?$/.exec(raw);
  if (!match) {
    throw invalidProp('timeout', `timeout = ${JSON.stringify(raw)}: expected seconds (600), or 600s or 10m`);
  }
  const amount = Number(match[1]);
  return match[2] === 'm' ? Duration.minutes(amount) : Duration.seconds(amount);
}

/** `-c key=true` gives a string, cdk.json a boolean. */
export function flag(key: string, value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const raw = text(key, value)?.trim();
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalidProp(key, `${key} = ${JSON.stringify(raw)}: expected true or false`);
}

function reservedConcurrency(value: unknown): number | false | undefined {
  if (value === false) return false;
  const raw = text('reservedConcurrency', value)?.trim();
  if (raw !== undefined && ['false', 'off', 'none'].includes(raw.toLowerCase())) return false;
  return wholeNumber('reservedConcurrency', value, WHOLE_NUMBER_PROPS.reservedConcurrency);
}

/** Keys that CDK and its CLI put into the context themselves: feature flags, CLI settings, lookups. */
function isCdkKey(key: string): boolean {
  return (
    key.startsWith('@') || // feature flags: @aws-cdk/…, @aws-cdk-containers/…, a library's own
    key.startsWith('aws:') || // aws:cdk:enable-path-metadata, aws:cdk:bundling-stacks, …
    key.startsWith('aws-cdk:') ||
    key.startsWith('cdk-') ||
    key === 'cli-telemetry' ||
    key === 'acknowledged-issue-numbers' ||
    // Lookup results the CLI caches in cdk.context.json: `<provider>:account=…:region=…`.
    /^[a-z][a-z0-9-]*:account=/.test(key)
  );
}

const squash = (key: string) => key.replace(/[-_]/g, '').toLowerCase();

/** Levenshtein distance, for the "did you mean" of a misspelt key. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known key `key` was probably meant to be: same letters but case and dashes, or two edits away. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const exact = known.find((candidate) => squash(candidate) === squash(key));
  if (exact !== undefined) return exact;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(squash(key), squash(candidate));
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}

/**
 * A context key the app does not read is a typo (`olderThen`, `older-than`) or a stale setting that
 * would otherwise be ignored silently, leaving a default in place: refuse it, naming what is read.
 * Only this app's own reading does this; the construct takes props, and a consumer's app its own keys.
 */
export function rejectUnknownKeys(keys: readonly string[]): void {
  const known = [...PROP_KEYS, 'regions', ...FLEET_KEYS];
  for (const key of keys) {
    if (known.includes(key) || isCdkKey(key)) continue;
    const meant = closestKey(key, known);
    const list = `Known keys: ${known.join(', ')} (keys of CDK itself, such as @aws-cdk/…, aws:…, aws-cdk:…, cdk-…, pass)`;
    throw meant === undefined
      ? invalidProp(key, `context key ${JSON.stringify(key)} is not read. ${list}`)
      : invalidProp(
          meant,
          `context key ${JSON.stringify(key)} is not read: did you mean -c ${meant}=…? ${list}`,
        );
  }
}

/** Turns CDK context (`-c key=value`, cdk.json) into construct props; the construct validates values. */
export function readSweeperContext(lookup: Lookup, allKeys: readonly string[]): SweeperContext {
  rejectUnknownKeys(allKeys);
  const vaults = lookup('vaults');
  const regions = list('regions', lookup('regions')) ?? [];
  for (const region of regions) {
    if (!REGION_RE.test(region)) {
      throw invalidProp(
        'regions',
        `regions entry ${JSON.stringify(region)}: is not a region name such as eu-west-1`,
      );
    }
  }
  if (new Set(regions).size !== regions.length) {
    throw invalidProp('regions', `regions = ${JSON.stringify(regions.join(','))}: a region is listed twice`);
  }
  // The construct then checks it is one of CloudWatch's retention periods.
  const logRetention = wholeNumber('logRetention', lookup('logRetention'), { min: 1 });
  return {
    regions,
    props: {
      vaults: Array.isArray(vaults)
        ? vaults.map((entry) => text('vaults', entry) ?? '')
        : text('vaults', vaults),
      olderThan: text('olderThan', lookup('olderThan')),
      // Cast only: the construct checks the value against the core's list and names the prop.
      action: text('action', lookup('action')) as Action | undefined,
      accountId: text('accountId', lookup('accountId')),
      maxAborts: text('maxAborts', lookup('maxAborts')),
      exclude: text('exclude', lookup('exclude')),
      notify: text('notify', lookup('notify')) as Notify | undefined,
      quietPeriod: text('quietPeriod', lookup('quietPeriod')),
      maxListParts: text('maxListParts', lookup('maxListParts')),
      schedule: text('schedule', lookup('schedule')),
      timezone: text('timezone', lookup('timezone')),
      alertEmails: list('alertEmails', lookup('alertEmails')),
      ssmPrefix: text('ssmPrefix', lookup('ssmPrefix')),
      memorySize: wholeNumber('memorySize', lookup('memorySize'), WHOLE_NUMBER_PROPS.memorySize),
      timeout: timeout(lookup('timeout')),
      logRetention: logRetention as RetentionDays | undefined,
      reservedConcurrency: reservedConcurrency(lookup('reservedConcurrency')),
      vaultConcurrency: wholeNumber(
        'vaultConcurrency',
        lookup('vaultConcurrency'),
        WHOLE_NUMBER_PROPS.vaultConcurrency,
      ),
      abortConcurrency: wholeNumber(
        'abortConcurrency',
        lookup('abortConcurrency'),
        WHOLE_NUMBER_PROPS.abortConcurrency,
      ),
      perVaultMetrics: flag('perVaultMetrics', lookup('perVaultMetrics')),
      vaultAccountIds: list('vaultAccountIds', lookup('vaultAccountIds')),
      vaultPattern: text('vaultPattern', lookup('vaultPattern')),
      grantNamedVaultsOnly: flag('grantNamedVaultsOnly', lookup('grantNamedVaultsOnly')),
    },
  };
}
