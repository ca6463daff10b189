import { describe, expect, it } from 'vitest';
import { renderText } from '../../lambda/core/report-text';
import { staleUploads, sweepReport, vaultReport } from './helpers/report-factory';

const ctx = { account: '123456789012' };
const MIB = 1_048_576;

describe('renderText with activity-aware abort and bytes at stake', () => {
  const eligibleAt = '2026-11-29T03:00:00.000Z';
  const report = sweepReport([
    vaultReport('alpha', {
      stale: staleUploads('alpha', 3, { outcome: 'pending', eligibleAt, bytesUploaded: 5 * MIB }),
    }),
    vaultReport('beta', { stale: staleUploads('beta', 2, { outcome: 'aborted', bytesUploaded: 1024 }) }),
  ]);
  const text = renderText(report, ctx);

  it('counts pending uploads and bytes at stake in the summary', () => {
    expect(text).toContain('3 pending');
    // 15 MiB and 2 KiB: the same "15 MiB" as in the vault table, not "15.0 MiB".
    expect(text).toContain('15 MiB at stake');
  });

  it('explains what pending means', () => {
    expect(text).toContain('Quiet period: 3 stale uploads are pending');
  });

  it('adds PENDING and AT STAKE columns to the vault table', () => {
    const header = text.split('\n').find((line) => line.startsWith('VAULT') && line.includes('SCANNED'));
    expect(header).toMatch(/PENDING\s+AT STAKE\s+STATUS/);
    const alpha = text.split('\n').find((line) => line.startsWith('alpha '));
    expect(alpha).toMatch(/\b3\s+15 MiB\s+complete$/);
  });

  it('shows each upload’s bytes and when a pending one becomes eligible', () => {
    expect(text).toMatch(/UPLOADED\s+OUTCOME/);
    expect(text).toContain('pending until 2026-11-29 03:00');
    expect(text).toMatch(/1 KiB\s+aborted/);
  });

  it('says how many stale uploads were not measured, and leaves the columns out when none was', () => {
    const partial = renderText(
      sweepReport([
        vaultReport('gamma', {
          stale: [...staleUploads('gamma', 1, { bytesUploaded: MIB }), ...staleUploads('g2', 2)],
        }),
      ]),
      ctx,
    );
    expect(partial).toContain('2 stale uploads were not measured');
    const none = renderText(sweepReport([vaultReport('delta', { stale: staleUploads('delta', 2) })]), ctx);
    expect(none).not.toContain('AT STAKE');
    expect(none).not.toContain('UPLOADED');
    expect(none).not.toContain('at stake');
  });
});
