import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../lambda/core/fleet-types';
import { OUTCOMES } from '../../../lambda/core/types';
import { type Emulator, startEmulator } from '../../../local/emulator';
import {
  ACCOUNT_B,
  ACCOUNT_C,
  ACCOUNT_DENIED,
  BIG_VAULT,
  BIG_VAULT_UPLOADS,
  fleetDemoParameters,
} from '../../../local/fleet/demo';
import type { LocalFleetOptions } from '../../../local/fleet/run';
import { synthesizeFleet } from '../../../local/fleet/synth';
import { expectValidReport } from '../helpers/report-schema';
import { runFleet } from './helpers';

let emu: Emulator;
const synthesized = synthesizeFleet({ workerMaxPages: '150' });
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

/** One run on the demo fleet; the helper checks the invariants and the schema on every report. */
const run = (settings: Record<string, string>, extra: Partial<LocalFleetOptions> = {}) =>
  runFleet(emu, synthesized, settings, extra);

/** The emulator's record: every upload aborted, by account/region/vault/id. */
const abortedIds = () =>
  emu
    .requests({ operation: 'AbortMultipartUpload' })
    .filter((r) => r.status === 204)
    .map((r) => `${r.accountId}/${r.region}/${r.vault}/${r.uploadId}`)
    .sort();

function checkCounts(report: FleetReport): void {
  for (const v of report.vaults) {
    const sum = OUTCOMES.reduce((n, o) => n + v[o], 0);
    expect(sum, `${v.account}/${v.region}/${v.vault}: stale = Σ outcomes`).toBe(v.stale);
    expect(new Set(v.staleUploads.map((s) => s.uploadId)).size, 'no upload twice').toBe(
      v.staleUploads.length,
    );
  }
  expect(OUTCOMES.reduce((n, o) => n + report.totals[o], 0)).toBe(report.totals.stale);
}

describe('the fleet state machine, as synthesized, on aws-local-stepfunctions against the emulator', () => {
  it('aborts the oldest eligible uploads of the whole fleet up to max-aborts; the denied account and the tagged vault are kept apart', async () => {
    const { result, report } = await run({ action: 'abort', 'max-aborts': '50' });
    expect(result.error).toBeUndefined();
    if (report === undefined) throw new Error('no report in S3');
    checkCounts(report);

    // The exact targets in each state: a catch-all could not hide an engine failure here.
    expect(
      report.targets.filter((t) => t.status !== 'swept').map((t) => `${t.account}/${t.region}:${t.status}`),
    ).toEqual([`${ACCOUNT_DENIED}/us-east-1:no-spoke`, `${ACCOUNT_DENIED}/eu-west-1:no-spoke`]);
    expect(report.totals).toMatchObject({
      targets: 6,
      targetErrors: 0,
      noSpoke: 2,
      vaultErrors: 0,
      skippedByTag: 1,
    });

    // The tagged vault: one ListTagsForVault, nothing else; all of its uploads are there.
    expect(emu.requests({ vault: 'legal-hold' }).map((r) => r.operation)).toEqual(['ListTagsForVault']);
    expect(emu.uploads('legal-hold', { accountId: ACCOUNT_B, region: 'us-east-1' })).toHaveLength(3);

    // The big vault: 400 pages over 3 worker invocations, each upload scanned once.
    const big = report.vaults.find((v) => v.vault === BIG_VAULT);
    expect(big).toMatchObject({ scanned: BIG_VAULT_UPLOADS, duplicates: 0, stale: 200, complete: true });
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: BIG_VAULT })).toHaveLength(400);
    expect(result.invocations['sweep-vault']).toBe(3 + 3);

    // Picks ≤ max-aborts, nothing aborted that was not picked, and the picks are the oldest eligible.
    const aborted = abortedIds();
    expect(aborted).toHaveLength(50);
    expect(report.totals.aborted).toBe(50);
    const stale = report.vaults.flatMap((v) =>
      v.staleUploads.filter((s) => s.outcome !== 'skipped' && s.outcome !== 'pending').map((s) => ({ v, s })),
    );
    stale.sort((a, b) => Date.parse(a.s.createdAt) - Date.parse(b.s.createdAt));
    const oldest = stale.slice(0, 50).map(({ v, s }) => `${v.account}/${v.region}/${v.vault}/${s.uploadId}`);
    expect(aborted).toEqual(oldest.sort());
    expect(report.capped).toBe(true);
    // The schema is strict for fleet reports too.
    expect(() => expectValidReport({ ...report, extra: 1 })).toThrow(/additional properties/);
    expect(() => expectValidReport({ ...report, vaults: [{ ...report.vaults[0], account: 'x' }] })).toThrow(
      /account/,
    );
  });

  it('report mode aborts nothing and says how many the same settings would abort', async () => {
    const { result, report } = await run({ action: 'report', 'max-aborts': '50' });
    expect(result.error).toBeUndefined();
    expect(abortedIds()).toEqual([]);
    expect(result.invocations.act ?? 0).toBe(0);
    expect(report?.totals).toMatchObject({ aborted: 0, wouldAbort: 50 });
    const email = JSON.parse(emu.published()[0]?.message ?? '{}').email as string;
    expect(email).toContain('would abort 50');
    expect(email).toContain(`${ACCOUNT_DENIED} us-east-1: no spoke role`);
  });

  it('action switched to report between Survey and Act: every pick is reported (the kill switch)', async () => {
    const { result, report } = await run(
      { action: 'abort', 'max-aborts': '10' },
      {
        onStateEntered: (name) => {
          if (name === 'ActOnPicks') emu.seed(fleetDemoParameters({ action: 'report' }));
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(abortedIds()).toEqual([]);
    expect(report?.totals.aborted).toBe(0);
    if (report) checkCounts(report);
  });

  it('a worker crash is a vault error there; every other vault and target completes', async () => {
    const { result, report } = await run(
      { action: 'abort', 'max-aborts': '5' },
      {
        wrap: {
          'sweep-vault': async (input, real) => {
            const event = input as { account: string; region: string; failure?: unknown };
            if (event.account === ACCOUNT_C && event.region === 'us-east-1' && event.failure === undefined)
              throw Object.assign(new Error('worker crashed'), { name: 'WorkerCrash' });
            return real(input);
          },
        },
      },
    );
    expect(result.error).toBeUndefined();
    const errored = report?.vaults
      .filter((v) => v.error !== null)
      .map((v) => `${v.account}/${v.region}/${v.vault}`);
    expect(errored).toEqual([`${ACCOUNT_C}/us-east-1/backups`]);
    expect(report?.vaults.find((v) => v.vault === BIG_VAULT)?.complete).toBe(true);
    expect(abortedIds()).toHaveLength(5);
  });

  it('a bad accounts value: a configuration error naming it, nothing listed, one alert, the execution fails', async () => {
    const { result } = await run({ accounts: '12345' });
    expect(result.error?.message).toContain('/glacier-sweeper-fleet/accounts');
    expect(emu.requests({ service: 'glacier' })).toEqual([]);
    expect(emu.published()).toHaveLength(1);
  });

  it('another execution still running: Plan ends this one at once, with an alert', async () => {
    const { result } = await run({ action: 'abort' }, { running: ['other-run'] });
    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ outcome: 'overlapping-run' });
    expect(emu.requests({ service: 'glacier' })).toEqual([]);
    expect(emu.published()).toHaveLength(1);
    expect(emu.published()[0]).toMatchObject({
      subject: 'glacier-sweeper fleet: run ended at once, another execution is running, nothing aborted',
      attributes: { kind: 'alert' },
    });
    expect(emu.published()[0]?.message).toContain('other-run');
  });
});
