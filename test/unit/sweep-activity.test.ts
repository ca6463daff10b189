import { describe, expect, it } from 'vitest';
import { parseSettings, type RawSettings, ssmNames } from '../../lambda/core/settings';
import { sweepRun } from '../../lambda/core/sweep';
import type { SweepReport } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const MIB = 1_048_576;
const part = (i: number, hash = 'h') => ({ range: `${i * MIB}-${(i + 1) * MIB - 1}`, treeHash: hash });

function setup() {
  const api = new FakeVaultApi().addVault('alpha', [
    uploadAged('old', 30, NOW),
    uploadAged('older', 40, NOW),
    uploadAged('young', 1, NOW),
  ]);
  api.parts.set('old', [part(0), part(1), part(2)]);
  api.parts.set('older', [part(0)]);
  const state = new MemoryStateStore();
  return { api, state };
}

function run(
  api: FakeVaultApi,
  state: MemoryStateStore | undefined,
  at: number,
  raw: RawSettings = {},
): Promise<SweepReport> {
  return sweepRun({
    api,
    settings: parseSettings(
      { vaults: 'alpha', action: 'abort', olderThan: '20d', quietPeriod: '2d', ...raw },
      ssmNames('/p'),
    ),
    clock: () => at,
    deadline: Number.POSITIVE_INFINITY,
    vaultConcurrency: 1,
    abortConcurrency: 4,
    runId: 'r',
    region: 'us-east-1',
    account: '123456789012',
    state,
  });
}

const outcomes = (report: SweepReport) =>
  Object.fromEntries(report.vaults.flatMap((v) => v.staleUploads.map((u) => [u.uploadId, u.outcome])));

