import { describe, expect, it } from 'vitest';
import type { SweepReport, Upload } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';
import { SWEEP_NOW, sweepWith } from './helpers/sweep-run';

const NOW = SWEEP_NOW;

const run = sweepWith;

const outcomeOf = (report: SweepReport, vault: string, id: string) =>
  report.vaults.find((v) => v.vault === vault)?.staleUploads.find((u) => u.uploadId === id)?.outcome;

describe('max-aborts spends itself on the oldest uploads of the run (issue 13)', () => {
  it('aborts a 2,512-day-old upload listed on the last page of the last vault before 30-day-old ones', async () => {
    // alpha: 12 uploads 30 to 41 days old; beta: 11 uploads 30 to 40 days old, then one 2,512 days old,
    // listed last, on beta's third page.
    const alpha: Upload[] = Array.from({ length: 12 }, (_, i) => uploadAged(`a${i}`, 30 + i, NOW));
    const beta: Upload[] = [
      ...Array.from({ length: 11 }, (_, i) => uploadAged(`b${i}`, 30 + i, NOW)),
      uploadAged('ancient', 2512, NOW),
    ];
    const api = new FakeVaultApi().addVault('alpha', alpha, [5]).addVault('beta', beta, [5]);

    const report = await run(api, { vaults: 'alpha,beta', action: 'abort', maxAborts: '3' });

    // The three oldest of the run: ancient (2,512 d), a11 (41 d), then a10 and b10 (40 d) tie on age;
    // equal creation times go by vault name, so a10.
    expect(api.aborted.map((a) => `${a.vault}/${a.uploadId}`).sort()).toEqual([
      'alpha/a10',
      'alpha/a11',
      'beta/ancient',
    ]);
    expect(outcomeOf(report, 'beta', 'ancient')).toBe('aborted');
    expect(report.totals).toMatchObject({ stale: 24, aborted: 3, reported: 21 });
    expect(report.capped).toBe(true);
  });

  it('starts the aborts oldest first', async () => {
    const uploads: Upload[] = Array.from({ length: 9 }, (_, i) =>
      uploadAged(`u${i}`, 30 + ((i * 4) % 9), NOW),
    );
    const api = new FakeVaultApi().addVault('alpha', uploads, [3]);
    await run(api, { vaults: 'alpha', action: 'abort' }, { abortConcurrency: 1, vaultConcurrency: 1 });
    const ages = api.calls
      .filter((c) => c.op === 'abort')
      .map((c) => 30 + ((Number(c.uploadId?.slice(1)) * 4) % 9));
    expect(ages).toEqual([...ages].sort((a, b) => b - a));
    expect(ages).toHaveLength(9);
  });
});

