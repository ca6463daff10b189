import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emitFleetMetrics, emitRunMetrics } from '../../../lambda/adapters/metrics';
import type { FleetReport } from '../../../lambda/core/fleet-types';
import { totalsOf } from '../../../lambda/core/sweep';
import type { SweepReport, VaultReport } from '../../../lambda/core/types';
import { capturedMetrics, type EmfLine } from '../helpers/mock-aws';

function vault(name: string, counts: Partial<VaultReport>): VaultReport {
  return {
    vault: name,
    olderThan: '7d',
    scanned: 0,
    duplicates: 0,
    stale: 0,
    aborted: 0,
    gone: 0,
    failed: 0,
    skipped: 0,
    reported: 0,
    pending: 0,
    bytesAtStake: 0,
    unmeasured: 0,
    complete: true,
    planComplete: true,
    wouldAbort: 0,
    error: null,
    staleUploads: [],
    staleUploadsOmitted: 0,
    anomalies: [],
    anomaliesOmitted: 0,
    ...counts,
  };
}

function report(vaults: VaultReport[]): SweepReport {
  return {
    runId: 'run-1',
    startedAt: '2026-11-27T03:00:00.000Z',
    finishedAt: '2026-11-27T03:00:42.000Z',
    region: 'us-east-1',
    action: 'abort',
    olderThan: '7d',
    complete: vaults.every((v) => v.complete),
    planComplete: true,
    capped: false,
    totals: totalsOf(vaults),
    vaults,
  };
}

const REPORT = report([
  vault('alpha', {
    scanned: 137,
    stale: 60,
    aborted: 57,
    gone: 1,
    failed: 2,
    anomalies: [{ uploadId: 'x', createdAt: 'garbage', description: '' }],
    anomaliesOmitted: 4,
    bytesAtStake: 5_000_000,
  }),
  vault('beta', {
    scanned: 3,
    stale: 1,
    aborted: 0,
    reported: 1,
    complete: false,
    error: 'ThrottlingException: slow',
  }),
]);

const METRIC_NAMES = [
  'UploadsScanned',
  'StaleUploads',
  'UploadsAborted',
  'AbortFailures',
  'VaultErrors',
  'Anomalies',
  'BytesAtStake',
];

const directive = (line: EmfLine) => {
  const [only, ...rest] = line._aws.CloudWatchMetrics;
  expect(rest).toEqual([]);
  if (only === undefined) throw new Error('EMF line without a CloudWatchMetrics directive');
  return only;
};
const metricNames = (line: EmfLine) => directive(line).Metrics.map((m) => m.Name);
const values = (line: EmfLine, names: string[]) => Object.fromEntries(names.map((n) => [n, line[n]]));

let capture: ReturnType<typeof capturedMetrics>;

beforeEach(() => {
  capture = capturedMetrics();
});

afterEach(() => {
  capture.restore();
});

describe('emitRunMetrics', () => {
  it('with perVault, writes one line per vault with the Vault dimension only, then one run-total line without dimensions', () => {
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: true, perVault: true });

    const lines = capture.lines();
    expect(lines).toHaveLength(3);
    const [alpha, beta, run] = lines as [EmfLine, EmfLine, EmfLine];
    for (const line of lines) {
      expect(directive(line).Namespace).toBe('GlacierSweeper');
      expect(line).not.toHaveProperty('service');
      for (const metric of directive(line).Metrics) {
        expect(metric.Unit).toBe(metric.Name === 'BytesAtStake' ? 'Bytes' : 'Count');
      }
    }

    expect(directive(alpha).Dimensions).toEqual([['Vault']]);
    expect(alpha.Vault).toBe('alpha');
    expect(metricNames(alpha).sort()).toEqual([...METRIC_NAMES].sort());
    expect(values(alpha, METRIC_NAMES)).toEqual({
      UploadsScanned: 137,
      StaleUploads: 60,
      UploadsAborted: 57,
      AbortFailures: 2,
      VaultErrors: 0,
      Anomalies: 5,
      BytesAtStake: 5_000_000,
    });

    expect(directive(beta).Dimensions).toEqual([['Vault']]);
    expect(beta.Vault).toBe('beta');
    expect(values(beta, METRIC_NAMES)).toEqual({
      UploadsScanned: 3,
      StaleUploads: 1,
      UploadsAborted: 0,
      AbortFailures: 0,
      VaultErrors: 1,
      Anomalies: 0,
      BytesAtStake: 0,
    });

    expect(directive(run).Dimensions.flat()).toEqual([]);
    expect(run).not.toHaveProperty('Vault');
    expect(metricNames(run).sort()).toEqual([...METRIC_NAMES, 'RunsCompleted'].sort());
    expect(values(run, [...METRIC_NAMES, 'RunsCompleted'])).toEqual({
      UploadsScanned: 140,
      StaleUploads: 61,
      UploadsAborted: 57,
      AbortFailures: 2,
      VaultErrors: 1,
      Anomalies: 5,
      BytesAtStake: 5_000_000,
      RunsCompleted: 1,
    });
  });

  it('omits RunsCompleted when the run did not complete (report not published)', () => {
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: false, perVault: true });

    const lines = capture.lines();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(metricNames(line)).not.toContain('RunsCompleted');
      expect(line).not.toHaveProperty('RunsCompleted');
    }
    expect((lines[2] as EmfLine).UploadsScanned).toBe(140);
  });

  it('writes only the run-total line when there are no vaults', () => {
    emitRunMetrics(capture.metrics, report([]), { runCompleted: true, perVault: true });

    const lines = capture.lines();
    expect(lines).toHaveLength(1);
    expect(directive(lines[0] as EmfLine).Dimensions.flat()).toEqual([]);
    expect(values(lines[0] as EmfLine, ['UploadsScanned', 'RunsCompleted'])).toEqual({
      UploadsScanned: 0,
      RunsCompleted: 1,
    });
  });

  it('without perVault, writes only the run-total line: no Vault dimension, the same totals', () => {
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: true, perVault: false });

    const lines = capture.lines();
    expect(lines).toHaveLength(1);
    const [run] = lines as [EmfLine];
    expect(directive(run).Namespace).toBe('GlacierSweeper');
    expect(directive(run).Dimensions.flat()).toEqual([]);
    expect(run).not.toHaveProperty('Vault');
    expect(run).not.toHaveProperty('service');
    expect(values(run, [...METRIC_NAMES, 'RunsCompleted'])).toEqual({
      UploadsScanned: 140,
      StaleUploads: 61,
      UploadsAborted: 57,
      AbortFailures: 2,
      VaultErrors: 1,
      Anomalies: 5,
      BytesAtStake: 5_000_000,
      RunsCompleted: 1,
    });
  });

  it('without perVault, still leaves RunsCompleted out of a run whose report was not published', () => {
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: false, perVault: false });

    const lines = capture.lines();
    expect(lines).toHaveLength(1);
    expect(metricNames(lines[0] as EmfLine).sort()).toEqual([...METRIC_NAMES].sort());
  });

  it('turns per-vault lines on and off between runs of one warm container without leaking the Vault dimension', () => {
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: true, perVault: true });
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: true, perVault: false });

    const lines = capture.lines();
    expect(lines.map((line) => directive(line).Dimensions.flat())).toEqual([['Vault'], ['Vault'], [], []]);
    expect(lines[3]).not.toHaveProperty('Vault');
  });

  it('keeps the dimensions clean across runs with the same Metrics instance (a warm container)', () => {
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: true, perVault: true });
    emitRunMetrics(capture.metrics, REPORT, { runCompleted: true, perVault: true });

    const lines = capture.lines();
    expect(lines).toHaveLength(6);
    expect(lines.map((line) => directive(line).Dimensions.flat())).toEqual([
      ['Vault'],
      ['Vault'],
      [],
      ['Vault'],
      ['Vault'],
      [],
    ]);
    for (const line of lines) expect(line).not.toHaveProperty('service');
  });
});

