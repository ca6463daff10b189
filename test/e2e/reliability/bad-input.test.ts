import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SSM_PREFIX } from '../../../lambda/core/defaults';
import { daysAgo, type Emulator, type SeedUpload, startEmulator } from '../../../local/emulator';
import {
  configure,
  messagesOf,
  publishedReport,
  reportOf,
  reports,
  run,
  snapshot,
  tally,
  vaultUploads,
  violations,
} from './harness';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

/** Valid settings in abort mode: any input that slipped through would abort real uploads. */
const GOOD = { vaults: 'alpha,beta', action: 'abort', 'older-than': '7d' };

function seedVaults(extra: SeedUpload[] = []) {
  emu.seed({
    vaults: [
      { name: 'alpha', uploads: [...vaultUploads('alpha', 4, 2), ...extra] },
      { name: 'beta', uploads: vaultUploads('beta', 3, 1) },
    ],
  });
}

/** A configuration error: the handler fails naming the setting and value, no Glacier call, one alert. */
async function expectConfigError(
  parameters: Record<string, string>,
  setting: string,
  shows: string,
  event?: unknown,
  env?: Record<string, string>,
): Promise<void> {
  seedVaults();
  const topicArn = configure(emu, parameters);
  const before = emu.vaults().map((v) => [v.name, v.uploads]);
  const result = await run(emu, topicArn, {
    ...(event === undefined ? {} : { event }),
    ...(env ? { env } : {}),
  });

  expect(result.report).toBeUndefined();
  expect(result.error?.name).toBe('ConfigError');
  expect(result.error?.message).toContain(setting);
  expect(result.error?.message).toContain(shows);
  expect(emu.requests({ service: 'glacier' })).toEqual([]);
  expect(emu.vaults().map((v) => [v.name, v.uploads])).toEqual(before);
  const published = emu.published();
  expect(published).toHaveLength(1);
  expect(published[0]?.attributes.kind).toBe('alert');
  expect(published[0]?.message).toContain(setting);
  expect(published[0]?.message).toContain(shows);
  const logged = messagesOf(result.logger.lines, 'configuration error: nothing was swept or aborted');
  expect(logged.map((l) => l.extra.setting)).toEqual([setting]);
  tally('bad-input', 1);
}

const p = (name: string) => `${DEFAULT_SSM_PREFIX}/${name}`;
const without = (key: string) => Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== key));
const longName = 'v'.repeat(256);
const longExclude = `(${'a'.repeat(300)})`;