describe('the preview: wouldAbort, capped, eligibleAt', () => {
  const ages = [30, 90, 45, 400, 60, 31];
  const setup = () =>
    new FakeVaultApi()
      .addVault(
        'alpha',
        ages.map((age, i) => uploadAged(`u${i}`, age, NOW)),
        [2],
      )
      .addVault('beta', [uploadAged('keep', 999, NOW, 'keep: legal hold'), uploadAged('b1', 50, NOW)]);
  const wouldAbortIds = (report: SweepReport) =>
    report.vaults
      .flatMap((v) => v.staleUploads.filter((u) => u.wouldAbort).map((u) => `${v.vault}/${u.uploadId}`))
      .sort();

  it('in report mode marks what abort mode would abort, oldest eligible first, and sends no abort', async () => {
    const api = setup();
    const report = await run(api, { vaults: 'alpha,beta', exclude: '^keep:', maxAborts: '3' });
    expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
    // 400, 90 and 60 days; 'keep' (999 days) is excluded.
    expect(wouldAbortIds(report)).toEqual(['alpha/u1', 'alpha/u3', 'alpha/u4']);
    expect(report.totals).toMatchObject({ stale: 8, reported: 7, skipped: 1, aborted: 0, wouldAbort: 3 });
    expect(report.vaults.map((v) => v.wouldAbort)).toEqual([3, 0]);
    expect(report.capped).toBe(true);
  });

  it('an abort run with the same settings aborts exactly what the report run marked', async () => {
    const preview = await run(setup(), { vaults: 'alpha,beta', exclude: '^keep:', maxAborts: '3' });
    const api = setup();
    const report = await run(api, {
      vaults: 'alpha,beta',
      exclude: '^keep:',
      maxAborts: '3',
      action: 'abort',
    });
    expect(api.aborted.map((a) => `${a.vault}/${a.uploadId}`).sort()).toEqual(wouldAbortIds(preview));
    expect(wouldAbortIds(report)).toEqual(wouldAbortIds(preview));
    expect(report.totals).toMatchObject({ aborted: 3, wouldAbort: 3, reported: 4, skipped: 1 });
  });

  it('is not capped when max-aborts is exactly enough, in either mode', async () => {
    for (const action of ['report', 'abort'] as const) {
      const report = await run(setup(), { vaults: 'alpha,beta', exclude: '^keep:', maxAborts: '7', action });
      expect(report).toMatchObject({ capped: false, totals: { wouldAbort: 7 } });
    }
  });

  it('breaks ties on creation time by vault name, then upload id, whatever the listing order', async () => {
    const same = (ids: string[]) => ids.map((id) => uploadAged(id, 30, NOW));
    const picks = async (alpha: string[], beta: string[]) => {
      const api = new FakeVaultApi().addVault('alpha', same(alpha), [1]).addVault('beta', same(beta), [1]);
      return wouldAbortIds(await run(api, { vaults: 'beta,alpha', maxAborts: '3' }));
    };
    const forward = await picks(['z', 'b', 'a'], ['a', 'c']);
    const backward = await picks(['a', 'b', 'z'], ['c', 'a']);
    expect(forward).toEqual(['alpha/a', 'alpha/b', 'alpha/z']);
    expect(backward).toEqual(forward);
    const four = async () => {
      const api = new FakeVaultApi()
        .addVault('alpha', same(['z', 'b', 'a']), [1])
        .addVault('beta', same(['c', 'a']));
      return wouldAbortIds(await run(api, { vaults: 'alpha,beta', maxAborts: '4' }));
    };
    expect(await four()).toEqual(['alpha/a', 'alpha/b', 'alpha/z', 'beta/a']);
  });
});

describe('planning time', () => {
  it('stops planning at its share of the time budget, says so, and acts on what it planned', async () => {
    // alpha lists in one page; beta needs four, each taking 10 s of the fake clock. The deadline is 100 s
    // away, so listing stops at 70 s and acting has the rest.
    let clock = NOW;
    const api = new FakeVaultApi().addVault('alpha', [uploadAged('a1', 30, NOW)]).addVault(
      'beta',
      Array.from({ length: 40 }, (_, i) => uploadAged(`b${i}`, 20 + i, NOW)),
      [5],
    );
    api.onRequest = (op) => {
      if (op === 'list') clock += 10_000;
    };
    const report = await run(
      api,
      { vaults: 'alpha,beta', action: 'abort' },
      { clock: () => clock, deadline: NOW + 100_000, vaultConcurrency: 1 },
    );
    const [alpha, beta] = report.vaults;
    expect(alpha).toMatchObject({ complete: true, planComplete: true, aborted: 1 });
    // alpha's page at 0 s, beta's pages from 10 s: the last one to start begins at 60 s.
    expect(api.listCalls('beta')).toHaveLength(6);
    expect(beta).toMatchObject({ complete: false, planComplete: false, error: null, scanned: 30 });
    expect(beta?.aborted).toBe(30);
    expect(report).toMatchObject({ complete: false, planComplete: false });
  });

  it('measures the oldest of the rest once the run has found more than max-list-parts allows', async () => {
    // alpha's first page (2 stale) is measured while listing goes on; its second page brings the run to
    // 5 with a bound of 3, so the last measurement waits for the listing and goes to the oldest left.
    const api = new FakeVaultApi().addVault(
      'alpha',
      [30, 31, 400, 35, 90].map((age, i) => uploadAged(`u${i}`, age, NOW)),
      [2],
    );
    const report = await run(api, { vaults: 'alpha', maxListParts: '3' });
    const measured = api.calls.filter((c) => c.op === 'listParts').map((c) => c.uploadId);
    expect(measured).toEqual(['u1', 'u0', 'u2']);
    expect(report.totals).toMatchObject({ unmeasured: 2 });
  });

  it('measures stale uploads already found while other vaults are still being listed', async () => {
    const api = new FakeVaultApi().addVault('alpha', [uploadAged('a1', 30, NOW)]).addVault(
      'beta',
      Array.from({ length: 6 }, (_, i) => uploadAged(`b${i}`, 1, NOW)),
      [1],
    );
    api.onRequest = () => new Promise((resolve) => setTimeout(resolve, 1));
    await run(api, { vaults: 'alpha,beta' });
    const ops = api.calls.map((c) => `${c.op}:${c.vault}`);
    expect(ops.indexOf('listParts:alpha')).toBeLessThan(ops.lastIndexOf('list:beta'));
    expect(ops.filter((op) => op === 'listParts:alpha')).toHaveLength(1);
  });
});

