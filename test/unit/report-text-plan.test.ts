import { describe, expect, it } from 'vitest';
import { renderText } from '../../lambda/core/report-text';
import { staleUploads, sweepReport, vaultReport } from './helpers/report-factory';

const ctx = { account: '123456789012' };
const MIB = 1_048_576;

/** The lines of the text from a heading up to the next blank line. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start, end === -1 ? undefined : end);
}

describe('renderText tells the truth about the plan', () => {
  it('says the other vaults were swept only when some were', () => {
    const some = sweepReport([vaultReport('a'), vaultReport('b', { error: 'ThrottlingException: slow' })]);
    expect(section(renderText(some, ctx), 'Vault errors')[0]).toBe(
      'Vault errors (the other vaults were swept)',
    );
    const all = sweepReport([vaultReport('b', { error: 'ThrottlingException: slow' })]);
    expect(section(renderText(all, ctx), 'Vault errors')[0]).toBe('Vault errors (no vault could be swept)');
  });

  it('in abort mode puts the bytes freed beside the bytes at stake', () => {
    const report = sweepReport([
      vaultReport('a', {
        stale: staleUploads('a', 4, {
          outcome: (i) => (i < 3 ? 'aborted' : 'failed'),
          bytesUploaded: 128 * MIB,
        }),
      }),
    ]);
    const summary = renderText(report, ctx).split('\n')[1];
    expect(summary).toContain('512 MiB at stake · 384 MiB freed');
    const reportMode = sweepReport(
      [vaultReport('a', { stale: staleUploads('a', 2, { outcome: 'reported', bytesUploaded: MIB }) })],
      { action: 'report' },
    );
    expect(renderText(reportMode, ctx)).not.toContain('freed');
  });

  it('gives the reason of each pending row', () => {
    const report = sweepReport([
      vaultReport('a', {
        stale: staleUploads('a', 2, {
          outcome: 'pending',
          eligibleAt: '2026-11-29T03:00:00.000Z',
          reason: (i) => (i === 0 ? 'first seen by this run' : 'parts changed since the last run'),
        }),
      }),
    ]);
    const [, header, ...rows] = section(renderText(report, ctx), 'Oldest stale uploads');
    expect(header).toMatch(/OUTCOME\s+REASON\s+DESCRIPTION/);
    expect(rows[0]).toMatch(/pending until 2026-11-29 03:00\s+first seen by this run\s/);
    expect(rows[1]).toMatch(/pending until 2026-11-29 03:00\s+parts changed since the last run\s/);
    expect(rows).toHaveLength(2);
  });

  it('in report mode says what abort mode with these settings would abort, its bytes and how many unmeasured', () => {
    const report = sweepReport(
      [
        vaultReport('a', {
          stale: [
            ...staleUploads('a', 3, { outcome: 'reported', wouldAbort: true, bytesUploaded: 512 * MIB }),
            ...staleUploads('a2', 1, { outcome: 'reported', wouldAbort: true, oldestHours: 500 }),
            ...staleUploads('a3', 2, { outcome: 'reported', wouldAbort: false, oldestHours: 400 }),
          ],
        }),
      ],
      { action: 'report', capped: true },
    );
    const text = renderText(report, ctx);
    expect(text).toContain('abort mode with these settings would abort 4 uploads (1.5 GiB; 1 not measured)');
    expect(text).toContain('max-aborts');
    expect(text).not.toContain('max-aborts reached: ');
  });

  it('says when planning stopped early and the run acted on what it had planned', () => {
    const report = sweepReport([
      vaultReport('a', { stale: staleUploads('a', 2) }),
      vaultReport('b', { stale: staleUploads('b', 1), planComplete: false, complete: false }),
    ]);
    const text = renderText(report, ctx);
    expect(text).toContain(
      'Planning stopped early: its share of the time budget ran out before 1 of 2 vaults was fully planned (listed and measured); the run acted on what it had planned, and the next run sees the rest.',
    );
    expect(renderText(sweepReport([vaultReport('a')]), ctx)).not.toContain('Planning stopped early');
  });
});