describe('bad SSM parameters', () => {
  it.each<[string, Record<string, string>, string, string]>([
    ['missing vaults', without('vaults'), p('vaults'), 'is not set'],
    ['empty vault list', { ...GOOD, vaults: '' }, p('vaults'), 'entry 1 is empty'],
    ['only blanks and commas', { ...GOOD, vaults: ' , ' }, p('vaults'), 'entry 1 is empty'],
    ['an empty entry in the middle', { ...GOOD, vaults: 'alpha,,beta' }, p('vaults'), 'entry 2 is empty'],
    [
      'a 256-character vault name',
      { ...GOOD, vaults: `alpha,${longName}` },
      p('vaults'),
      'is not a vault name',
    ],
    ['a space in a vault name', { ...GOOD, vaults: 'alpha,my vault' }, p('vaults'), '"my vault"'],
    ['a slash in a vault name', { ...GOOD, vaults: 'alpha/beta' }, p('vaults'), '"alpha/beta"'],
    ['a non-ASCII vault name', { ...GOOD, vaults: 'välkommen' }, p('vaults'), '"välkommen"'],
    ['a duplicate vault', { ...GOOD, vaults: 'alpha,beta,alpha' }, p('vaults'), 'listed twice'],
    ['a,a=3d', { ...GOOD, vaults: 'alpha,alpha=3d' }, p('vaults'), 'listed twice'],
    ['*=3d', { ...GOOD, vaults: '*=3d' }, p('vaults'), 'cannot have its own threshold'],
    ['* with other vaults', { ...GOOD, vaults: '*,alpha' }, p('vaults'), 'cannot be combined'],
    [
      '* for another account',
      { ...GOOD, vaults: '*', 'account-id': '111111111111' },
      p('vaults'),
      '111111111111',
    ],
    ['older-than 0h', { ...GOOD, 'older-than': '0h' }, p('older-than'), '"0h"'],
    ['older-than -1d', { ...GOOD, 'older-than': '-1d' }, p('older-than'), '"-1d"'],
    ['older-than 7 (no unit)', { ...GOOD, 'older-than': '7' }, p('older-than'), '"7"'],
    ['older-than 7x', { ...GOOD, 'older-than': '7x' }, p('older-than'), '"7x"'],
    ['older-than 1.5d', { ...GOOD, 'older-than': '1.5d' }, p('older-than'), '"1.5d"'],
    ['older-than 12h (under the 24 h floor)', { ...GOOD, 'older-than': '12h' }, p('older-than'), '"12h"'],
    ['older-than 9999d (over the cap)', { ...GOOD, 'older-than': '9999d' }, p('older-than'), '"9999d"'],
    ['older-than empty', { ...GOOD, 'older-than': '' }, p('older-than'), '""'],
    ['a per-vault 12h', { ...GOOD, vaults: 'alpha=12h,beta' }, p('vaults'), 'threshold of "alpha"'],
    ['a per-vault 7x', { ...GOOD, vaults: 'alpha,beta=7x' }, p('vaults'), 'threshold of "beta"'],
    ['unknown action', { ...GOOD, action: 'delete' }, p('action'), '"delete"'],
    ['action in capitals', { ...GOOD, action: 'ABORT' }, p('action'), '"ABORT"'],
    ['account-id too short', { ...GOOD, 'account-id': '12345' }, p('account-id'), '"12345"'],
    ['account-id of letters', { ...GOOD, 'account-id': 'abcdefghijkl' }, p('account-id'), '"abcdefghijkl"'],
    ['max-aborts not a number', { ...GOOD, 'max-aborts': 'ten' }, p('max-aborts'), '"ten"'],
    ['max-aborts negative', { ...GOOD, 'max-aborts': '-1' }, p('max-aborts'), '"-1"'],
    ['max-aborts fractional', { ...GOOD, 'max-aborts': '1.5' }, p('max-aborts'), '"1.5"'],
    ['max-aborts in exponent form', { ...GOOD, 'max-aborts': '1e3' }, p('max-aborts'), '"1e3"'],
    ['exclude not a regular expression', { ...GOOD, exclude: '(keep' }, p('exclude'), '"(keep"'],
    ['exclude over 256 characters', { ...GOOD, exclude: longExclude }, p('exclude'), '302 characters'],
    ['unknown notify', { ...GOOD, notify: 'never' }, p('notify'), '"never"'],
  ])('%s', async (_case, parameters, setting, shows) => {
    await expectConfigError(parameters, setting, shows);
  });
});

describe('a named vault outside SWEEPER_VAULT_PATTERN', () => {
  it.each<[string, string, string]>([
    ['one of two named vaults outside it', 'alpha,beta', '"beta"'],
    ['a per-vault threshold does not change it', 'alpha,beta=10d', '"beta"'],
  ])('%s: a configuration error, nothing listed or aborted', async (_case, vaults, shows) => {
    await expectConfigError({ ...GOOD, vaults }, p('vaults'), shows, undefined, {
      SWEEPER_VAULT_PATTERN: '^(alpha|logs)$',
    });
    const error = emu.published()[0]?.message ?? '';
    expect(error).toContain('SWEEPER_VAULT_PATTERN');
    expect(error).toContain('"^(alpha|logs)$"');
  });
});

