/**
 * The real Lambda handler (through `invokeLocally`) against the emulator over HTTP, with the real SDK
 * clients: everything the contract promises, checked against what the emulator saw and kept.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SNS_MAX_MESSAGE_BYTES } from '../../lambda/core/sns-message';
import type { SweepReport, VaultReport } from '../../lambda/core/types';
import { daysAgo, type Emulator, makeUploads, type SeedUpload, startEmulator } from '../../local/emulator';
import type { MemoryLogger } from '../../local/invoke';
import { parseReport } from './helpers/report-schema';
import { configure, onlyMessage, reportOf, startRecordingProxy, sweep, utf8Bytes } from './helpers/scenario';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.stop();
});

beforeEach(() => {
  emu.reset();
});

const PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

function vault(report: SweepReport, name: string): VaultReport {
  const found = report.vaults.find((v) => v.vault === name);
  if (!found) throw new Error(`no vault ${name} in the report`);
  return found;
}

const idsOf = (name: string): string[] => emu.uploads(name).map((u) => u.uploadId);
const sorted = (ids: Iterable<string>): string[] => [...ids].sort();

/** The stale-outcome identity the contract promises, for the totals and every vault. */
function expectOutcomesAddUp(report: SweepReport): void {
  for (const v of [report.totals, ...report.vaults]) {
    expect(v.aborted + v.gone + v.failed + v.skipped + v.reported).toBe(v.stale);
  }
}

describe('report mode over many pages', () => {
  it('lists 523 uploads in exactly ceil(523/50) pages of limit 50, reports the stale ones and touches nothing', async () => {
    // big: age (i % 10) + 0.5 days, so i % 10 >= 7 is stale under 7d; small has its own 30d threshold.
    const ages = Array.from({ length: 523 }, (_, i) => (i % 10) + 0.5);
    const seeded = emu.seed({
      vaults: [
        { name: 'big', uploads: makeUploads(523, { createdAt: (i) => daysAgo(ages[i] ?? 0) }) },
        {
          name: 'small',
          uploads: [
            ...makeUploads(5, { createdAt: daysAgo(10), description: 'ten days: young under 30d' }),
            ...makeUploads(2, { createdAt: daysAgo(40), description: 'forty days' }),
          ],
        },
      ],
    });
    const topicArn = configure(emu, { vaults: 'big,small=30d', 'older-than': '7d' });
    const before = { big: idsOf('big'), small: idsOf('small') };
    const proxy = await startRecordingProxy(emu.url);
    let report: SweepReport;
    try {
      report = reportOf(await sweep(emu, topicArn, { endpoint: proxy.url }));
    } finally {
      await proxy.stop();
    }

    const expectedStale = ages.filter((age) => age >= 7).length;
    expect(expectedStale).toBe(156);
    const big = vault(report, 'big');
    expect(big).toMatchObject({
      olderThan: '7d',
      scanned: 523,
      stale: expectedStale,
      reported: expectedStale,
      aborted: 0,
      complete: true,
      error: null,
    });
    expect(big.staleUploads.map((u) => u.outcome)).toEqual(Array(expectedStale).fill('reported'));
    expect(vault(report, 'small')).toMatchObject({ olderThan: '30d', scanned: 7, stale: 2, reported: 2 });
    expect(report.totals).toMatchObject({ vaults: 2, scanned: 530, stale: 158, aborted: 0, vaultErrors: 0 });
    expect(report).toMatchObject({ action: 'report', olderThan: '7d', complete: true, capped: false });
    expectOutcomesAddUp(report);
    // The oldest stale uploads come first.
    const ageList = big.staleUploads.map((u) => u.ageHours);
    expect(ageList).toEqual([...ageList].sort((a, b) => b - a));

    // What the emulator saw: ceil(523/50) = 11 pages for big, one for small, each asking for 50.
    const pages = emu.requests({ operation: 'ListMultipartUploads', vault: 'big' });
    expect(pages).toHaveLength(Math.ceil(523 / PAGE_SIZE));
    expect(pages.every((r) => r.status === 200 && r.method === 'GET')).toBe(true);
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'small' })).toHaveLength(1);
    const lists = proxy.seen
      .filter((r) => r.method === 'GET' && /\/vaults\/big\/multipart-uploads(\?|$)/.test(r.url))
      .map((r) => new URL(r.url, 'http://x').searchParams);
    expect(lists).toHaveLength(11);
    expect(lists.map((q) => q.get('limit'))).toEqual(Array(11).fill(String(PAGE_SIZE)));
    expect(lists[0]?.has('marker')).toBe(false);
    expect(lists.slice(1).every((q) => (q.get('marker') ?? '') !== '')).toBe(true);
    expect(new Set(lists.map((q) => q.get('marker'))).size).toBe(11);

    // Report mode: not one abort request, every upload still there.
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(0);
    expect(idsOf('big')).toEqual(before.big);
    expect(idsOf('small')).toEqual(before.small);
    expect(sorted(before.big)).toEqual(sorted(seeded.uploadIds.big ?? []));
    expect(emu.requests({ operation: 'GetParameters' })).toHaveLength(1);
    expect(onlyMessage(emu).attributes).toEqual({ kind: 'report', action: 'report' });
  });
});