describe('between planning and acting', () => {
  it('keeps a pick pending, with its eligible time and reason in the report, when its parts changed before the abort', async () => {
    // Both uploads were seen unchanged 3 days ago. Listing the parts takes 6 minutes of the fake clock
    // here, so by the time of the aborts each measurement is older than the 5-minute window; a part
    // arrives for 'busy' after the plan measured it (during the third listing: act's look at 'idle').
    const DAY = 86_400_000;
    const api = new FakeVaultApi().addVault('alpha', [
      uploadAged('busy', 30, NOW),
      uploadAged('idle', 40, NOW),
    ]);
    for (const id of ['busy', 'idle']) api.parts.set(id, [{ range: '0-1023', treeHash: id }]);
    const state = new MemoryStateStore();
    const raw = { vaults: 'alpha', action: 'abort', quietPeriod: '2d' } as const;
    await run(
      api,
      { ...raw, action: 'report' },
      { clock: () => NOW - 3 * DAY, state, account: '123456789012' },
    );
    let clock = NOW;
    let lists = 0;
    api.onRequest = (op) => {
      if (op !== 'listParts') return;
      clock += 6 * 60_000;
      if (++lists === 3)
        api.parts.set('busy', [
          { range: '0-1023', treeHash: 'busy' },
          { range: '1024-2047', treeHash: 'x' },
        ]);
    };
    // One request at a time, so each measurement ends 6 minutes after the one before.
    const report = await run(api, raw, {
      clock: () => clock,
      deadline: NOW + 3_600_000,
      state,
      account: '123456789012',
      vaultConcurrency: 1,
      abortConcurrency: 1,
    });
    const busy = report.vaults[0]?.staleUploads.find((u) => u.uploadId === 'busy');
    expect(busy).toMatchObject({
      outcome: 'pending',
      wouldAbort: true,
      reason: 'parts changed since they were measured in this run',
      partCount: 2,
    });
    expect(busy?.eligibleAt).toEqual(expect.any(String));
    expect(api.aborted.map((a) => a.uploadId)).toEqual(['idle']);
  });

  it('treats a tag listing cut by the hard stop as out of time, not as a vault error', async () => {
    const api = new FakeVaultApi().addVault('alpha', [uploadAged('a1', 30, NOW)]);
    api.failTags.set('alpha', Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
    const report = await run(api, { vaults: 'alpha', action: 'abort' });
    expect(report.vaults[0]).toMatchObject({ complete: false, planComplete: false, error: null, scanned: 0 });
    expect(api.aborted).toEqual([]);
  });
});