describe('bad invocation events', () => {
  it.each<[string, unknown, string]>([
    ['action of the wrong type (number)', { action: 5 }, '5'],
    ['action of the wrong type (array)', { action: ['report'] }, '[\\"report\\"]'],
    ['action null', { action: null }, 'null'],
    ['action in capitals', { action: 'REPORT' }, 'REPORT'],
    ['vaults as a string', { vaults: 'alpha' }, '\\"alpha\\"'],
    ['vaults empty', { vaults: [] }, '[]'],
    ['vaults with a number', { vaults: ['alpha', 7] }, '7'],
    ['vaults naming a vault not configured', { vaults: ['alpha', 'gamma'] }, '"gamma"'],
  ])('%s', async (_case, event, shows) => {
    const key = Object.keys(event as object)[0] as string;
    await expectConfigError(GOOD, `event.${key}`, shows, event);
  });

  const scheduled = {
    'an EventBridge scheduled event': {
      version: '0',
      id: 'c6f9a7a1-2f4b-4b0c-9a39-0f1c6f1b0000',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-27T03:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/sweep'],
      detail: {},
      // Fields a manual run would honour: on a scheduled event they are ignored, never a narrowing.
      action: 'report',
      vaults: ['not-configured'],
    },
    'an EventBridge Scheduler event': {
      source: 'aws.scheduler',
      'detail-type': 'Scheduled Event',
      resources: ['arn:aws:scheduler:us-east-1:123456789012:schedule/default/sweep'],
      detail: '{}',
      vaults: 42,
    },
  };
  it.each(Object.entries(scheduled))(
    '%s: its fields are ignored and the configured sweep runs',
    async (_c, event) => {
      seedVaults();
      const topicArn = configure(emu, GOOD);
      const before = snapshot(emu, ['alpha', 'beta']);
      const result = await run(emu, topicArn, { event });
      const report = reportOf(result);
      expect(report.action).toBe('abort');
      expect(report.vaults.map((v) => v.vault)).toEqual(['alpha', 'beta']);
      expect(report.totals).toMatchObject({ stale: 9, aborted: 9 });
      expect(violations(emu, report, { before, mustComplete: ['alpha', 'beta'] })).toEqual([]);
      expect(result.logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
      tally('bad-input', 1);
    },
  );

  it('action "abort" in the event does not escalate a report-mode configuration', async () => {
    seedVaults();
    const topicArn = configure(emu, { ...GOOD, action: 'report' });
    const result = await run(emu, topicArn, { event: { action: 'abort' } });
    const report = reportOf(result);
    expect(report.action).toBe('report');
    expect(report.totals).toMatchObject({ stale: 9, aborted: 0, reported: 9 });
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(emu.vaults().map((v) => v.uploads)).toEqual([8, 6]);
    expect(result.logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringContaining('an event never escalates'),
    ]);
    tally('bad-input', 1);
  });
});