describe('abort mode', () => {
  it('aborts exactly the stale uploads: young, anomalous and excluded ones remain, counted by the 204s', async () => {
    const main: SeedUpload[] = [
      // 200 uploads: every 4th is 10 to 110 days old, the rest 1 to 6 days.
      ...makeUploads(200, {
        createdAt: (i) => daysAgo(i % 4 === 0 ? 10 + i / 2 : 1 + (i % 6)),
        description: (i) => `backup ${i}`,
      }),
      // Anomalies: garbage, missing, empty and future dates; stale-looking descriptions do not matter.
      { createdAt: 'garbage', description: 'garbage date' },
      { createdAt: null, description: 'no date' },
      { createdAt: '', description: 'empty date' },
      { createdAt: new Date(Date.now() + 30 * DAY_MS).toISOString(), description: 'from the future' },
      // Stale but excluded.
      ...makeUploads(3, { createdAt: daysAgo(400), description: (i) => `keep: legal hold ${i}` }),
      // Just past the threshold: stale (now − created ≥ 7d).
      { createdAt: daysAgo(7.001), description: 'just past 7d' },
      // Just under: young.
      { createdAt: daysAgo(6.99), description: 'just under 7d' },
    ];
    const long: SeedUpload[] = [
      ...makeUploads(5, { createdAt: daysAgo(10), description: 'ten days: young under 30d' }),
      ...makeUploads(5, { createdAt: daysAgo(45), description: 'stale under 30d' }),
    ];
    const seeded = emu.seed({
      vaults: [
        { name: 'main', uploads: main },
        { name: 'long', uploads: long },
      ],
    });
    const topicArn = configure(emu, {
      vaults: 'main,long=30d',
      'older-than': '7d',
      action: 'abort',
      exclude: '^keep:',
    });

    const mainIds = seeded.uploadIds.main ?? [];
    const longIds = seeded.uploadIds.long ?? [];
    const kind = (upload: SeedUpload): 'stale' | 'young' | 'anomaly' | 'excluded' => {
      const created = typeof upload.createdAt === 'string' ? Date.parse(upload.createdAt) : Number.NaN;
      if (Number.isNaN(created) || created > Date.now()) return 'anomaly';
      return upload.description?.startsWith('keep:') ? 'excluded' : 'stale';
    };
    const expected = { keptMain: new Set<string>(), abortedMain: new Set<string>() };
    main.forEach((upload, i) => {
      const id = mainIds[i] as string;
      const created = typeof upload.createdAt === 'string' ? Date.parse(upload.createdAt) : Number.NaN;
      const young = !Number.isNaN(created) && created <= Date.now() && Date.now() - created < 7 * DAY_MS;
      if (!young && kind(upload) === 'stale') expected.abortedMain.add(id);
      else expected.keptMain.add(id);
    });
    expect(expected.abortedMain.size).toBe(51);

    const report = reportOf(await sweep(emu, topicArn));

    // The emulator's state: exactly young + anomalies + excluded remain.
    expect(sorted(idsOf('main'))).toEqual(sorted(expected.keptMain));
    expect(sorted(idsOf('long'))).toEqual(sorted(longIds.slice(0, 5)));
    // Every abort request hit a stale upload, once, and the report's count is the emulator's 204 count.
    const deletes = emu.requests({ operation: 'AbortMultipartUpload' });
    expect(deletes.every((r) => r.method === 'DELETE' && r.status === 204)).toBe(true);
    const deleted = deletes.map((r) => r.uploadId as string);
    expect(new Set(deleted).size).toBe(deleted.length);
    expect(sorted(deleted)).toEqual(sorted([...expected.abortedMain, ...longIds.slice(5)]));
    expect(report.totals.aborted).toBe(
      emu.requests({ operation: 'AbortMultipartUpload', status: 204 }).length,
    );

    expect(vault(report, 'main')).toMatchObject({
      scanned: 209,
      stale: 54,
      aborted: 51,
      skipped: 3,
      failed: 0,
      gone: 0,
      reported: 0,
      complete: true,
    });
    expect(
      vault(report, 'main')
        .anomalies.map((a) => a.description)
        .sort(),
    ).toEqual(['empty date', 'from the future', 'garbage date', 'no date']);
    expect(vault(report, 'long')).toMatchObject({ olderThan: '30d', scanned: 10, stale: 5, aborted: 5 });
    expect(report.totals).toMatchObject({ stale: 59, aborted: 56, skipped: 3, anomalies: 4, failed: 0 });
    expectOutcomesAddUp(report);
    const skipped = vault(report, 'main').staleUploads.filter((u) => u.outcome === 'skipped');
    expect(skipped.map((u) => u.description).sort()).toEqual([
      'keep: legal hold 0',
      'keep: legal hold 1',
      'keep: legal hold 2',
    ]);
    expect(onlyMessage(emu).attributes).toEqual({ kind: 'report', action: 'abort' });
  });

  it('stops aborting at max-aborts: the rest is reported, capped is set, the emulator saw exactly that many DELETEs', async () => {
    emu.seed({
      vaults: [
        { name: 'a', uploads: makeUploads(18, { createdAt: daysAgo(30) }) },
        { name: 'b', uploads: makeUploads(12, { createdAt: daysAgo(30) }) },
      ],
    });
    const topicArn = configure(emu, { vaults: 'a,b', action: 'abort', 'max-aborts': '10' });
    const report = reportOf(await sweep(emu, topicArn));

    expect(report.capped).toBe(true);
    expect(report.totals).toMatchObject({ stale: 30, aborted: 10, reported: 20, failed: 0 });
    expectOutcomesAddUp(report);
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(10);
    expect(emu.uploads('a').length + emu.uploads('b').length).toBe(20);
    const message = onlyMessage(emu);
    expect(message.subject).toContain('max-aborts reached');
    expect(message.structured?.email).toContain('max-aborts reached');
  });

  it('under max-aborts aborts the oldest uploads of the run, even one listed on the last page (issue 13)', async () => {
    // The emulator lists by a hash of the id, so the listing order is found by seeding once; the
    // upload listed last in vault b is then made 2,512 days old.
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const seedWith = (ancient: string | undefined) => {
      emu.reset();
      emu.seed({
        vaults: [
          {
            name: 'a',
            uploads: ids('a', 120).map((uploadId, i) => ({ uploadId, createdAt: daysAgo(30 + i / 100) })),
          },
          {
            name: 'b',
            uploads: ids('b', 120).map((uploadId, i) => ({
              uploadId,
              createdAt: daysAgo(uploadId === ancient ? 2512 : 20 + i / 100),
            })),
          },
        ],
      });
    };
    seedWith(undefined);
    const lastOfB = emu.uploads('b').at(-1)?.uploadId as string;
    seedWith(lastOfB);
    const topicArn = configure(emu, { vaults: 'a,b', action: 'abort', 'max-aborts': '5' });

    const report = reportOf(await sweep(emu, topicArn));

    // The five oldest: the ancient one, then a's four oldest (31.19 to 31.16 days).
    const expected = [lastOfB, 'a-119', 'a-118', 'a-117', 'a-116'];
    const deleted = emu.requests({ operation: 'AbortMultipartUpload', status: 204 }).map((r) => r.uploadId);
    expect(sorted(deleted as string[])).toEqual(sorted(expected));
    expect(emu.uploads('b').some((u) => u.uploadId === lastOfB)).toBe(false);
    expect(report).toMatchObject({ capped: true, totals: { stale: 240, aborted: 5, reported: 235 } });
    expectOutcomesAddUp(report);
  });

  it('the preview of a report run is what an abort run with the same settings then aborts, upload for upload', async () => {
    emu.seed({
      vaults: [
        {
          name: 'a',
          uploads: [
            ...makeUploads(130, {
              createdAt: (i) => daysAgo(i % 3 === 0 ? 8 + i : 2),
              description: (i) => `a ${i}`,
            }),
            ...makeUploads(4, { createdAt: daysAgo(500), description: 'keep: legal hold' }),
          ],
        },
        { name: 'b', uploads: makeUploads(70, { createdAt: (i) => daysAgo(9 + i * 1.5), description: 'b' }) },
      ],
    });
    const settings = { vaults: 'a,b', 'older-than': '7d', exclude: '^keep:', 'max-aborts': '40' };
    const keyed = (
      report: SweepReport,
      pick: (u: SweepReport['vaults'][number]['staleUploads'][number]) => boolean,
    ) =>
      sorted(
        report.vaults.flatMap((v) => v.staleUploads.filter(pick).map((u) => `${v.vault}/${u.uploadId}`)),
      );

    const preview = reportOf(await sweep(emu, configure(emu, { ...settings, action: 'report' })));
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(preview).toMatchObject({ action: 'report', capped: true, totals: { wouldAbort: 40, aborted: 0 } });

    emu.clearRequests();
    const real = reportOf(await sweep(emu, configure(emu, { ...settings, action: 'abort' })));
    const deleted = emu
      .requests({ operation: 'AbortMultipartUpload', status: 204 })
      .map((r) => `${r.vault}/${r.uploadId}`);
    expect(sorted(deleted)).toEqual(keyed(preview, (u) => u.wouldAbort));
    expect(keyed(real, (u) => u.outcome === 'aborted')).toEqual(keyed(preview, (u) => u.wouldAbort));
    expect(real).toMatchObject({ capped: true, totals: { aborted: 40, wouldAbort: 40, skipped: 4 } });
    // The oldest 40 of both vaults, whatever the listing order: every one left is younger than every one aborted.
    const age = (r: SweepReport, pick: (u: { outcome: string }) => boolean) =>
      r.vaults
        .flatMap((v) => v.staleUploads.filter((u) => pick(u) && !u.description.startsWith('keep:')))
        .map((u) => u.ageHours);
    expect(Math.min(...age(real, (u) => u.outcome === 'aborted'))).toBeGreaterThanOrEqual(
      Math.max(...age(real, (u) => u.outcome === 'reported')),
    );
    expectOutcomesAddUp(real);
  });

  it('an abort that keeps failing is `failed`, the upload stays, the other aborts and the report go through', async () => {
    const { uploadIds } = emu.seed({
      vaults: [{ name: 'v', uploads: makeUploads(6, { createdAt: daysAgo(20) }) }],
    });
    const stubborn = uploadIds.v?.[2] as string;
    emu.addFaultRule({ operation: 'AbortMultipartUpload', uploadId: stubborn, fault: 'error' });
    const topicArn = configure(emu, { vaults: 'v', action: 'abort' });
    const result = await sweep(emu, topicArn, { clientOptions: { maxAttempts: 2 } });
    const report = reportOf(result);

    expect(report.totals).toMatchObject({ stale: 6, aborted: 5, failed: 1 });
    expect(vault(report, 'v').staleUploads.find((u) => u.uploadId === stubborn)?.outcome).toBe('failed');
    expect(idsOf('v')).toEqual([stubborn]);
    expect(emu.requests({ operation: 'AbortMultipartUpload', uploadId: stubborn })).toHaveLength(2);
    expect(onlyMessage(emu).subject).toContain('1 abort failure');
    const logged = (result.logger as MemoryLogger).lines.filter(
      (l) => l.level === 'error' && l.message === 'stale upload',
    );
    expect(logged.map((l) => l.extra.uploadId)).toEqual([stubborn]);
  });
});