describe('emitFleetMetrics', () => {
  const totals = (scanned: number, stale: number, aborted: number) => ({
    ...totalsOf([]),
    scanned,
    stale,
    aborted,
    failed: 1,
    vaultErrors: 2,
    anomalies: 3,
    bytesAtStake: 4,
  });
  // The fields the metrics read; the rest of a fleet report plays no part here.
  const fleet = {
    totals: { ...totals(30, 6, 5), targetErrors: 7 },
    accounts: [
      { account: '111111111111', totals: totals(10, 2, 1) },
      { account: '222222222222', totals: totals(20, 4, 4) },
    ],
    vaults: [{ account: '111111111111', region: 'eu-west-1', vault: 'a', stale: 2, aborted: 1 }],
  } as unknown as FleetReport;

  it('writes each account totals under Account, then the run totals with TargetErrors and RunsCompleted', () => {
    emitFleetMetrics(capture.metrics, fleet, { perVault: false, perAccount: true });
    const lines = capture.lines();
    expect(lines.map((line) => directive(line).Dimensions)).toEqual([[['Account']], [['Account']], []]);
    const [first, second, run] = lines as [EmfLine, EmfLine, EmfLine];
    expect([first.Account, second.Account]).toEqual(['111111111111', '222222222222']);
    expect(values(second, METRIC_NAMES)).toEqual({
      UploadsScanned: 20,
      StaleUploads: 4,
      UploadsAborted: 4,
      AbortFailures: 1,
      VaultErrors: 2,
      Anomalies: 3,
      BytesAtStake: 4,
    });
    expect(run).not.toHaveProperty('Account');
    expect(values(run, [...METRIC_NAMES, 'TargetErrors', 'RunsCompleted'])).toEqual({
      UploadsScanned: 30,
      StaleUploads: 6,
      UploadsAborted: 5,
      AbortFailures: 1,
      VaultErrors: 2,
      Anomalies: 3,
      BytesAtStake: 4,
      TargetErrors: 7,
      RunsCompleted: 1,
    });
  });

  it('per vault only when opted in: stale and aborted under Account, Region and Vault', () => {
    emitFleetMetrics(capture.metrics, fleet, { perVault: true, perAccount: true });
    const lines = capture.lines();
    expect(lines).toHaveLength(4);
    const vaultLine = lines[2] as EmfLine;
    expect(directive(vaultLine).Dimensions).toEqual([['Account', 'Region', 'Vault']]);
    expect(values(vaultLine, ['Account', 'Region', 'Vault', 'StaleUploads', 'UploadsAborted'])).toEqual({
      Account: '111111111111',
      Region: 'eu-west-1',
      Vault: 'a',
      StaleUploads: 2,
      UploadsAborted: 1,
    });
    expect(metricNames(vaultLine).sort()).toEqual(['StaleUploads', 'UploadsAborted']);
    expect(directive(lines[3] as EmfLine).Dimensions).toEqual([]);
  });

  it('without per-account metrics, writes the run line alone (the one the alarms watch)', () => {
    emitFleetMetrics(capture.metrics, fleet, { perVault: false, perAccount: false });
    const lines = capture.lines();
    expect(lines).toHaveLength(1);
    expect(directive(lines[0] as EmfLine).Dimensions).toEqual([]);
    expect(values(lines[0] as EmfLine, ['UploadsScanned', 'TargetErrors', 'RunsCompleted'])).toEqual({
      UploadsScanned: 30,
      TargetErrors: 7,
      RunsCompleted: 1,
    });
  });
});
