import { describe, expect, it } from 'vitest';
import type { PlanSummary, StaleUploadEvent } from '../../lambda/core/sweep';
import type { Upload } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';
import { pattern } from './helpers/patterns';
import { SWEEP_NOW, sweepWith } from './helpers/sweep-run';

// The observer events are the audit log (lambda/run.ts writes one log line per event, kept a year):
// what they say is what an operator reads after the fact, so their content is behaviour.

const DAY = 86_400_000;
const NOW = SWEEP_NOW;

const run = sweepWith;

/** u0..u4 fresh (1..5 days), u5..u9 stale (8..12 days), with the default older-than of 7 days. */
const mixed = (prefix = 'u'): Upload[] =>
  Array.from({ length: 10 }, (_, i) => uploadAged(`${prefix}${i}`, i < 5 ? i + 1 : i + 3, NOW));

describe('vaultsResolved and vaultListed', () => {
  it('names the vaults the run sweeps once `*`, the vault pattern and the request filter are applied', async () => {
    const api = new FakeVaultApi()
      .addVault('backup-1', [])
      .addVault('logs', [])
      .addVault('backup-2', [])
      .addVault('backup-3', []);
    const resolved: string[][] = [];
    await run(
      api,
      { vaults: '*' },
      {
        vaultPattern: pattern('^backup-'),
        onlyVaults: ['backup-3', 'backup-1'],
        observer: { vaultsResolved: (vaults) => resolved.push([...vaults]) },
      },
    );
    expect(resolved).toEqual([['backup-1', 'backup-3']]);
  });

  it('tells, per listed vault, how many uploads it scanned and whether its listing ended', async () => {
    // beta needs three pages, each taking 30 s of the fake clock; listing stops at 70 % of 100 s.
    let clock = NOW;
    const api = new FakeVaultApi().addVault('alpha', mixed('a')).addVault('beta', mixed('b'), [2]);
    api.onRequest = (op) => {
      if (op === 'list') clock += 30_000;
    };
    const listed: Array<{ vault: string; scanned: number; complete: boolean }> = [];
    await run(
      api,
      { vaults: 'alpha,beta' },
      {
        clock: () => clock,
        deadline: NOW + 100_000,
        vaultConcurrency: 1,
        observer: { vaultListed: (e) => listed.push(e) },
      },
    );
    // alpha's page ends at 30 s, beta's at 60 s and 90 s: no page starts at or after 70 s.
    expect(listed).toEqual([
      { vault: 'alpha', scanned: 10, complete: true },
      { vault: 'beta', scanned: 4, complete: false },
    ]);
  });
});

describe('planned: the log line written before anything is aborted', () => {
  it('counts vaults, stale, measured, eligible and picks, says whether it is capped, and comes before the first abort', async () => {
    // alpha: 5 stale (u5..u9), the parts of u7 cannot be listed; beta: 1 stale, excluded.
    const api = new FakeVaultApi()
      .addVault('alpha', mixed())
      .addVault('beta', [uploadAged('keep', 30, NOW, 'keep: legal hold'), uploadAged('b1', 1, NOW)]);
    api.failParts.add('u7');
    const order: string[] = [];
    // Every request takes 1 s of the fake clock, so planning takes time.
    let clock = NOW;
    api.onRequest = (op) => {
      clock += 1_000;
      if (op === 'abort') order.push('abort');
    };
    const planned: PlanSummary[] = [];
    let elapsedAtPlan = -1;
    const warnings: Array<{ vault: string; uploadId: string; message: string }> = [];
    await run(
      api,
      { vaults: 'alpha,beta', action: 'abort', exclude: '^keep:', maxAborts: '3' },
      {
        clock: () => clock,
        observer: {
          planned: (e) => {
            order.push('planned');
            elapsedAtPlan = clock - NOW;
            planned.push(e);
          },
          warning: (e) => warnings.push(e),
        },
      },
    );
    expect(elapsedAtPlan).toBeGreaterThan(0);
    expect(planned).toEqual([
      {
        vaults: 2,
        stale: 6,
        // u5..u9 were listed; u7's listing failed, so four were measured. keep is never measured.
        measured: 4,
        // Without quiet-period, age alone makes u5..u9 eligible; keep is excluded.
        eligible: 5,
        wouldAbort: 3,
        capped: true,
        planComplete: true,
        planningMs: elapsedAtPlan,
      },
    ]);
    expect(order).toEqual(['planned', 'abort', 'abort', 'abort']);
    // The failed part listing changes no outcome by itself, but the log says so.
    expect(warnings).toEqual([
      {
        vault: 'alpha',
        uploadId: 'u7',
        message: 'parts could not be listed: ServiceUnavailableException: parts unavailable',
      },
    ]);
  });

  it('says the plan is incomplete when one vault ran out of planning time, complete when none did', async () => {
    const planComplete = async (betaPages: number) => {
      // Each page of a listing takes 10 s of the fake clock; listing stops at 70 s of 100 s.
      let clock = NOW;
      const api = new FakeVaultApi()
        .addVault('alpha', [uploadAged('a1', 30, NOW)])
        .addVault('beta', mixed('b'), [Math.ceil(10 / betaPages)]);
      api.onRequest = (op) => {
        if (op === 'list') clock += 10_000;
      };
      const planned: PlanSummary[] = [];
      const report = await run(
        api,
        { vaults: 'alpha,beta' },
        {
          clock: () => clock,
          deadline: NOW + 100_000,
          vaultConcurrency: 1,
          observer: { planned: (e) => planned.push(e) },
        },
      );
      expect(planned).toHaveLength(1);
      expect(planned[0]?.planComplete).toBe(report.planComplete);
      return { event: planned[0]?.planComplete, vaults: report.vaults.map((v) => v.planComplete) };
    };
    // beta in 2 pages: both vaults listed by 30 s.
    expect(await planComplete(2)).toEqual({ event: true, vaults: [true, true] });
    // beta in 10 pages: its pages from 10 s on, the last to start at 60 s; alpha was planned in full.
    expect(await planComplete(10)).toEqual({ event: false, vaults: [true, false] });
  });
});

