import { describe, expect, it } from 'vitest';
import { buildFleetReport, type LoadedTarget } from '../../../lambda/core/fleet-report';
import { renderFleetSubject, renderFleetText } from '../../../lambda/core/fleet-report-text';
import type { Candidate, SurveyChunk } from '../../../lambda/core/fleet-types';
import { OUTCOMES } from '../../../lambda/core/types';

const A = '111111111111';
const B = '222222222222';
const cand = (uploadId: string, days: number, verdict: Candidate['verdict'] = 'eligible'): Candidate => ({
  uploadId,
  createdAt: new Date(Date.parse('2026-11-01T00:00:00Z') - days * 86_400_000).toISOString(),
  createdMs: Date.parse('2026-11-01T00:00:00Z') - days * 86_400_000,
  ageHours: days * 24,
  description: `d ${uploadId}`,
  partSizeBytes: 1,
  bytesUploaded: 10,
  partCount: 1,
  fingerprint: null,
  verdict,
});
const chunk = (invocation: number, candidates: Candidate[], scanned: number): SurveyChunk => ({
  pass: 0,
  invocation,
  scanned,
  duplicates: 0,
  pages: 1,
  candidates,
  anomalies: [],
});

const swept = (
  account: string,
  region: string,
  vaults: LoadedTarget['vaults'],
  rest: Partial<LoadedTarget> = {},
): LoadedTarget => ({
  account,
  region,
  record: { account, region, status: 'swept', error: null, vaults: [] },
  vaults,
  picks: [],
  outcomes: [],
  actError: undefined,
  goneVaults: [],
  ...rest,
});

const done = { complete: true, error: null, pass: 0, invocations: 2, restarted: false };

function report(targets: LoadedTarget[]) {
  return buildFleetReport({
    runId: 'run-1',
    startedAt: '2026-11-27T03:00:00.000Z',
    finishedAt: '2026-11-27T03:10:00.000Z',
    hubRegion: 'eu-west-1',
    regions: ['eu-west-1', 'us-east-1'],
    action: 'abort',
    olderThan: '7d',
    capped: false,
    wouldAbort: 0,
    reportKey: 'reports/run-1/fleet.json',
    targets,
  });
}

describe('buildFleetReport', () => {
  it('merges chunks without counting an upload twice, and gives every stale upload one outcome', () => {
    const r = report([
      swept(
        A,
        'eu-west-1',
        [
          {
            name: 'v',
            olderThan: '7d',
            status: 'sweep',
            done,
            chunks: [
              chunk(0, [cand('a', 30), cand('b', 20, 'pending')], 50),
              chunk(1, [cand('a', 30), cand('c', 10, 'skipped')], 50),
            ],
          },
        ],
        {
          picks: [
            {
              vault: 'v',
              olderThan: '7d',
              uploadId: 'a',
              createdAt: '',
              createdMs: 0,
              fingerprint: null,
              partCount: null,
              bytes: null,
            },
          ],
          outcomes: [{ vault: 'v', uploadId: 'a', outcome: 'aborted' }],
        },
      ),
    ]);
    const v = r.vaults[0];
    expect(v).toMatchObject({
      account: A,
      region: 'eu-west-1',
      scanned: 99,
      duplicates: 1,
      stale: 3,
      aborted: 1,
      pending: 1,
      skipped: 1,
    });
    for (const entry of r.vaults) expect(OUTCOMES.reduce((n, o) => n + entry[o], 0)).toBe(entry.stale);
    expect(r.totals).toMatchObject({ stale: 3, aborted: 1, accounts: 1, targets: 1 });
  });

  it('lists a missing result as a target error, no-spoke and disabled regions apart, absent and tagged vaults counted', () => {
    const r = report([
      { ...swept(A, 'eu-west-1', []), record: undefined },
      {
        ...swept(A, 'us-east-1', []),
        record: { account: A, region: 'us-east-1', status: 'region-not-enabled', error: null, vaults: [] },
      },
      {
        ...swept(B, 'eu-west-1', []),
        record: { account: B, region: 'eu-west-1', status: 'no-spoke', error: null, vaults: [] },
      },
      swept(B, 'us-east-1', [
        { name: 'gone-vault', olderThan: '7d', status: 'absent', done: undefined, chunks: [] },
        { name: 'legal', olderThan: '7d', status: 'skipped-by-tag', done: undefined, chunks: [] },
        {
          name: 'crashed',
          olderThan: '7d',
          status: 'sweep',
          done: undefined,
          chunks: [chunk(0, [cand('x', 40)], 5)],
        },
      ]),
    ]);
    expect(r.targets.map((t) => `${t.account}/${t.region}:${t.status}`)).toEqual([
      `${A}/eu-west-1:error`,
      `${A}/us-east-1:region-not-enabled`,
      `${B}/eu-west-1:no-spoke`,
      `${B}/us-east-1:swept`,
    ]);
    expect(r.totals).toMatchObject({
      targetErrors: 1,
      regionsNotEnabled: 1,
      noSpoke: 1,
      absent: 1,
      skippedByTag: 1,
      vaultErrors: 1,
    });
    expect(r.vaults.find((v) => v.vault === 'crashed')).toMatchObject({
      complete: false,
      stale: 1,
      reported: 1,
    });
    expect(r.complete).toBe(false);
    const text = renderFleetText(r);
    // Errors first in the account table; no-spoke and disabled regions listed apart.
    expect(text.indexOf(`${A}  `)).toBeLessThan(text.indexOf(`${B}  `));
    expect(text).toContain(`${B} eu-west-1: no spoke role`);
    expect(text).toContain(`${A} us-east-1: region not enabled`);
    expect(text).toContain('Full report: s3 key reports/run-1/fleet.json');
    expect(renderFleetSubject(r)).toMatch(/^glacier-sweeper fleet: 1 target error, 1 vault error/);
    expect(renderFleetSubject(r).length).toBeLessThan(100);
  });

  it('a vault Act found gone is a vault error; its picks stay reported', () => {
    const r = report([
      swept(
        A,
        'eu-west-1',
        [{ name: 'v', olderThan: '7d', status: 'sweep', done, chunks: [chunk(0, [cand('a', 30)], 1)] }],
        {
          outcomes: [
            { vault: 'v', uploadId: 'a', outcome: 'reported', reason: 'the vault no longer exists' },
          ],
          goneVaults: ['v'],
        },
      ),
    ]);
    expect(r.vaults[0]).toMatchObject({
      error: expect.stringContaining('no longer exists'),
      reported: 1,
      gone: 0,
    });
  });
});
