/**
 * docs/report.schema.json is what a subscriber can validate against: a real run's report passes, and
 * the schema is strict enough to catch a field that appears, goes missing or changes type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../lambda/core/types';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../local/emulator';
import { expectValidReport } from './helpers/report-schema';
import { configure, reportOf, sweep } from './helpers/scenario';

let emu: Emulator;
let report: SweepReport;

beforeAll(async () => {
  emu = await startEmulator();
  emu.seed({
    vaults: [
      {
        name: 'backups',
        uploads: makeUploads(60, {
          createdAt: (i) => (i === 0 ? 'garbage' : daysAgo(i % 3 === 0 ? 30 : 1)),
          description: (i) => `nightly ${i}`,
        }),
      },
    ],
  });
  const topic = configure(emu, {
    vaults: 'backups,missing',
    action: 'abort',
    'max-aborts': '3',
    exclude: '^nightly 3$',
  });
  report = reportOf(await sweep(emu, topic));
});

afterAll(async () => {
  await emu.stop();
});

describe('docs/report.schema.json', () => {
  it('accepts the report of a real run with aborted, skipped, reported and anomalous uploads and a vault error', () => {
    expect(report.totals).toMatchObject({ stale: 19, aborted: 3, skipped: 1, reported: 15 });
    expect(report.totals.anomalies).toBe(1);
    expect(report.totals.vaultErrors).toBe(1);
    expect(() => expectValidReport(report)).not.toThrow();
  });

  it('refuses a field it does not list, at every level', () => {
    const vault = report.vaults[0] as SweepReport['vaults'][number];
    const upload = vault.staleUploads[0] as SweepReport['vaults'][number]['staleUploads'][number];
    const variants: unknown[] = [
      { ...report, extra: 1 },
      { ...report, totals: { ...report.totals, extra: 1 } },
      { ...report, vaults: [{ ...vault, extra: 1 }] },
      { ...report, vaults: [{ ...vault, staleUploads: [{ ...upload, extra: 1 }] }] },
    ];
    for (const variant of variants) expect(() => expectValidReport(variant)).toThrow(/additional properties/);
  });

  it('refuses a report missing a required field or with a value of the wrong kind', () => {
    const { duplicates: _dropped, ...totals } = report.totals;
    expect(() => expectValidReport({ ...report, totals })).toThrow(/duplicates/);
    expect(() => expectValidReport({ ...report, action: 'delete' })).toThrow(/action/);
    expect(() => expectValidReport({ ...report, startedAt: 'yesterday' })).toThrow(/startedAt/);
    expect(() => expectValidReport({ ...report, totals: { ...report.totals, stale: -1 } })).toThrow(/stale/);
  });
});