describe('staleUpload: one line per stale upload, with its final outcome', () => {
  it('in report mode tells every stale upload, those abort mode would abort among them, and why', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed());
    const events: StaleUploadEvent[] = [];
    await run(api, { vaults: 'alpha', maxAborts: '2' }, { observer: { staleUpload: (e) => events.push(e) } });
    expect(
      events
        .sort((a, b) => a.uploadId.localeCompare(b.uploadId))
        .map((e) => [e.uploadId, e.outcome, e.wouldAbort, e.reason]),
    ).toEqual([
      ['u5', 'reported', false, 'report mode (abort mode would leave it: max-aborts reached)'],
      ['u6', 'reported', false, 'report mode (abort mode would leave it: max-aborts reached)'],
      ['u7', 'reported', false, 'report mode (abort mode would leave it: max-aborts reached)'],
      ['u8', 'reported', true, 'report mode (abort mode would abort it)'],
      ['u9', 'reported', true, 'report mode (abort mode would abort it)'],
    ]);
    expect(events.every((e) => e.vault === 'alpha' && e.olderThan === '7d')).toBe(true);
    expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
  });
});

describe('abortStarting: the intent logged before each abort request', () => {
  it('names the upload with its creation time and age', async () => {
    const api = new FakeVaultApi().addVault('alpha', [
      uploadAged('old', 30, NOW),
      uploadAged('young', 1, NOW),
    ]);
    const intents: Array<{ vault: string; uploadId: string; createdAt: string; ageHours: number }> = [];
    await run(
      api,
      { vaults: 'alpha', action: 'abort' },
      { observer: { abortStarting: (e) => intents.push(e) } },
    );
    expect(intents).toEqual([
      { vault: 'alpha', uploadId: 'old', createdAt: new Date(NOW - 30 * DAY).toISOString(), ageHours: 720 },
    ]);
    expect(api.aborted).toEqual([{ vault: 'alpha', uploadId: 'old' }]);
  });
});

describe('what the sweep never touches', () => {
  it.each(['report', 'abort'] as const)(
    'never lists the parts of an excluded upload (%s mode), not even while listing goes on',
    async (action) => {
      // One page: both are found together, within max-list-parts, so they are measured while listing.
      const api = new FakeVaultApi().addVault('alpha', [
        uploadAged('keep1', 30, NOW, 'keep: legal hold'),
        uploadAged('old', 40, NOW),
      ]);
      const report = await run(api, { vaults: 'alpha', action, exclude: '^keep:' });
      expect(api.calls.filter((c) => c.op === 'listParts').map((c) => c.uploadId)).toEqual(['old']);
      expect(report.vaults[0]?.staleUploads.find((u) => u.uploadId === 'keep1')).toMatchObject({
        outcome: 'skipped',
        bytesUploaded: null,
        partCount: null,
      });
      expect(api.calls.filter((c) => c.op === 'abort').map((c) => c.uploadId)).toEqual(
        action === 'abort' ? ['old'] : [],
      );
    },
  );
});

describe('the skip tag and planning time', () => {
  it('does not call a vault skipped by tag, or one whose tags could not be read, out of planning time', async () => {
    const api = new FakeVaultApi()
      .addVault('legal', [uploadAged('l1', 30, NOW)])
      .addVault('locked', [uploadAged('k1', 30, NOW)])
      .addVault('backups', [uploadAged('b1', 30, NOW)]);
    api.tags.set('legal', { 'glacier-sweeper': 'skip' });
    api.failTags.set('locked', Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const planned: PlanSummary[] = [];
    const report = await run(
      api,
      { vaults: 'legal,locked,backups', action: 'abort' },
      { observer: { planned: (e) => planned.push(e) } },
    );
    expect(report.vaults.map((v) => [v.vault, v.planComplete, v.complete, v.error])).toEqual([
      ['legal', true, true, null],
      ['locked', true, false, 'AccessDeniedException: not allowed'],
      ['backups', true, true, null],
    ]);
    // The run's own planComplete, and the log line: no "planning stopped early" for a tag.
    expect(report.planComplete).toBe(true);
    expect(planned[0]?.planComplete).toBe(true);
    expect(api.aborted).toEqual([{ vault: 'backups', uploadId: 'b1' }]);
  });
});

describe('quiet-period history without a known account', () => {
  it("keys it under '-', the account the function's own runs use, so a later run with accountId '-' finds it", async () => {
    const api = new FakeVaultApi().addVault('alpha', [uploadAged('old', 30, NOW)]);
    api.parts.set('old', [{ range: '0-1023', treeHash: 'h' }]);
    const state = new MemoryStateStore();
    const raw = { vaults: 'alpha', action: 'abort', quietPeriod: '2d' } as const;
    const first = await run(api, raw, { state });
    expect(first.totals).toMatchObject({ pending: 1, aborted: 0 });
    expect([...state.items.keys()]).toEqual(['-:us-east-1:alpha#old']);
    const later = await run(api, raw, {
      state,
      account: '-',
      clock: () => NOW + 2 * DAY,
      deadline: NOW + 2 * DAY + 600_000,
    });
    expect(later.totals).toMatchObject({ pending: 0, aborted: 1 });
    expect(api.aborted).toEqual([{ vault: 'alpha', uploadId: 'old' }]);
  });
});