describe('vault selection and isolation', () => {
  it('`*` lists the vaults (ListVaults) and sweeps only those matching SWEEPER_VAULT_PATTERN', async () => {
    emu.seed({
      vaults: [
        { name: 'prod-a', uploads: makeUploads(3, { createdAt: daysAgo(9) }) },
        { name: 'prod-b', uploads: makeUploads(60, { createdAt: daysAgo(1) }) },
        { name: 'dev-c', uploads: makeUploads(4, { createdAt: daysAgo(90) }) },
        { name: 'production-old', uploads: makeUploads(1, { createdAt: daysAgo(90) }) },
      ],
    });
    const topicArn = configure(emu, { vaults: '*' });
    const report = reportOf(await sweep(emu, topicArn, { env: { SWEEPER_VAULT_PATTERN: '^prod-' } }));

    expect(emu.requests({ operation: 'ListVaults' }).length).toBeGreaterThanOrEqual(1);
    expect(report.vaults.map((v) => v.vault).sort()).toEqual(['prod-a', 'prod-b']);
    expect(vault(report, 'prod-a')).toMatchObject({ scanned: 3, stale: 3 });
    expect(vault(report, 'prod-b')).toMatchObject({ scanned: 60, stale: 0 });
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'prod-b' })).toHaveLength(2);
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'dev-c' })).toHaveLength(0);
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'production-old' })).toHaveLength(0);
  });

  it('`*` pages through more than 10 vaults (ListVaults pages hold 10)', async () => {
    emu.seed({
      vaults: Array.from({ length: 23 }, (_, i) => ({
        name: `v${String(i).padStart(2, '0')}`,
        uploads: makeUploads(1, { createdAt: daysAgo(8) }),
      })),
    });
    const topicArn = configure(emu, { vaults: '*' });
    const report = reportOf(await sweep(emu, topicArn));
    expect(emu.requests({ operation: 'ListVaults' })).toHaveLength(3);
    expect(report.totals).toMatchObject({ vaults: 23, scanned: 23, stale: 23 });
  });

  it('a missing vault is an error on that vault only; the healthy ones beside it are swept completely', async () => {
    emu.seed({
      vaults: [
        { name: 'first', uploads: makeUploads(120, { createdAt: (i) => daysAgo(i % 2 === 0 ? 8 : 2) }) },
        { name: 'last', uploads: makeUploads(3, { createdAt: daysAgo(50) }) },
      ],
    });
    const topicArn = configure(emu, { vaults: 'first,archive-2019,last', action: 'abort' });
    const result = await sweep(emu, topicArn);
    const report = reportOf(result);

    expect(vault(report, 'archive-2019')).toMatchObject({ scanned: 0, complete: false });
    expect(vault(report, 'archive-2019').error).toMatch(/ResourceNotFoundException/);
    expect(vault(report, 'first')).toMatchObject({
      scanned: 120,
      stale: 60,
      aborted: 60,
      complete: true,
      error: null,
    });
    expect(vault(report, 'last')).toMatchObject({
      scanned: 3,
      stale: 3,
      aborted: 3,
      complete: true,
      error: null,
    });
    expect(report.totals.vaultErrors).toBe(1);
    expect(report.complete).toBe(false);
    // The skip-tag check comes first and meets the missing vault: nothing is listed there.
    expect(emu.requests({ operation: 'ListTagsForVault', vault: 'archive-2019', status: 404 })).toHaveLength(
      1,
    );
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'archive-2019' })).toHaveLength(0);
    expect(emu.uploads('first')).toHaveLength(60);
    const message = onlyMessage(emu);
    expect(message.subject).toBe(
      'glacier-sweeper: 63 stale uploads aborted in 2 vaults, 1 vault error (us-east-1)',
    );
    expect(message.structured?.email).toContain('archive-2019: ResourceNotFoundException');
    expect(message.structured?.email).toContain('Vault errors (the other vaults were swept)');
  });
});

