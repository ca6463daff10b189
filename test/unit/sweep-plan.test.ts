import { describe, expect, it } from 'vitest';
import { parseSettings, type RawSettings, ssmNames } from '../../lambda/core/settings';
import { sweepRun } from '../../lambda/core/sweep';
import type { SweepReport, Upload } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');

function run(api: FakeVaultApi, raw: RawSettings, extra: Partial<Parameters<typeof sweepRun>[0]> = {}) {
  return sweepRun({
    api,
    settings: parseSettings(raw, ssmNames('/p')),
    clock: () => NOW,
    deadline: NOW + 600_000,
    vaultConcurrency: 4,
    abortConcurrency: 8,
    runId: 'r',
    region: 'us-east-1',
    ...extra,
  });
}

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