describe('activity-aware abort', () => {
  it('marks on the first run, keeps pending within the quiet period, aborts after it', async () => {
    const { api, state } = setup();
    const first = await run(api, state, NOW);
    expect(outcomes(first)).toEqual({ old: 'pending', older: 'pending' });
    expect(first.totals).toMatchObject({ stale: 2, pending: 2, aborted: 0 });
    expect(first.vaults[0]?.staleUploads.find((u) => u.uploadId === 'old')?.eligibleAt).toBe(
      new Date(NOW + 2 * DAY).toISOString(),
    );
    expect([...state.items.keys()].sort()).toEqual([
      '123456789012:us-east-1:alpha#old',
      '123456789012:us-east-1:alpha#older',
    ]);

    const second = await run(api, state, NOW + DAY);
    expect(outcomes(second)).toEqual({ old: 'pending', older: 'pending' });
    expect(api.aborted).toEqual([]);

    const third = await run(api, state, NOW + 2 * DAY);
    expect(outcomes(third)).toEqual({ old: 'aborted', older: 'aborted' });
    // Aborted uploads are forgotten.
    expect(state.items.size).toBe(0);
  });

  it('resets the quiet period when a part is uploaded between runs', async () => {
    const { api, state } = setup();
    await run(api, state, NOW);
    api.parts.set('old', [part(0), part(1), part(2), part(3)]);
    const second = await run(api, state, NOW + 2 * DAY);
    expect(outcomes(second)).toEqual({ old: 'pending', older: 'aborted' });
    const entry = second.vaults[0]?.staleUploads.find((u) => u.uploadId === 'old');
    expect(entry?.eligibleAt).toBe(new Date(NOW + 4 * DAY).toISOString());
    expect(api.aborted.map((a) => a.uploadId)).toEqual(['older']);
  });

  it('counts a part re-uploaded to the same range with new content as activity', async () => {
    const { api, state } = setup();
    await run(api, state, NOW);
    api.parts.set('older', [part(0, 'new-content')]);
    const second = await run(api, state, NOW + 3 * DAY);
    expect(outcomes(second).older).toBe('pending');
  });

  it('never aborts on the first run after the state was lost', async () => {
    const { api, state } = setup();
    await run(api, state, NOW);
    state.items.clear();
    const after = await run(api, state, NOW + 10 * DAY);
    expect(outcomes(after)).toEqual({ old: 'pending', older: 'pending' });
    expect(api.aborted).toEqual([]);
  });

  it('keeps everything pending when the state cannot be read or there is no table', async () => {
    const { api, state } = setup();
    await run(api, state, NOW);
    state.failGet = true;
    const unreadable = await run(api, state, NOW + 10 * DAY);
    expect(outcomes(unreadable)).toEqual({ old: 'pending', older: 'pending' });
    const noTable = await run(api, undefined, NOW + 10 * DAY);
    expect(noTable.totals.pending).toBe(2);
    expect(api.aborted).toEqual([]);
  });

  it('keeps an upload whose parts could not be listed pending, and never stores a fingerprint for it', async () => {
    const { api, state } = setup();
    api.failParts.add('old');
    await run(api, state, NOW);
    expect(state.items.has('123456789012:us-east-1:alpha#old')).toBe(false);
    const later = await run(api, state, NOW + 10 * DAY);
    expect(outcomes(later)).toEqual({ old: 'pending', older: 'aborted' });
  });

  it('follows ListParts markers to the last page before fingerprinting', async () => {
    const { api, state } = setup();
    api.partsPageSize = 1;
    const report = await run(api, state, NOW);
    const partCalls = api.calls.filter((c) => c.op === 'listParts' && c.uploadId === 'old');
    expect(partCalls.map((c) => c.marker)).toEqual([undefined, '1', '2']);
    expect(report.vaults[0]?.staleUploads.find((u) => u.uploadId === 'old')).toMatchObject({
      partCount: 3,
      bytesUploaded: 3 * MIB,
    });
  });

  it('without quiet-period, aborts by age alone but still measures bytes at stake', async () => {
    const { api } = setup();
    const report = await run(api, undefined, NOW, { quietPeriod: undefined });
    expect(outcomes(report)).toEqual({ old: 'aborted', older: 'aborted' });
    expect(report.totals).toMatchObject({ bytesAtStake: 4 * MIB, unmeasured: 0, pending: 0 });
    expect(report.vaults[0]?.bytesAtStake).toBe(4 * MIB);
  });

  it('stops measuring at max-list-parts and says which uploads were not measured', async () => {
    const { api, state } = setup();
    const report = await run(api, state, NOW, { maxListParts: '1' });
    const entries = report.vaults[0]?.staleUploads ?? [];
    expect(entries.filter((u) => u.bytesUploaded === null)).toHaveLength(1);
    expect(report.totals.unmeasured).toBe(1);
    const measured = new Set(api.calls.filter((c) => c.op === 'listParts').map((c) => c.uploadId));
    expect(measured.size).toBe(1);
  });

  it('in report mode records history (so a later switch to abort has it) and aborts nothing', async () => {
    const { api, state } = setup();
    const report = await run(api, state, NOW, { action: 'report' });
    expect(outcomes(report)).toEqual({ old: 'reported', older: 'reported' });
    expect(state.items.size).toBe(2);
    const later = await run(api, state, NOW + 2 * DAY);
    expect(outcomes(later)).toEqual({ old: 'aborted', older: 'aborted' });
  });

  it('does not spend the abort budget on pending uploads', async () => {
    const { api, state } = setup();
    await run(api, state, NOW, { maxAborts: '1' });
    const second = await run(api, state, NOW + 2 * DAY, { maxAborts: '1' });
    expect(second.totals).toMatchObject({ aborted: 1, reported: 1, pending: 0 });
    expect(second.capped).toBe(true);
  });
});