describe('the SNS message the emulator received', () => {
  it('is a MessageStructure json body whose JSON entries are exactly the report the handler returned', async () => {
    emu.seed({
      vaults: [
        {
          name: 'photos',
          uploads: [
            ...makeUploads(4, { createdAt: (i) => daysAgo(10 + i), description: (i) => `album ${i}` }),
            ...makeUploads(3, { createdAt: daysAgo(1), description: 'fresh' }),
            { createdAt: 'garbage', description: 'odd date' },
          ],
        },
      ],
    });
    const topicArn = configure(emu, { vaults: 'photos', action: 'abort' });
    const report = reportOf(await sweep(emu, topicArn));
    const message = onlyMessage(emu);

    expect(message.topicArn).toBe(topicArn);
    expect(message.messageStructure).toBe('json');
    const body = JSON.parse(message.message) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    expect(parseReport(body.sqs as string)).toEqual(report);
    expect(body.lambda).toBe(body.sqs);
    expect(body.https).toBe(body.sqs);
    expect(body.email).toBe(body.default);
    expect(body.email).toContain('album 3');
    expect(body.email).toContain('garbage');

    expect(message.subject).toBe('glacier-sweeper: 4 stale uploads aborted in 1 vault (us-east-1)');
    expect(message.attributes).toEqual({ kind: 'report', action: 'abort' });
    expect(message.messageAttributes.kind?.dataType).toBe('String');
    expect(utf8Bytes(message.message)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(report.totals).toMatchObject({ scanned: 8, stale: 4, aborted: 4, anomalies: 1 });
  });

  it('stays within 262,144 bytes for 3,000 stale uploads with 900-character descriptions, counts exact', async () => {
    const filler = 'x'.repeat(880);
    emu.seed({
      vaults: [
        {
          name: 'huge',
          uploads: makeUploads(3000, {
            createdAt: (i) => daysAgo(10 + i / 10),
            description: (i) => `${String(i).padStart(6, '0')} ${filler}`.padEnd(900, 'y'),
          }),
        },
        { name: 'tiny', uploads: makeUploads(2, { createdAt: daysAgo(20), description: 'tiny' }) },
      ],
    });
    const topicArn = configure(emu, { vaults: 'huge,tiny' });
    const result = await sweep(emu, topicArn);
    const report = reportOf(result);
    const message = onlyMessage(emu);

    const size = utf8Bytes(message.message);
    expect(size).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(size).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES * 0.9); // trimmed to fit, not emptied
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'huge' })).toHaveLength(60);

    const body = JSON.parse(message.message) as Record<string, string>;
    const published = parseReport(body.sqs as string);
    expect(published.totals).toEqual(report.totals);
    expect(published.totals).toMatchObject({ vaults: 2, scanned: 3002, stale: 3002, reported: 3002 });
    const huge = vault(published, 'huge');
    expect(huge).toMatchObject({ scanned: 3000, stale: 3000, reported: 3000 });
    expect(huge.staleUploadsOmitted).toBeGreaterThan(0);
    expect(huge.staleUploads.length + huge.staleUploadsOmitted).toBe(3000);
    // The oldest are the ones kept: the highest indexes, in order.
    expect(huge.staleUploads[0]?.description.startsWith('002999 ')).toBe(true);
    expect(huge.staleUploads.every((u) => u.description.length === 900)).toBe(true);
    expect(vault(published, 'tiny').staleUploads).toHaveLength(2);
    // The text copy is bounded too and says where the rest is.
    expect(body.email).toContain('more: see the JSON report');
    // The returned report (6 MB response limit) keeps every entry here: 3,000 × ~1 KB fits.
    expect(vault(report, 'huge').staleUploads).toHaveLength(3000);
  });
});

