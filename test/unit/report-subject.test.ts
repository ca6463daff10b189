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

  it('says "found" in report mode', () => {
    const report = sweepReport(
      [
        vaultReport('a', { stale: staleUploads('a', 2, { outcome: 'reported' }) }),
        vaultReport('b', { stale: staleUploads('b', 1, { outcome: 'reported' }) }),
      ],
      { action: 'report' },
    );
    expect(renderSubject(report)).toBe('glacier-sweeper: 3 stale uploads found in 2 vaults (us-east-1)');
  });

  it('says when nothing is stale', () => {
    const report = sweepReport(['a', 'b', 'c', 'd', 'e'].map((v) => vaultReport(v)));
    expect(renderSubject(report)).toBe('glacier-sweeper: no stale uploads in 5 vaults (us-east-1)');
  });

  it('uses the singular for one', () => {
    const report = sweepReport([vaultReport('a', { stale: staleUploads('a', 1) })]);
    expect(renderSubject(report)).toBe('glacier-sweeper: 1 stale upload aborted in 1 vault (us-east-1)');
  });

  it('puts failures first, dropping detail rather than the failures when space runs out', () => {
    const report = sweepReport(
      [
        vaultReport('a', { stale: staleUploads('a', 7, { outcome: (i) => (i < 2 ? 'failed' : 'aborted') }) }),
        vaultReport('b', { error: 'AccessDeniedException: not authorized' }),
      ],
      { region: 'eu-west-1' },
    );
    expect(renderSubject(report)).toBe(
      'glacier-sweeper: 1 vault error, 2 abort failures, 7 stale uploads (eu-west-1)',
    );
    const short = { ...report, region: 'x' };
    expect(renderSubject(short)).toBe(
      'glacier-sweeper: 1 vault error, 2 abort failures, 7 stale uploads, 5 aborted in 2 vaults (x)',
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
      'glacier-sweeper: incomplete, max-aborts reached, 5 stale uploads, 3 aborted in 1 vault (us-east-1)',
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
