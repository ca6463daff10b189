import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSubject } from '../../lambda/core/report-subject';
import type { SweepReport } from '../../lambda/core/types';
import { staleUploads, sweepReport, vaultReport } from './helpers/report-factory';

function totalsWith(report: SweepReport, totals: Partial<SweepReport['totals']>): SweepReport {
  return { ...report, totals: { ...report.totals, ...totals } };
}

describe('renderSubject', () => {
  it('says how many stale uploads were aborted in how many vaults, and where', () => {
    const report = sweepReport([
      vaultReport('alpha', { stale: staleUploads('alpha', 60, { oldestHours: 40 * 24 + 2 }), fresh: 77 }),
      vaultReport('beta', { stale: staleUploads('beta', 1, { oldestHours: 8 * 24 }), fresh: 2 }),
    ]);
    expect(renderSubject(report)).toBe('glacier-sweeper: 61 stale uploads aborted in 2 vaults (us-east-1)');
  });

  it('says only how many are stale in report mode', () => {
    const report = sweepReport(
      [
        vaultReport('a', { stale: staleUploads('a', 2, { outcome: 'reported' }) }),
        vaultReport('b', { stale: staleUploads('b', 1, { outcome: 'reported' }) }),
      ],
      { action: 'report' },
    );
    expect(renderSubject(report)).toBe('glacier-sweeper: 3 stale in 2 vaults (us-east-1)');
  });

  it('says when nothing is stale', () => {
    const report = sweepReport(['a', 'b', 'c', 'd', 'e'].map((v) => vaultReport(v)));
    expect(renderSubject(report)).toBe('glacier-sweeper: no stale uploads in 5 vaults (us-east-1)');
  });

  it('uses the singular for one', () => {
    const report = sweepReport([vaultReport('a', { stale: staleUploads('a', 1) })]);
    expect(renderSubject(report)).toBe('glacier-sweeper: 1 stale upload aborted in 1 vault (us-east-1)');
  });

  it('counts vault errors apart from the vaults swept', () => {
    const report = sweepReport(
      [
        vaultReport('a', { stale: staleUploads('a', 12, { outcome: 'reported' }) }),
        vaultReport('b', { stale: staleUploads('b', 5, { outcome: 'reported' }) }),
        vaultReport('c', { error: 'AccessDeniedException: not authorized' }),
      ],
      { action: 'report' },
    );
    expect(renderSubject(report)).toBe('glacier-sweeper: 17 stale in 2 vaults, 1 vault error (us-east-1)');
    const none = sweepReport([vaultReport('c', { error: 'x' }), vaultReport('d', { error: 'y' })]);
    expect(renderSubject(none)).toBe('glacier-sweeper: nothing swept, 2 vault errors (us-east-1)');
  });

  it('keeps the failures when space runs out, dropping detail first', () => {
    const report = sweepReport(
      [
        vaultReport('a', { stale: staleUploads('a', 7, { outcome: (i) => (i < 2 ? 'failed' : 'aborted') }) }),
        vaultReport('b', { error: 'AccessDeniedException: not authorized' }),
      ],
      { region: 'x' },
    );
    expect(renderSubject(report)).toBe(
      'glacier-sweeper: 7 stale, 5 aborted in 1 vault, 1 vault error, 2 abort failures (x)',
    );
    const long = { ...report, region: 'eu-west-1-with-a-long-name' };
    expect(renderSubject(long)).toBe(
      'glacier-sweeper: 7 stale, 1 vault error, 2 abort failures (eu-west-1-with-a-long-...)',
    );
  });

  it('names an incomplete run and a capped one', () => {
    const report = sweepReport(
      [
        vaultReport('a', {
          stale: staleUploads('a', 5, { outcome: (i) => (i < 3 ? 'aborted' : 'reported') }),
        }),
      ],
      { capped: true, complete: false },
    );
    expect(renderSubject(report)).toBe(
      'glacier-sweeper: 5 stale, 3 aborted in 1 vault, incomplete, max-aborts reached (us-east-1)',
    );
  });

  it('says max-aborts reached only when it stopped aborts, and when planning stopped early', () => {
    const reportMode = sweepReport(
      [vaultReport('a', { stale: staleUploads('a', 5, { outcome: 'reported' }) })],
      {
        action: 'report',
        capped: true,
      },
    );
    expect(renderSubject(reportMode)).toBe('glacier-sweeper: 5 stale in 1 vault (us-east-1)');
    const early = sweepReport([vaultReport('a', { stale: staleUploads('a', 2), planComplete: false })]);
    expect(renderSubject(early)).toBe(
      'glacier-sweeper: 2 stale uploads aborted in 1 vault, plan stopped early (us-east-1)',
    );
  });

  it('cuts a long region and drops non-ASCII from it', () => {
    const report = sweepReport([], { region: `é${'x'.repeat(60)}` });
    const subject = renderSubject(report);
    expect(subject).toBe(`glacier-sweeper: no stale uploads in 0 vaults (${'x'.repeat(22)}...)`);
  });

  it('stays under 100 ASCII characters without control characters for any numbers and region (property)', () => {
    const n = fc.integer({ min: 0, max: 1_000_000_000 });
    fc.assert(
      fc.property(
        fc.record({ vaults: n, stale: n, aborted: n, failed: n, vaultErrors: n, reported: n }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('report', 'abort') as fc.Arbitrary<'report' | 'abort'>,
        (totals, region, complete, capped, action) => {
          const report = totalsWith(sweepReport([], { region, complete, capped, action }), totals);
          const subject = renderSubject(report);
          expect(subject.length).toBeLessThan(100);
          expect(subject).toMatch(/^glacier-sweeper: [\x20-\x7e]+$/);
          if (totals.vaultErrors > 0) expect(subject).toContain('vault error');
          if (totals.failed > 0) expect(subject).toContain('abort failure');
        },
      ),
      { numRuns: 500 },
    );
  });
});