describe('the SNS size limit counts the message attributes too', () => {
  // SNS counts every message attribute's name, type and value in the same 262,144 bytes as the body
  // (AWS API reference, MessageAttributeValue; the emulator does the same). `kind=report` + `action=…`
  // cost 34 bytes: a body fitted without them was refused once it landed within 34 bytes of the limit,
  // failing the invocation after the aborts. This drives a body to that edge.

  /** 3,000 stale uploads whose descriptions are tuned so the trimmed body ends ~12 bytes under the limit. */
  async function sweepNearTheLimit() {
    const seedHuge = (extra: Map<number, number>) => {
      emu.reset();
      emu.seed({
        vaults: [
          {
            name: 'huge',
            uploads: makeUploads(3000, {
              createdAt: (i) => daysAgo(10 + i / 10),
              description: (i) => `${i} `.padEnd(600 + (extra.get(i) ?? 0), 'd'),
            }),
          },
        ],
      });
      return configure(emu, { vaults: 'huge' });
    };
    // First run: how far below the limit the trimmed body lands.
    reportOf(await sweep(emu, seedHuge(new Map())));
    const slack = SNS_MAX_MESSAGE_BYTES - utf8Bytes(onlyMessage(emu).message);
    // Lengthen the oldest kept descriptions so that the same entries fill all but ~12 bytes: every
    // character costs 3 bytes (the sqs, lambda and https copies).
    const extra = new Map<number, number>();
    let chars = Math.floor((slack - 12) / 3);
    for (let i = 2999; chars > 0; i--) {
      extra.set(i, Math.min(400, chars));
      chars -= Math.min(400, chars);
    }
    return sweep(emu, seedHuge(extra));
  }

  it('publishes a report driven to the edge of the limit: body plus attributes fit', async () => {
    const result = await sweepNearTheLimit();
    expect(result.error?.message).toBeUndefined();
    const message = onlyMessage(emu);
    let attributeBytes = 0;
    for (const [name, value] of Object.entries(message.messageAttributes)) {
      attributeBytes += utf8Bytes(name + value.dataType + (value.stringValue ?? ''));
    }
    expect(utf8Bytes(message.message) + attributeBytes).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
    expect(attributeBytes).toBe(34);
  });
});

describe('configuration errors', () => {
  it('a bad older-than fails the invocation naming the parameter and value, lists nothing and sends one alert', async () => {
    emu.seed({ vaults: [{ name: 'backups', uploads: makeUploads(5, { createdAt: daysAgo(30) }) }] });
    const topicArn = configure(emu, { vaults: 'backups', 'older-than': '5x', action: 'abort' });
    const result = await sweep(emu, topicArn);

    expect(result.report).toBeUndefined();
    expect(result.error?.message).toContain('/glacier-sweeper/older-than');
    expect(result.error?.message).toContain('5x');
    expect(emu.requests({ service: 'glacier' })).toHaveLength(0);
    expect(emu.requests({ operation: 'GetParameters' })).toHaveLength(1);
    expect(emu.uploads('backups')).toHaveLength(5);
    const alert = onlyMessage(emu);
    expect(alert.attributes.kind).toBe('alert');
    expect(alert.messageStructure).toBeUndefined();
    expect(alert.subject).toContain('configuration error');
    expect(alert.message).toContain('/glacier-sweeper/older-than');
    expect(alert.message).toContain('5x');
  });
});