describe('bad upload data from Glacier', () => {
  const future = new Date(Date.now() + 5 * 86_400_000).toISOString();
  it.each<[string, SeedUpload, string | null]>([
    ['CreationDate missing', { uploadId: 'odd' }, null],
    ['CreationDate null', { uploadId: 'odd', createdAt: null }, null],
    ['CreationDate empty', { uploadId: 'odd', createdAt: '' }, ''],
    ['CreationDate garbage', { uploadId: 'odd', createdAt: 'last tuesday' }, 'last tuesday'],
    [
      'CreationDate without a zone',
      { uploadId: 'odd', createdAt: '2020-01-01T00:00:00' },
      '2020-01-01T00:00:00',
    ],
    [
      'CreationDate on February 31st',
      { uploadId: 'odd', createdAt: '2020-02-31T00:00:00Z' },
      '2020-02-31T00:00:00Z',
    ],
    ['CreationDate in the future', { uploadId: 'odd', createdAt: future }, future],
  ])('%s: an anomaly, reported and never aborted', async (_case, upload, shown) => {
    seedVaults([{ ...upload, description: 'odd one' }]);
    const topicArn = configure(emu, GOOD);
    const before = snapshot(emu, ['alpha', 'beta']);
    const result = await run(emu, topicArn);
    const report = reportOf(result);

    expect(emu.requests({ uploadId: 'odd' })).toEqual([]);
    expect(emu.uploads('alpha').some((u) => u.uploadId === 'odd')).toBe(true);
    const alpha = report.vaults.find((v) => v.vault === 'alpha');
    expect(alpha?.anomalies).toEqual([{ uploadId: 'odd', createdAt: shown, description: 'odd one' }]);
    expect(alpha?.staleUploads.some((u) => u.uploadId === 'odd')).toBe(false);
    expect(report.totals).toMatchObject({ anomalies: 1, stale: 9, aborted: 9 });
    expect(violations(emu, report, { before, mustComplete: ['alpha', 'beta'] })).toEqual([]);
    const published = publishedReport(reports(emu)[0] as ReturnType<typeof reports>[number]);
    expect(published.vaults.find((v) => v.vault === 'alpha')?.anomalies[0]?.uploadId).toBe('odd');
    expect(
      messagesOf(result.logger.lines, 'upload with an untrustworthy CreationDate: never aborted'),
    ).toEqual([
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ uploadId: 'odd' }) }),
    ]);
    tally('bad-input', 1);
  });

  it('entries without an id are one anomaly each; a repeated id is scanned, judged and aborted once', async () => {
    // alpha lists 60 stale + 5 fresh + 2 edge uploads over two pages, plus 3 entries without an id
    // (absent, absent, empty) and 2 more entries that repeat alpha-stale-0's id.
    const dup = { listedId: 'alpha-stale-0', createdAt: daysAgo(8) };
    emu.seed({
      vaults: [
        {
          name: 'alpha',
          uploads: [
            ...vaultUploads('alpha', 60, 5),
            { uploadId: 'no-id-1', listedId: null, createdAt: daysAgo(30), description: 'first' },
            { uploadId: 'no-id-2', listedId: null, createdAt: daysAgo(30), description: 'second' },
            { uploadId: 'no-id-3', listedId: '', createdAt: daysAgo(30), description: 'third' },
            { uploadId: 'dup-1', ...dup },
            { uploadId: 'dup-2', ...dup },
          ],
        },
        { name: 'beta', uploads: vaultUploads('beta', 3, 1) },
      ],
    });
    const topicArn = configure(emu, GOOD);
    const before = snapshot(emu, ['alpha', 'beta']);
    const report = reportOf(await run(emu, topicArn));

    const alpha = report.vaults.find((v) => v.vault === 'alpha');
    expect(alpha).toMatchObject({ scanned: 70, duplicates: 2, stale: 61, aborted: 61, complete: true });
    expect(alpha?.anomalies.map((a) => [a.uploadId, a.description]).sort()).toEqual([
      ['', 'first'],
      ['', 'second'],
      ['', 'third'],
    ]);
    expect(report.totals).toMatchObject({ scanned: 76, duplicates: 2, anomalies: 3, stale: 65, aborted: 65 });
    expect(emu.requests({ operation: 'AbortMultipartUpload', uploadId: 'alpha-stale-0' })).toHaveLength(1);
    expect(emu.requests({ operation: 'ListParts', uploadId: 'alpha-stale-0' })).toHaveLength(1);
    // Entries without an id get no request at all; neither do the repeats' own uploads.
    for (const id of ['no-id-1', 'no-id-2', 'no-id-3', 'dup-1', 'dup-2'])
      expect(emu.requests({ uploadId: id })).toEqual([]);
    expect(violations(emu, report, { before, mustComplete: ['alpha', 'beta'] })).toEqual([]);
    const published = publishedReport(reports(emu)[0] as ReturnType<typeof reports>[number]);
    expect(published.totals).toEqual(report.totals);
    expect(published.vaults.find((v) => v.vault === 'alpha')?.duplicates).toBe(2);
    tally('bad-input', 2);
  });

  it.each<[string, SeedUpload]>([
    ['a 100,000-character description', { description: 'd'.repeat(100_000) }],
    [
      'control characters and terminal escapes in the description',
      { description: 'a\u001b[2J\u0007\r\nb\u202e' },
    ],
    ['null description and part size', { description: null, partSizeBytes: null }],
  ])('%s: judged by its date alone, description bounded', async (_case, fields) => {
    seedVaults([
      { uploadId: 'odd-old', createdAt: daysAgo(30), ...fields },
      { uploadId: 'odd-young', createdAt: daysAgo(1), ...fields },
    ]);
    const topicArn = configure(emu, GOOD);
    const before = snapshot(emu, ['alpha', 'beta']);
    const report = reportOf(await run(emu, topicArn));

    expect(emu.requests({ uploadId: 'odd-young' })).toEqual([]);
    const entry = report.vaults.flatMap((v) => v.staleUploads).find((u) => u.uploadId === 'odd-old');
    expect(entry?.outcome).toBe('aborted');
    expect(entry?.description.length).toBeLessThanOrEqual(1024);
    if (fields.description === null) expect(entry).toMatchObject({ description: '', partSizeBytes: null });
    expect(violations(emu, report, { before, mustComplete: ['alpha', 'beta'] })).toEqual([]);
    tally('bad-input', 1);
  });
});
