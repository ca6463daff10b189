import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseRuntimeEnv,
  parseSettings,
  type RawSettings,
  ssmNames,
} from '../../lambda/core/settings';

const names = ssmNames('/glacier-sweeper');
const parse = (raw: RawSettings) => parseSettings(raw, names);

/** Asserts a ConfigError naming `setting` whose message contains every fragment. */
function expectConfigError(fn: () => unknown, setting: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.name).toBe('ConfigError');
  expect(error.setting).toBe(setting);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

describe('parseSettings defaults', () => {
  it('fills every absent optional parameter with the contract default', () => {
    const settings = parse({ vaults: 'backups' });
    expect(settings).toEqual({
      vaults: [{ name: 'backups', olderThan: { text: '7d', ms: 604_800_000 } }],
      olderThan: { text: '7d', ms: 604_800_000 },
      action: 'report',
      accountId: '-',
      maxAborts: 1000,
      exclude: undefined,
      notify: 'findings',
      quietPeriod: undefined,
      maxListParts: 2000,
    });
  });

  it('reads every parameter when set', () => {
    const settings = parse({
      vaults: ' a , b=3d,c.d-e_f=2w ',
      olderThan: '36h',
      action: 'abort',
      accountId: '123456789012',
      maxAborts: '0',
      exclude: '^keep',
      notify: 'always',
    });
    expect(settings.vaults).toEqual([
      { name: 'a', olderThan: { text: '36h', ms: 129_600_000 } },
      { name: 'b', olderThan: { text: '3d', ms: 3 * 86_400_000 } },
      { name: 'c.d-e_f', olderThan: { text: '2w', ms: 14 * 86_400_000 } },
    ]);
    expect(settings.action).toBe('abort');
    expect(settings.accountId).toBe('123456789012');
    expect(settings.maxAborts).toBe(0);
    expect(settings.exclude?.source).toBe('^keep');
    expect(settings.notify).toBe('always');
  });

  it('trims what an operator pastes around a value', () => {
    const settings = parse({
      vaults: 'a = 3d',
      action: ' abort ',
      accountId: ' 123456789012 ',
      notify: ' always ',
      maxAborts: ' 5 ',
      maxListParts: ' 10 ',
    });
    expect(settings.vaults).toEqual([{ name: 'a', olderThan: { text: '3d', ms: 3 * 86_400_000 } }]);
    expect(settings.action).toBe('abort');
    expect(settings.accountId).toBe('123456789012');
    expect(settings.notify).toBe('always');
    expect(settings.maxAborts).toBe(5);
    expect(settings.maxListParts).toBe(10);
  });

  it('reads * alone as every vault', () => {
    expect(parse({ vaults: ' * ' }).vaults).toBe('*');
  });

  it('treats an empty exclude as none', () => {
    expect(parse({ vaults: 'a', exclude: '  ' }).exclude).toBeUndefined();
  });

  it('accepts a 255-character vault name and an exclude of exactly 256 characters', () => {
    const name = 'v'.repeat(255);
    expect(parse({ vaults: name, exclude: 'x'.repeat(256) }).vaults).toEqual([
      { name, olderThan: { text: '7d', ms: 604_800_000 } },
    ]);
  });
});

