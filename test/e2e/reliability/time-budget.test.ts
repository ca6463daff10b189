import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../../local/emulator';
import {
  abortFates,
  configure,
  faultsInjected,
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

describe('time budget', () => {
  it('stops before the deadline with margin, marks unfinished vaults, publishes; a second run finishes', async () => {
    // 800 uploads (16 pages) per big vault, one in four stale: listing alone outlasts the budget.
    const big = (vault: string) =>
      makeUploads(800, { createdAt: (i) => daysAgo(i % 4 === 0 ? 30 : 1) }).map((u, i) => ({
        ...u,
        uploadId: `${vault}-${i}`,
      }));
    emu.seed({
      vaults: [
        { name: 'big-1', uploads: big('big-1') },
        { name: 'big-2', uploads: big('big-2') },
        { name: 'small', uploads: vaultUploads('small', 5, 3) },
      ],
    });
    const vaults = ['big-1', 'big-2', 'small'];
    const topicArn = configure(emu, { vaults: vaults.join(','), action: 'abort' });
    const before = snapshot(emu, vaults);
    emu.setFaults({ rules: [{ service: 'glacier', fault: 'latency', latencyMs: 250 }] });

    const invocationMs = 5_000;
    const started = Date.now();
    const first = await run(emu, topicArn, { remainingMs: () => invocationMs - (Date.now() - started) });
    const elapsed = Date.now() - started;
    const report = reportOf(first);

    tally('faults', faultsInjected(emu));
    // The work clearly exceeded the budget, and the handler still returned with time to spare.
    expect(elapsed).toBeGreaterThan(2_500);
    expect(invocationMs - elapsed).toBeGreaterThanOrEqual(1_000);
    expect(report.complete).toBe(false);
    for (const name of ['big-1', 'big-2']) {
      const v = report.vaults.find((x) => x.vault === name);
      expect(v).toMatchObject({ complete: false, error: null });
      expect(v?.scanned).toBeGreaterThan(0);
      expect(v?.scanned).toBeLessThan(800);
    }
    expect(report.vaults.find((v) => v.vault === 'small')?.complete).toBe(true);
    expect(violations(emu, report, { before, mustComplete: ['small'] })).toEqual([]);
    // Aborts that could not start in time are reported, with the reason in the audit log.
    expect(report.totals.reported).toBeGreaterThan(0);
    expect(report.totals.aborted + report.totals.reported).toBe(report.totals.stale);
    const late = messagesOf(first.logger.lines, 'stale upload').filter(
      (l) => typeof l.extra.reason === 'string' && l.extra.reason.startsWith('time budget ran out before'),
    );
    expect(late).toHaveLength(report.totals.reported);
    const published = reports(emu);
    expect(published).toHaveLength(1);
    expect(publishedReport(published[0] as (typeof published)[number])).toMatchObject({
      complete: false,
      totals: report.totals,
    });

    const abortedFirst = abortFates(emu.requests()).aborted;
    emu.setFaults({});
    emu.clearRequests();
    const between = snapshot(emu, vaults);
    const second = reportOf(await run(emu, topicArn));
    expect(second.complete).toBe(true);
    expect(violations(emu, second, { before: between, mustComplete: vaults })).toEqual([]);
    const abortedSecond = abortFates(emu.requests()).aborted;
    expect([...abortedSecond].filter((id) => abortedFirst.has(id))).toEqual([]);
    // Together the two runs aborted every stale upload exactly once, and nothing else.
    const staleIds = [...before.uploads]
      .filter(([, u]) => Date.parse(u.creationDate ?? '') < before.takenAt - 7 * 86_400_000)
      .map(([id]) => id)
      .sort();
    expect([...abortedFirst, ...abortedSecond].sort()).toEqual(staleIds);
    expect(second.totals).toMatchObject({ gone: 0, failed: 0, reported: 0 });
  });
});

describe('the hard stop', () => {
  it('slow ListParts answers near the end of the budget are cancelled: the run returns within its invocation and publishes', async () => {
    emu.seed({ vaults: [{ name: 'slow', uploads: vaultUploads('slow', 20, 5) }] });
    const topicArn = configure(emu, { vaults: 'slow', action: 'abort' });
    const before = snapshot(emu, ['slow']);
    // A 5 s invocation: new work stops at 3 s (deadline), requests in flight are cancelled at 4 s (hard
    // stop); planning stops listing at 2.1 s and measuring at 2.55 s (70 % and 85 % of the 3 s). The
    // only page answers at 1.5 s, well inside both, so its stale uploads are measured; every ListParts
    // then takes 6 s, well inside the client's 10 s request timeout, so only the signal can end them
    // before the invocation does.
    emu.setFaults({
      rules: [
        { operation: 'ListMultipartUploads', fault: 'latency', latencyMs: 1_500 },
        { operation: 'ListParts', fault: 'latency', latencyMs: 6_000 },
      ],
    });
    const invocationMs = 5_000;
    const started = Date.now();
    const result = await run(emu, topicArn, { remainingMs: () => invocationMs - (Date.now() - started) });
    const elapsed = Date.now() - started;
    tally('hard-stop overrun ms', elapsed - invocationMs);
    const report = reportOf(result);

    expect(elapsed).toBeLessThan(invocationMs);
    expect(emu.requests({ operation: 'ListParts' }).length).toBeGreaterThan(0);
    expect(emu.requests({ operation: 'ListParts' }).every((r) => r.status === null)).toBe(true);
    // The deadline passed while every measurement was in flight: nothing may be aborted after it.
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(report.vaults[0]).toMatchObject({ complete: true, stale: 21, reported: 21, unmeasured: 21 });
    expect(violations(emu, report, { before, mustComplete: ['slow'] })).toEqual([]);
    const published = reports(emu);
    expect(published).toHaveLength(1);
    expect(publishedReport(published[0] as (typeof published)[number]).totals).toEqual(report.totals);
  });
});

describe('repeated runs', () => {
  function setup(extra: Record<string, string> = {}) {
    emu.seed({
      vaults: [
        { name: 'one', uploads: vaultUploads('one', 30, 10) },
        { name: 'two', uploads: vaultUploads('two', 12, 4) },
      ],
    });
    return configure(emu, { vaults: 'one,two', action: 'abort', notify: 'always', ...extra });
  }

  it('the same abort sweep twice: the second aborts nothing new and reports no failures', async () => {
    const topicArn = setup();
    const before = snapshot(emu, ['one', 'two']);
    const first = reportOf(await run(emu, topicArn));
    expect(first.totals).toMatchObject({ stale: 44, aborted: 44, failed: 0 });
    expect(violations(emu, first, { before, mustComplete: ['one', 'two'] })).toEqual([]);

    emu.clearRequests();
    const between = snapshot(emu, ['one', 'two']);
    const second = reportOf(await run(emu, topicArn));
    expect(second.totals).toMatchObject({ scanned: 16, stale: 0, aborted: 0, gone: 0, failed: 0 });
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(violations(emu, second, { before: between, mustComplete: ['one', 'two'] })).toEqual([]);
    expect(reports(emu).map((m) => publishedReport(m).totals.aborted)).toEqual([44, 0]);
  });

  it('an abort that failed in the first run is retried by the second, and nothing else is touched', async () => {
    const topicArn = setup();
    emu.setFaults({
      rules: [{ operation: 'AbortMultipartUpload', uploadId: 'one-stale-4', fault: 'error' }],
    });
    const first = reportOf(await run(emu, topicArn));
    expect(first.totals).toMatchObject({ aborted: 43, failed: 1 });

    emu.setFaults({});
    emu.clearRequests();
    const between = snapshot(emu, ['one', 'two']);
    const second = reportOf(await run(emu, topicArn));
    expect(second.totals).toMatchObject({ stale: 1, aborted: 1, failed: 0 });
    expect(emu.requests({ operation: 'AbortMultipartUpload' }).map((r) => r.uploadId)).toEqual([
      'one-stale-4',
    ]);
    expect(violations(emu, second, { before: between, mustComplete: ['one', 'two'] })).toEqual([]);
  });
});
