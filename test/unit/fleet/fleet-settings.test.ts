import { describe, expect, it } from 'vitest';
import { MAX_FLEET_TARGETS } from '../../../lambda/core/defaults';
import {
  fleetParameterKeys,
  fleetSsmNames,
  mayAbortIn,
  parseFleetSettings,
  planTargets,
  type RawFleetSettings,
} from '../../../lambda/core/fleet-settings';
import { ConfigError } from '../../../lambda/core/settings';

const names = fleetSsmNames('/glacier-sweeper-fleet');
const parse = (raw: RawFleetSettings) => parseFleetSettings(raw, names, 'eu-west-1');
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

function expectConfigError(fn: () => unknown, setting: string, ...fragments: string[]): void {
  expect(fn).toThrow(ConfigError);
  try {
    fn();
  } catch (error) {
    expect((error as ConfigError).setting).toBe(setting);
    for (const fragment of fragments) expect((error as ConfigError).message).toContain(fragment);
  }
}

describe('parseFleetSettings', () => {
  it('defaults regions to the hub region and reads the single-account settings with the same parsers', () => {
    const settings = parse({ accounts: 'organization', vaults: '*', action: 'abort', maxAborts: '5' });
    expect(settings).toMatchObject({
      accounts: 'organization',
      excludeAccounts: [],
      abortAccounts: undefined,
      regions: ['eu-west-1'],
      sweep: { vaults: '*', action: 'abort', maxAborts: 5, accountId: '-' },
    });
  });

  it('reads account lists and regions, trimmed', () => {
    const settings = parse({
      accounts: ` ${A}, ${B} ,${C}`,
      excludeAccounts: B,
      abortAccounts: `${A}`,
      regions: 'eu-west-1, us-east-1',
      vaults: 'backups',
    });
    expect(settings.accounts).toEqual([A, B, C]);
    expect(settings.excludeAccounts).toEqual([B]);
    expect(settings.abortAccounts).toEqual([A]);
    expect(settings.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(mayAbortIn(settings, A)).toBe(true);
    expect(mayAbortIn(settings, C)).toBe(false);
  });

  it('treats "-" in the optional account lists as none (SSM has no empty parameters)', () => {
    const settings = parse({ accounts: A, excludeAccounts: '-', abortAccounts: '-', vaults: 'v' });
    expect(settings.excludeAccounts).toEqual([]);
    expect(settings.abortAccounts).toBeUndefined();
    expect(mayAbortIn(settings, A)).toBe(true);
  });

  it.each([
    [{ vaults: 'v' }, '/glacier-sweeper-fleet/accounts', 'is not set'],
    [
      { accounts: 'org', vaults: 'v' },
      '/glacier-sweeper-fleet/accounts',
      '"org" is not a 12-digit account id',
    ],
    [{ accounts: `${A},,${B}`, vaults: 'v' }, '/glacier-sweeper-fleet/accounts', 'entry 2 is empty'],
    [{ accounts: `${A},${A}`, vaults: 'v' }, '/glacier-sweeper-fleet/accounts', 'listed twice'],
    [
      { accounts: A, excludeAccounts: '12345', vaults: 'v' },
      '/glacier-sweeper-fleet/exclude-accounts',
      '"12345"',
    ],
    [
      { accounts: A, abortAccounts: `${A}x`, vaults: 'v' },
      '/glacier-sweeper-fleet/abort-accounts',
      'not a 12-digit',
    ],
    [{ accounts: A, regions: 'Europe', vaults: 'v' }, '/glacier-sweeper-fleet/regions', 'not a region name'],
    [{ accounts: A, regions: 'eu-west-1,eu-west-1', vaults: 'v' }, '/glacier-sweeper-fleet/regions', 'twice'],
    [{ accounts: A, regions: '', vaults: 'v' }, '/glacier-sweeper-fleet/regions', 'entry 1 is empty'],
    [
      { accounts: A, excludeAccounts: A, vaults: 'v' },
      '/glacier-sweeper-fleet/exclude-accounts',
      'every account',
    ],
    [
      { accounts: A, accountId: '-', vaults: 'v' },
      '/glacier-sweeper-fleet/account-id',
      'not a fleet setting',
    ],
    [{ accounts: A }, '/glacier-sweeper-fleet/vaults', 'is not set'],
    [{ accounts: A, vaults: 'v', olderThan: '1h' }, '/glacier-sweeper-fleet/older-than', 'at least'],
  ] as [RawFleetSettings, string, string][])('refuses %j naming %s', (raw, setting, fragment) => {
    expectConfigError(() => parse(raw), setting, fragment);
  });

  it('reads twelve names, so more than one GetParameters call', () => {
    const keys = fleetParameterKeys();
    expect(keys.sweep).not.toContain('accountId');
    expect(keys.sweep.length + keys.fleet.length).toBe(12);
  });
});

describe('planTargets', () => {
  it('is accounts × regions, less exclude-accounts, accounts in the order given', () => {
    const settings = parse({
      accounts: `${A},${B},${C}`,
      excludeAccounts: B,
      regions: 'eu-west-1,us-east-1',
      vaults: 'v',
    });
    expect(planTargets(settings, undefined, names)).toEqual([
      { account: A, region: 'eu-west-1' },
      { account: A, region: 'us-east-1' },
      { account: C, region: 'eu-west-1' },
      { account: C, region: 'us-east-1' },
    ]);
  });

  it('takes the ACTIVE accounts for organization', () => {
    const settings = parse({ accounts: 'organization', excludeAccounts: A, vaults: 'v' });
    expect(planTargets(settings, [A, B, B, C], names)).toEqual([
      { account: B, region: 'eu-west-1' },
      { account: C, region: 'eu-west-1' },
    ]);
  });

  it('refuses more targets than one run can carry, naming the count', () => {
    const settings = parse({
      accounts: 'organization',
      regions: 'eu-west-1,us-east-1,us-west-2',
      vaults: 'v',
    });
    const accounts = Array.from({ length: 700 }, (_, i) => String(100000000000 + i));
    expectConfigError(
      () => planTargets(settings, accounts, names),
      '/glacier-sweeper-fleet/accounts',
      `2100 targets, over the ${MAX_FLEET_TARGETS}`,
    );
    expect(planTargets(settings, accounts.slice(0, 666), names)).toHaveLength(1998);
  });
});