describe('parseSettings rejects bad values, naming the parameter and the value', () => {
  const p = '/glacier-sweeper';
  it.each<[string, RawSettings, string, string[]]>([
    ['missing vaults', {}, `${p}/vaults`, ['is not set']],
    ['empty vault list', { vaults: '' }, `${p}/vaults`, ['entry 1 is empty']],
    ['empty entry', { vaults: 'a,,b' }, `${p}/vaults`, ['"a,,b"', 'entry 2 is empty']],
    ['trailing comma', { vaults: 'a,' }, `${p}/vaults`, ['entry 2 is empty']],
    ['invalid characters', { vaults: 'good,bad/name' }, `${p}/vaults`, ['"bad/name"', 'not a vault name']],
    ['name too long', { vaults: 'v'.repeat(256) }, `${p}/vaults`, ['not a vault name']],
    ['empty name with threshold', { vaults: '=3d' }, `${p}/vaults`, ['not a vault name']],
    ['duplicate vault', { vaults: 'a,b,a' }, `${p}/vaults`, ['"a" is listed twice']],
    ['duplicate with override', { vaults: 'a,a=3d' }, `${p}/vaults`, ['"a" is listed twice']],
    ['* with override', { vaults: '*=3d' }, `${p}/vaults`, ["'*' cannot have its own threshold"]],
    ['* with other vaults', { vaults: '*,a' }, `${p}/vaults`, ["'*' (every vault) cannot be combined"]],
    [
      'bad per-vault threshold',
      { vaults: 'a=12h' },
      `${p}/vaults`,
      ['threshold of "a"', 'at least 24h: Glacier may drop'],
    ],
    [
      'malformed per-vault threshold',
      { vaults: 'a=soon' },
      `${p}/vaults`,
      ['threshold of "a"', 'whole number'],
    ],
    ['older-than 0h', { vaults: 'a', olderThan: '0h' }, `${p}/older-than`, ['"0h"', 'at least 24h']],
    ['older-than -1d', { vaults: 'a', olderThan: '-1d' }, `${p}/older-than`, ['"-1d"']],
    ['older-than 7', { vaults: 'a', olderThan: '7' }, `${p}/older-than`, ['"7"']],
    ['older-than 7x', { vaults: 'a', olderThan: '7x' }, `${p}/older-than`, ['"7x"']],
    ['older-than 1.5d', { vaults: 'a', olderThan: '1.5d' }, `${p}/older-than`, ['"1.5d"']],
    [
      'older-than 12h',
      { vaults: 'a', olderThan: '12h' },
      `${p}/older-than`,
      ['"12h"', 'at least 24h: Glacier may drop'],
    ],
    [
      'quiet-period 12h',
      { vaults: 'a', quietPeriod: '12h' },
      `${p}/quiet-period`,
      ['"12h"', 'at least 24h: parts still in flight'],
    ],
    [
      'quiet-period malformed',
      { vaults: 'a', quietPeriod: 'soon' },
      `${p}/quiet-period`,
      ['"soon"', 'whole number'],
    ],
    [
      'negative max-list-parts',
      { vaults: 'a', maxListParts: '-5' },
      `${p}/max-list-parts`,
      ['"-5"', 'whole number'],
    ],
    [
      'older-than 9999d',
      { vaults: 'a', olderThan: '9999d' },
      `${p}/older-than`,
      ['"9999d"', 'at most 3650d'],
    ],
    ['unknown action', { vaults: 'a', action: 'delete' }, `${p}/action`, ['"delete"', 'report, abort']],
    ['action in capitals', { vaults: 'a', action: 'ABORT' }, `${p}/action`, ['"ABORT"']],
    ['short account id', { vaults: 'a', accountId: '12345' }, `${p}/account-id`, ['"12345"', '12-digit']],
    [
      '13-digit account id',
      { vaults: 'a', accountId: '1234567890123' },
      `${p}/account-id`,
      ['"1234567890123"', '12-digit'],
    ],
    [
      'account id with a prefix',
      { vaults: 'a', accountId: 'x123456789012' },
      `${p}/account-id`,
      ['"x123456789012"'],
    ],
    [
      'account id with dashes',
      { vaults: 'a', accountId: '1234-5678-9012' },
      `${p}/account-id`,
      ['"1234-5678-9012"'],
    ],
    ['* for another account', { vaults: '*', accountId: '123456789012' }, `${p}/vaults`, ['own account']],
    [
      'non-numeric max-aborts',
      { vaults: 'a', maxAborts: 'lots' },
      `${p}/max-aborts`,
      ['"lots"', 'whole number'],
    ],
    ['negative max-aborts', { vaults: 'a', maxAborts: '-1' }, `${p}/max-aborts`, ['"-1"']],
    ['fractional max-aborts', { vaults: 'a', maxAborts: '2.5' }, `${p}/max-aborts`, ['"2.5"']],
    [
      'huge max-aborts',
      { vaults: 'a', maxAborts: '99999999999999999999' },
      `${p}/max-aborts`,
      ['whole number'],
    ],
    [
      'invalid exclude',
      { vaults: 'a', exclude: '(unclosed' },
      `${p}/exclude`,
      ['"(unclosed"', 'is not an accepted RE2 pattern', 'never closed'],
    ],
    [
      'over-long exclude',
      { vaults: 'a', exclude: 'x'.repeat(257) },
      `${p}/exclude`,
      ['257 characters', 'at most 256'],
    ],
    ['unknown notify', { vaults: 'a', notify: 'never' }, `${p}/notify`, ['"never"', 'findings, always']],
  ])('%s', (_case, raw, setting, fragments) => {
    expectConfigError(() => parse(raw), setting, ...fragments);
  });

  it.each<[RawSettings, string]>([
    [{ vaults: 'a', olderThan: '9999d' }, '/glacier-sweeper/older-than = "9999d": must be at most 3650d'],
    [
      { vaults: 'a', olderThan: '7' },
      '/glacier-sweeper/older-than = "7": expected a whole number and a unit m, h, d or w (for example 36h, 7d, 2w)',
    ],
    [{ vaults: 'a=9999d' }, '/glacier-sweeper/vaults = "a=9999d": threshold of "a": must be at most 3650d'],
    [{ vaults: 'a', quietPeriod: '3651d' }, '/glacier-sweeper/quiet-period = "3651d": must be at most 3650d'],
    [
      { vaults: 'a', olderThan: '1h' },
      '/glacier-sweeper/older-than = "1h": must be at least 24h: Glacier may drop uploads idle for a day, so a shorter threshold mostly hits live uploads',
    ],
  ])('explains the 24-hour floor only when it was hit: %j', (raw, message) => {
    let caught: unknown;
    try {
      parse(raw);
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).toBe(message);
  });

  it.each<[RawSettings, string]>([
    [
      { vaults: 'a', maxAborts: 'lots' },
      '/glacier-sweeper/max-aborts = "lots": must be a whole number of 0 or more',
    ],
    [
      { vaults: 'a', maxListParts: '-5' },
      '/glacier-sweeper/max-list-parts = "-5": must be a whole number of 0 or more',
    ],
  ])('says which numbers a count takes: %j', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });

  it('quotes a bad value of up to 80 characters whole, and cuts a longer one', () => {
    const message = (value: string) => {
      try {
        parse({ vaults: 'a', action: value });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(message('x'.repeat(80))).toContain(`"${'x'.repeat(80)}":`);
    expect(message('x'.repeat(81))).toContain(`"${'x'.repeat(80)}…":`);
  });

  it('quotes a long bad value only partly, so an alert cannot be flooded', () => {
    let message = '';
    try {
      parse({ vaults: 'a', action: 'x'.repeat(5000) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.length).toBeLessThan(300);
    expect(message).toContain('…');
  });

  it('quotes a bad value with its C1 and bidi controls escaped, so the message is safe on a terminal', () => {
    expect(() => parse({ vaults: 'a', action: 'abort\u009b2J\u202e' })).toThrow('"abort\\u009b2J\\u202e"');
  });

  it('names CLI flags when given CLI names', () => {
    expectConfigError(
      () => parseSettings({ vaults: 'a', olderThan: '1h' }, { name: (key) => `--${key}` }),
      '--olderThan',
      '--olderThan = "1h"',
    );
  });
});

describe('parseRuntimeEnv', () => {
  const topic = { SWEEPER_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' };

  it('applies the defaults', () => {
    expect(parseRuntimeEnv(topic)).toEqual({
      ssmPrefix: '/glacier-sweeper',
      topicArn: topic.SWEEPER_TOPIC_ARN,
      vaultConcurrency: 4,
      abortConcurrency: 8,
      vaultPattern: undefined,
    });
  });

  it('reads every variable', () => {
    const env = parseRuntimeEnv({
      ...topic,
      SWEEPER_SSM_PREFIX: '/ops/sweeper',
      SWEEPER_VAULT_CONCURRENCY: '2',
      SWEEPER_ABORT_CONCURRENCY: '16',
      SWEEPER_VAULT_PATTERN: '^backup-',
      SWEEPER_STATE_TABLE: 'sweeper-history',
    });
    expect(env.ssmPrefix).toBe('/ops/sweeper');
    expect(env.vaultConcurrency).toBe(2);
    expect(env.abortConcurrency).toBe(16);
    expect(env.vaultPattern?.test('backup-1')).toBe(true);
    expect(env.vaultPattern?.test('logs')).toBe(false);
    expect(env.stateTable).toBe('sweeper-history');
  });

  it('reads an empty variable as unset', () => {
    const env = parseRuntimeEnv({
      ...topic,
      SWEEPER_SSM_PREFIX: '',
      SWEEPER_VAULT_CONCURRENCY: '',
      SWEEPER_ABORT_CONCURRENCY: '',
      SWEEPER_VAULT_PATTERN: '',
      SWEEPER_STATE_TABLE: '',
    });
    expect(env).toEqual(parseRuntimeEnv(topic));
    expect(env.vaultPattern).toBeUndefined();
    expect(env.stateTable).toBeUndefined();
  });

  it('trims the values, and accepts the largest concurrencies', () => {
    const env = parseRuntimeEnv({
      SWEEPER_TOPIC_ARN: ` ${topic.SWEEPER_TOPIC_ARN} `,
      SWEEPER_VAULT_CONCURRENCY: ' 32 ',
      SWEEPER_ABORT_CONCURRENCY: '64',
      SWEEPER_STATE_TABLE: ' sweeper-history ',
    });
    expect(env.topicArn).toBe(topic.SWEEPER_TOPIC_ARN);
    expect(env.vaultConcurrency).toBe(32);
    expect(env.abortConcurrency).toBe(64);
    expect(env.stateTable).toBe('sweeper-history');
  });

  it.each<[Record<string, string>, string, string]>([
    [{}, 'SWEEPER_TOPIC_ARN', 'is not set'],
    [{ SWEEPER_TOPIC_ARN: '' }, 'SWEEPER_TOPIC_ARN', 'is not set'],
    [{ SWEEPER_TOPIC_ARN: '  ' }, 'SWEEPER_TOPIC_ARN', 'is not set'],
    [{ ...topic, SWEEPER_SSM_PREFIX: 'ops/sweeper' }, 'SWEEPER_SSM_PREFIX', '"ops/sweeper"'],
    [
      { ...topic, SWEEPER_VAULT_CONCURRENCY: '4x' },
      'SWEEPER_VAULT_CONCURRENCY',
      '"4x": must be a whole number from 1 to 32',
    ],
    [{ ...topic, SWEEPER_VAULT_CONCURRENCY: '33' }, 'SWEEPER_VAULT_CONCURRENCY', 'from 1 to 32'],
    [{ ...topic, SWEEPER_SSM_PREFIX: 'no-slash' }, 'SWEEPER_SSM_PREFIX', '"no-slash"'],
    [{ ...topic, SWEEPER_SSM_PREFIX: '/trailing/' }, 'SWEEPER_SSM_PREFIX', '"/trailing/"'],
    [{ ...topic, SWEEPER_VAULT_CONCURRENCY: '0' }, 'SWEEPER_VAULT_CONCURRENCY', '"0"'],
    [{ ...topic, SWEEPER_VAULT_CONCURRENCY: 'four' }, 'SWEEPER_VAULT_CONCURRENCY', '"four"'],
    [{ ...topic, SWEEPER_ABORT_CONCURRENCY: '1000' }, 'SWEEPER_ABORT_CONCURRENCY', 'from 1 to 64'],
    [{ ...topic, SWEEPER_VAULT_PATTERN: '[' }, 'SWEEPER_VAULT_PATTERN', 'is not an accepted RE2 pattern'],
  ])('rejects %j', (env, setting, fragment) => {
    expectConfigError(() => parseRuntimeEnv(env), setting, fragment);
  });
});