describe('the hard stop and the deadline', () => {
  const cancelled = () => Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });

  it('a part listing cancelled part way leaves the upload unmeasured and pending, with no fingerprint of the pages it got', async () => {
    const { api, state } = setup();
    await run(api, state, NOW);
    // The upload is live: a part arrives between runs. The listing of run 2 is cancelled after its first
    // page (two of four parts), whose fingerprint would match what run 1 stored for the first two parts.
    api.parts.set('old', [part(0), part(1)]);
    await run(api, state, NOW + DAY);
    api.parts.set('old', [part(0), part(1), part(2), part(3)]);
    const stored = state.items.get('123456789012:us-east-1:alpha#old');
    let oldPages = 0;
    api.onRequest = (op) => {
      const last = api.calls.at(-1);
      if (op === 'listParts' && last?.uploadId === 'old' && ++oldPages === 2) throw cancelled();
    };

    const report = await run(api, state, NOW + 5 * DAY);

    const entry = report.vaults[0]?.staleUploads.find((u) => u.uploadId === 'old');
    expect(entry).toMatchObject({ outcome: 'pending', bytesUploaded: null, partCount: null });
    // Nothing was learnt, so a whole quiet period (2d) counts from this run.
    expect(entry?.eligibleAt).toBe(new Date(NOW + 7 * DAY).toISOString());
    expect(report.vaults[0]?.unmeasured).toBe(1);
    expect(api.aborted.map((a) => a.uploadId)).toEqual(['older']);
    // Nothing was learnt about it, so nothing was written.
    expect(state.items.get('123456789012:us-east-1:alpha#old')).toBe(stored);
  });

  it('says the time budget ran out, not that the listing failed, when the hard stop cancels a measurement', async () => {
    const { api, state } = setup();
    api.onRequest = (op) => {
      if (op === 'listParts') throw cancelled();
    };
    const reasons: Array<string | undefined> = [];
    const warnings: string[] = [];
    const report = await sweepRun({
      api,
      settings: parseSettings(
        { vaults: 'alpha', action: 'abort', olderThan: '20d', quietPeriod: '2d' },
        ssmNames('/p'),
      ),
      clock: () => NOW,
      deadline: NOW + 60_000,
      vaultConcurrency: 1,
      abortConcurrency: 4,
      runId: 'r',
      region: 'us-east-1',
      account: '123456789012',
      state,
      observer: {
        staleUpload: (e) => reasons.push(e.reason),
        warning: (e) => warnings.push(e.message),
      },
    });
    expect(report.totals).toMatchObject({ stale: 2, pending: 2, unmeasured: 2, aborted: 0 });
    expect(reasons).toEqual([
      'time budget ran out while its parts were listed',
      'time budget ran out while its parts were listed',
    ]);
    expect(warnings).toEqual([]);
    expect(state.items.size).toBe(0);
  });

  it.each([
    ['measuring', 'listParts', '2d'],
    ['measuring (no quiet-period)', 'listParts', undefined],
    ['reading its history', 'state', '2d'],
  ] as const)(
    'starts no abort once the deadline has passed, even when %s ran past it',
    async (_what, slow, quietPeriod) => {
      const { api, state } = setup();
      // Both uploads are proven idle: recorded 3 days ago, unchanged since.
      await run(api, state, NOW - 3 * DAY);
      api.calls.length = 0;
      let clock = NOW;
      const deadline = NOW + 60_000;
      if (slow === 'listParts')
        api.onRequest = (op) => {
          // 'older' has one page of parts, 'old' two: measured oldest first, 25 s and then 75 s in.
          if (op === 'listParts') clock += 25_000;
        };
      else {
        const get = state.get.bind(state);
        state.get = async (key) => {
          clock += 45_000;
          return get(key);
        };
      }
      const reasons: Record<string, string | undefined> = {};
      const report = await sweepRun({
        api,
        settings: parseSettings(
          { vaults: 'alpha', action: 'abort', olderThan: '20d', ...(quietPeriod ? { quietPeriod } : {}) },
          ssmNames('/p'),
        ),
        clock: () => clock,
        deadline,
        vaultConcurrency: 1,
        abortConcurrency: 1,
        runId: 'r',
        region: 'us-east-1',
        account: '123456789012',
        state,
        observer: { staleUpload: (e) => (reasons[e.uploadId] = e.reason) },
      });

      // Both measurements started within the planning time (51 s) and ended past the deadline: the plan
      // picks both, and acting starts neither.
      expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
      expect(report.totals).toMatchObject({ stale: 2, aborted: 0, reported: 2, wouldAbort: 2 });
      expect(report.planComplete).toBe(true);
      expect(reasons).toEqual({
        old: 'time budget ran out before its abort',
        older: 'time budget ran out before its abort',
      });
    },
  );
});
