import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import type { GlacierSweeperProps } from '../../infra/constructs/glacier-sweeper';
import { vaultNameGlob } from '../../infra/constructs/vault-resource';
import { MAX_ABORT_CONCURRENCY, MAX_VAULT_CONCURRENCY } from '../../lambda/core/defaults';
import { sweeperStack } from './helpers';

describe('invalid props fail synth with a message naming the prop', () => {
  // Each message starts with the construct and the prop, then carries the core parser's own words.
  const cases: [string, GlacierSweeperProps, RegExp][] = [
    [
      'olderThan under a day',
      { olderThan: '12h' },
      /^GlacierSweeper: invalid prop olderThan: olderThan = "12h": must be at least 24h/,
    ],
    [
      'olderThan without a unit',
      { olderThan: '7' },
      /^GlacierSweeper: invalid prop olderThan: .*whole number and a unit/,
    ],
    [
      'a duplicate vault',
      { vaults: 'a,a=3d' },
      /^GlacierSweeper: invalid prop vaults: .*vault "a" is listed twice/,
    ],
    [
      'a bad vault name',
      { vaults: ['ok', 'no/slash'] },
      /^GlacierSweeper: invalid prop vaults: .*"no\/slash" is not a vault name/,
    ],
    [
      'a bad per-vault threshold',
      { vaults: 'a=1h' },
      /^GlacierSweeper: invalid prop vaults: .*threshold of "a"/,
    ],
    [
      'an unknown action',
      { action: 'delete' as 'abort' },
      /^GlacierSweeper: invalid prop action: .*must be one of report, abort/,
    ],
    [
      'abort without vaults',
      { action: 'abort' },
      /^GlacierSweeper: invalid prop vaults: vaults is required when action is 'abort'/,
    ],
    [
      'a negative maxAborts',
      { maxAborts: -1 },
      /^GlacierSweeper: invalid prop maxAborts: .*whole number of 0 or more/,
    ],
    [
      'an invalid exclude',
      { exclude: '(' },
      /^GlacierSweeper: invalid prop exclude: .*is not an accepted RE2 pattern/,
    ],
    [
      'an exclude with JavaScript-only lookahead',
      { exclude: '^(?!keep)' },
      /^GlacierSweeper: invalid prop exclude: exclude = "\^\(\?!keep\)": is not an accepted RE2 pattern: lookahead/,
    ],
    [
      'quietPeriod under a day',
      { quietPeriod: '12h' },
      /^GlacierSweeper: invalid prop quietPeriod: quietPeriod = "12h": must be at least 24h/,
    ],
    [
      'quietPeriod without a unit',
      { quietPeriod: '3' },
      /^GlacierSweeper: invalid prop quietPeriod: .*whole number and a unit/,
    ],
    ['an empty quietPeriod', { quietPeriod: '' }, /^GlacierSweeper: invalid prop quietPeriod: /],
    [
      'a negative maxListParts',
      { maxListParts: -1 },
      /^GlacierSweeper: invalid prop maxListParts: .*whole number of 0 or more/,
    ],
    [
      'a fractional maxListParts',
      { maxListParts: 1.5 },
      /^GlacierSweeper: invalid prop maxListParts: maxListParts = "1.5"/,
    ],
    [
      'a maxListParts that is not a number',
      { maxListParts: 'lots' },
      /^GlacierSweeper: invalid prop maxListParts: .*whole number/,
    ],
    [
      'an unknown notify',
      { notify: 'never' as 'always' },
      /^GlacierSweeper: invalid prop notify: .*findings, always/,
    ],
    [
      'a short accountId',
      { vaults: 'a', accountId: '123' },
      /^GlacierSweeper: invalid prop accountId: .*12-digit/,
    ],
    [
      'another account outside vaultAccountIds',
      { vaults: 'a', accountId: '111111111111', vaultAccountIds: ['222222222222'] },
      /^GlacierSweeper: invalid prop accountId: accountId 111111111111 is not in vaultAccountIds/,
    ],
    [
      'another account without vaultAccountIds',
      { vaults: 'a', accountId: '111111111111' },
      /^GlacierSweeper: invalid prop accountId: .*list it in vaultAccountIds/,
    ],
    [
      "'*' in another account",
      { vaults: '*', accountId: '111111111111', vaultAccountIds: ['111111111111'] },
      /^GlacierSweeper: invalid prop vaults: .*'\*' lists only the function's own account/,
    ],
    [
      'a bad vaultAccountIds entry',
      { vaultAccountIds: ['12'] },
      /^GlacierSweeper: invalid prop vaultAccountIds: vaultAccountIds = "12"/,
    ],
    [
      'an empty vaultAccountIds',
      { vaultAccountIds: [] },
      /^GlacierSweeper: invalid prop vaultAccountIds: vaultAccountIds is empty/,
    ],
    [
      'a trailing slash in ssmPrefix',
      { ssmPrefix: '/sweeper/' },
      /^GlacierSweeper: invalid prop ssmPrefix: ssmPrefix = "\/sweeper\/": must be an SSM path/,
    ],
    [
      'an invalid vaultPattern',
      { vaultPattern: '[' },
      /^GlacierSweeper: invalid prop vaultPattern: .*is not an accepted RE2 pattern/,
    ],
    [
      'a vaultPattern whose meaning differs between the engines',
      { vaultPattern: '\\Abackup-' },
      /^GlacierSweeper: invalid prop vaultPattern: vaultPattern = .*: is not an accepted RE2 pattern: \\A at character 1/,
    ],
    [
      'a vault outside vaultPattern',
      { vaults: 'logs', vaultPattern: '^backup-' },
      /^GlacierSweeper: invalid prop vaults: vault "logs" does not match vaultPattern/,
    ],
    [
      "grantNamedVaultsOnly with the default vaults ('*')",
      { grantNamedVaultsOnly: true },
      /^GlacierSweeper: invalid prop vaults: vaults = "\*" with grantNamedVaultsOnly: .*name the vaults/,
    ],
    [
      "grantNamedVaultsOnly with vaults '*'",
      { grantNamedVaultsOnly: true, vaults: ' * ' },
      /^GlacierSweeper: invalid prop vaults: vaults = "\*" with grantNamedVaultsOnly: .*or leave grantNamedVaultsOnly off/,
    ],
    [
      'a schedule that is not an expression',
      { schedule: 'daily' },
      /^GlacierSweeper: invalid prop schedule: .*cron\(…\) or rate\(…\)/,
    ],
    [
      'a five-field cron (Unix cron, no year)',
      { schedule: 'cron(0 3 * * *)' },
      /^GlacierSweeper: invalid prop schedule: schedule = "cron\(0 3 \* \* \*\)": a cron expression has 6 fields \(minutes hours day-of-month month day-of-week year\), this one has 5/,
    ],
    [
      'a seven-field cron (with seconds)',
      { schedule: 'cron(0 0 3 * * ? *)' },
      /^GlacierSweeper: invalid prop schedule: .*this one has 7/,
    ],
    [
      'a cron with both day fields set',
      { schedule: 'cron(0 3 * * * *)' },
      /^GlacierSweeper: invalid prop schedule: schedule = "cron\(0 3 \* \* \* \*\)": exactly one of day-of-month and day-of-week must be \?/,
    ],
    [
      'a rate of zero',
      { schedule: 'rate(0 hours)' },
      /^GlacierSweeper: invalid prop schedule: schedule = "rate\(0 hours\)": .*a whole number of 1 or more/,
    ],
    [
      'a rate of 1 with a plural unit',
      { schedule: 'rate(1 hours)' },
      /^GlacierSweeper: invalid prop schedule: .*"rate\(1 hours\)": .*rate\(1 hour\)/,
    ],
    [
      'a rate over 1 with a singular unit',
      { schedule: 'rate(2 day)' },
      /^GlacierSweeper: invalid prop schedule: .*"rate\(2 day\)": .*rate\(2 days\)/,
    ],
    [
      'a rate in weeks',
      { schedule: 'rate(1 week)' },
      /^GlacierSweeper: invalid prop schedule: .*minute\(s\), hour\(s\) or day\(s\)/,
    ],
    ['a fractional rate', { schedule: 'rate(1.5 hours)' }, /^GlacierSweeper: invalid prop schedule: /],
    ['a rate without a number', { schedule: 'rate(hours)' }, /^GlacierSweeper: invalid prop schedule: /],
    [
      "vaultAccountIds without this stack's account while accountId is '-'",
      { vaultAccountIds: ['111111111111', '222222222222'] },
      /^GlacierSweeper: invalid prop vaultAccountIds: vaultAccountIds = "111111111111,222222222222" leaves out this stack's account 123456789012, but accountId is "-" \(this account\): add 123456789012, or set accountId to one of the listed accounts/,
    ],
    ['an unknown timezone', { timezone: 'Mars/Olympus' }, /^GlacierSweeper: invalid prop timezone: /],
    [
      'an email without @',
      { alertEmails: ['ops.example.com'] },
      /^GlacierSweeper: invalid prop alertEmails: /,
    ],
    ['memorySize too small', { memorySize: 64 }, /^GlacierSweeper: invalid prop memorySize: memorySize = 64/],
    [
      'timeout over 15 minutes',
      { timeout: Duration.minutes(16) },
      /^GlacierSweeper: invalid prop timeout: timeout = 960s/,
    ],
    [
      'a retention CloudWatch lacks',
      { logRetention: 42 as RetentionDays },
      /^GlacierSweeper: invalid prop logRetention: /,
    ],
    [
      'zero reserved concurrency',
      { reservedConcurrency: 0 },
      /^GlacierSweeper: invalid prop reservedConcurrency: /,
    ],
    [
      'zero vaultConcurrency',
      { vaultConcurrency: 0 },
      new RegExp(
        `^GlacierSweeper: invalid prop vaultConcurrency: vaultConcurrency = 0: must be a whole number from 1 to ${MAX_VAULT_CONCURRENCY}$`,
      ),
    ],
    [
      "vaultConcurrency over the core's bound",
      { vaultConcurrency: MAX_VAULT_CONCURRENCY + 1 },
      /^GlacierSweeper: invalid prop vaultConcurrency: /,
    ],
    [
      'a fractional vaultConcurrency',
      { vaultConcurrency: 2.5 },
      /^GlacierSweeper: invalid prop vaultConcurrency: /,
    ],
    [
      'zero abortConcurrency',
      { abortConcurrency: 0 },
      new RegExp(
        `^GlacierSweeper: invalid prop abortConcurrency: abortConcurrency = 0: must be a whole number from 1 to ${MAX_ABORT_CONCURRENCY}$`,
      ),
    ],
    [
      "abortConcurrency over the core's bound",
      { abortConcurrency: MAX_ABORT_CONCURRENCY + 1 },
      /^GlacierSweeper: invalid prop abortConcurrency: /,
    ],
  ];

  it.each(cases)('%s', (_name, props, message) => {
    expect(() => sweeperStack(props)).toThrow(message);
  });

  it.each([
    'cron(0 3 * * ? *)',
    'cron(0 3 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron( 30  4 1 * ? 2027 )',
    'rate(1 minute)',
    'rate(30 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(2 days)',
  ])('accepts the schedule %s', (schedule) => {
    expect(() => sweeperStack({ schedule })).not.toThrow();
  });

  it("accepts vaultAccountIds that list this stack's account, or leave it out for another accountId", () => {
    expect(() => sweeperStack({ vaultAccountIds: ['111111111111', '123456789012'] })).not.toThrow();
    expect(() =>
      sweeperStack({ vaults: 'a', accountId: '111111111111', vaultAccountIds: ['111111111111'] }),
    ).not.toThrow();
  });

  it('accepts the concurrency bounds of the core, 1 and the maximum', () => {
    for (const value of [1, MAX_VAULT_CONCURRENCY]) {
      expect(() => sweeperStack({ vaultConcurrency: value })).not.toThrow();
    }
    for (const value of [1, MAX_ABORT_CONCURRENCY]) {
      expect(() => sweeperStack({ abortConcurrency: value })).not.toThrow();
    }
  });

  it('accepts abort with explicit vaults, and an explicit * with abort', () => {
    expect(() => sweeperStack({ action: 'abort', vaults: 'backups' })).not.toThrow();
    expect(() => sweeperStack({ action: 'abort', vaults: '*' })).not.toThrow();
    expect(() =>
      sweeperStack({ logRetention: RetentionDays.INFINITE, reservedConcurrency: 2 }),
    ).not.toThrow();
  });
});

describe('vaultPattern to IAM glob', () => {
  it.each([
    ['^backup-', 'backup-*'],
    ['^backup-.*', 'backup-*'],
    ['^backup-.*$', 'backup-*'],
    ['^archive$', 'archive'],
    ['^db\\.prod_', 'db.prod_*'],
  ])('translates the anchored literal %s to %s', (pattern, glob) => {
    expect(vaultNameGlob(pattern)).toBe(glob);
  });

  it.each([
    ['backup-'], // unanchored: matches anywhere in the name
    ['^backup.'], // `.` is any character
    ['^(backup|logs)-'],
    ['^[a-z]+$'],
    ['^backup-\\d+'],
    ['^backup-*'], // `-*` is "any number of dashes", not a glob
    ['^'],
  ])('keeps every vault for %s, which no glob expresses exactly', (pattern) => {
    expect(vaultNameGlob(pattern)).toBe('*');
  });

  it('keeps every vault without a pattern', () => {
    expect(vaultNameGlob(undefined)).toBe('*');
    expect(vaultNameGlob('')).toBe('*');
  });
});
