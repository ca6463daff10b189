import {
  ACCOUNTS_ORGANIZATION,
  FLEET_PARAM,
  type FleetParamKey,
  MAX_FLEET_TARGETS,
  PARAM,
  type ParamKey,
} from './defaults';
import { ConfigError, parseSettings, quote, type RawSettings, type SettingNames } from './settings';
import type { SweepSettings } from './types';

/** Raw fleet parameters by key: the single-account keys and the fleet's own. */
export type RawFleetSettings = RawSettings & Partial<Record<FleetParamKey, string | undefined>>;

/** One account × region pair the run sweeps. */
export interface Target {
  readonly account: string;
  readonly region: string;
}

/** The validated settings of one fleet run. */
export interface FleetSettings {
  /** The single-account settings, applied in every target; `accountId` is always `-` (the target's own). */
  readonly sweep: SweepSettings;
  /** `organization`, or the 12-digit ids in the order given. */
  readonly accounts: typeof ACCOUNTS_ORGANIZATION | readonly string[];
  readonly excludeAccounts: readonly string[];
  /** Abort only in these accounts (report everywhere else); undefined = every account. */
  readonly abortAccounts: readonly string[] | undefined;
  readonly regions: readonly string[];
}

export interface FleetSettingNames extends SettingNames {
  fleetName(key: FleetParamKey): string;
}

export const fleetSsmNames = (prefix: string): FleetSettingNames => ({
  name: (key: ParamKey) => `${prefix}/${PARAM[key]}`,
  fleetName: (key) => `${prefix}/${FLEET_PARAM[key]}`,
});

/** Every parameter name the hub reads: more than GetParameters' ten, so it reads them in two calls. */
export function fleetParameterKeys(): { sweep: ParamKey[]; fleet: FleetParamKey[] } {
  return {
    sweep: (Object.keys(PARAM) as ParamKey[]).filter((key) => key !== 'accountId'),
    fleet: Object.keys(FLEET_PARAM) as FleetParamKey[],
  };
}

const ACCOUNT_ID_RE = /^[0-9]{12}$/;
/** The shape of every commercial, GovCloud and China region name: `eu-west-1`, `us-gov-east-1`, `cn-north-1`. */
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;

function fail(names: FleetSettingNames, key: FleetParamKey, value: string, why: string): never {
  const setting = names.fleetName(key);
  throw new ConfigError(setting, `${setting} = ${quote(value)}: ${why}`);
}

/** A comma-separated list (SSM StringList): trimmed entries, none empty, none twice, each valid. */
function idList(
  names: FleetSettingNames,
  key: FleetParamKey,
  value: string,
  valid: RegExp,
  what: string,
): string[] {
  const entries = value.split(',').map((entry) => entry.trim());
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    if (entry === '') fail(names, key, value, `entry ${index + 1} is empty`);
    if (!valid.test(entry)) fail(names, key, value, `${quote(entry)} is not ${what}`);
    if (seen.has(entry)) fail(names, key, value, `${quote(entry)} is listed twice`);
    seen.add(entry);
  }
  return entries;
}

const accountList = (names: FleetSettingNames, key: FleetParamKey, value: string) =>
  idList(names, key, value, ACCOUNT_ID_RE, 'a 12-digit account id');

/**
 * Validates every fleet setting before any target is touched; throws a ConfigError naming the first
 * bad one. `hubRegion` is the default of `regions`.
 */
export function parseFleetSettings(
  raw: RawFleetSettings,
  names: FleetSettingNames,
  hubRegion: string,
): FleetSettings {
  if (raw.accountId !== undefined) {
    const setting = names.name('accountId');
    throw new ConfigError(
      setting,
      `${setting} = ${quote(raw.accountId)}: is not a fleet setting (each target's vaults are its own account's; list the accounts in ${names.fleetName('accounts')}); delete the parameter`,
    );
  }
  const sweep = parseSettings(raw, names);
  if (raw.accounts === undefined) {
    const setting = names.fleetName('accounts');
    throw new ConfigError(
      setting,
      `${setting} is not set: '${ACCOUNTS_ORGANIZATION}' (every ACTIVE account of the Organization) or 12-digit account ids`,
    );
  }
  const accounts =
    raw.accounts.trim() === ACCOUNTS_ORGANIZATION
      ? ACCOUNTS_ORGANIZATION
      : accountList(names, 'accounts', raw.accounts);
  const optional = (key: FleetParamKey, value: string | undefined) =>
    value === undefined || value.trim() === '' || value.trim() === '-'
      ? undefined
      : accountList(names, key, value);
  const excludeAccounts = optional('excludeAccounts', raw.excludeAccounts) ?? [];
  const abortAccounts = optional('abortAccounts', raw.abortAccounts);
  const regions =
    raw.regions === undefined
      ? [hubRegion]
      : idList(names, 'regions', raw.regions, REGION_RE, 'a region name such as eu-west-1');
  if (Array.isArray(accounts) && accounts.every((id) => excludeAccounts.includes(id))) {
    fail(
      names,
      'excludeAccounts',
      raw.excludeAccounts ?? '',
      'excludes every account of accounts: nothing would be swept',
    );
  }
  return { sweep, accounts, excludeAccounts, abortAccounts, regions };
}

/**
 * The run's targets, pure: the accounts (`organization` resolved by the caller to the ACTIVE ones)
 * less `exclude-accounts`, times `regions`, accounts in the order given. Past MAX_FLEET_TARGETS, a
 * configuration error that names the count.
 */
export function planTargets(
  settings: FleetSettings,
  activeAccounts: readonly string[] | undefined,
  names: FleetSettingNames,
): Target[] {
  const listed = settings.accounts === ACCOUNTS_ORGANIZATION ? (activeAccounts ?? []) : settings.accounts;
  const excluded = new Set(settings.excludeAccounts);
  const accounts = [...new Set(listed)].filter((id) => !excluded.has(id));
  const count = accounts.length * settings.regions.length;
  if (count > MAX_FLEET_TARGETS) {
    const setting = names.fleetName('accounts');
    throw new ConfigError(
      setting,
      `${setting}: ${accounts.length} accounts × ${settings.regions.length} regions = ${count} targets, over the ${MAX_FLEET_TARGETS} one run can carry (the target list travels in the state, capped at 256 KiB): narrow ${names.fleetName('regions')}, add to ${names.fleetName('excludeAccounts')}, or split the accounts over two hubs`,
    );
  }
  return accounts.flatMap((account) => settings.regions.map((region) => ({ account, region })));
}

/** Whether the run may abort in `account`: `abort-accounts` unset means every account. */
export function mayAbortIn(settings: FleetSettings, account: string): boolean {
  return settings.abortAccounts === undefined || settings.abortAccounts.includes(account);
}
