import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION_VAULT, METRICS } from '../core/defaults';
import type { FleetReport } from '../core/fleet-types';
import type { ReportTotals, SweepReport, VaultReport } from '../core/types';

/**
 * Emits the contract's EMF metrics: the run totals with no dimension (the alarms watch those), and,
 * when `perVault` is set (SWEEPER_VAULT_METRICS=on), the same figures per vault with the `Vault`
 * dimension first. Each vault adds 7 custom metrics to the bill, so per-vault figures are opt-in; the
 * report and the log carry them either way. Powertools' default `service` dimension is cleared so
 * the names match.
 */
export function emitRunMetrics(
  metrics: Metrics,
  report: SweepReport,
  options: { runCompleted: boolean; perVault: boolean },
): void {
  metrics.clearDefaultDimensions();
  if (options.perVault) {
    for (const vault of report.vaults) emitVaultMetrics(metrics, vault);
  }
  // Only a run whose report reached SNS counts: the alarm on its absence is the dead-man's switch.
  emitTotals(metrics, report.totals, {}, options.runCompleted ? { [METRICS.runsCompleted]: 1 } : {});
}

/**
 * One EMF line of the seven totals figures, under `dimensions` (none: the run's), with the `extra`
 * counts of the same line (RunsCompleted, the fleet's TargetErrors).
 */
function emitTotals(
  metrics: Metrics,
  totals: ReportTotals,
  dimensions: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, number>> = {},
): void {
  for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
  metrics.addMetric(METRICS.scanned, MetricUnit.Count, totals.scanned);
  metrics.addMetric(METRICS.stale, MetricUnit.Count, totals.stale);
  metrics.addMetric(METRICS.aborted, MetricUnit.Count, totals.aborted);
  metrics.addMetric(METRICS.abortFailures, MetricUnit.Count, totals.failed);
  metrics.addMetric(METRICS.vaultErrors, MetricUnit.Count, totals.vaultErrors);
  metrics.addMetric(METRICS.anomalies, MetricUnit.Count, totals.anomalies);
  metrics.addMetric(METRICS.bytesAtStake, MetricUnit.Bytes, totals.bytesAtStake);
  for (const [name, value] of Object.entries(extra)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
}

/** The fleet's EMF dimensions (the contract's fleet metrics). */
export const FLEET_DIMENSION = { account: 'Account', region: 'Region', vault: 'Vault' } as const;
export const FLEET_TARGET_ERRORS = 'TargetErrors';

/**
 * The fleet's metrics: the totals of each account (dimension Account) unless opted out, per vault only when opted in
 * (Account, Region, Vault: stale and aborted), then the run's totals with no dimension, TargetErrors
 * and RunsCompleted (the alarms watch that line).
 */
export function emitFleetMetrics(
  metrics: Metrics,
  report: FleetReport,
  options: { perVault: boolean; perAccount: boolean },
): void {
  metrics.clearDefaultDimensions();
  if (options.perAccount)
    for (const account of report.accounts)
      emitTotals(metrics, account.totals, { [FLEET_DIMENSION.account]: account.account });
  if (options.perVault) {
    for (const vault of report.vaults) {
      metrics.addDimension(FLEET_DIMENSION.account, vault.account);
      metrics.addDimension(FLEET_DIMENSION.region, vault.region);
      metrics.addDimension(FLEET_DIMENSION.vault, vault.vault);
      metrics.addMetric(METRICS.stale, MetricUnit.Count, vault.stale);
      metrics.addMetric(METRICS.aborted, MetricUnit.Count, vault.aborted);
      metrics.publishStoredMetrics();
    }
  }
  emitTotals(
    metrics,
    report.totals,
    {},
    { [FLEET_TARGET_ERRORS]: report.totals.targetErrors, [METRICS.runsCompleted]: 1 },
  );
}

/** One EMF line for one vault; publishing clears the Vault dimension again for the next one. */
function emitVaultMetrics(metrics: Metrics, vault: VaultReport): void {
  metrics.addDimension(METRIC_DIMENSION_VAULT, vault.vault);
  metrics.addMetric(METRICS.scanned, MetricUnit.Count, vault.scanned);
  metrics.addMetric(METRICS.stale, MetricUnit.Count, vault.stale);
  metrics.addMetric(METRICS.aborted, MetricUnit.Count, vault.aborted);
  metrics.addMetric(METRICS.abortFailures, MetricUnit.Count, vault.failed);
  metrics.addMetric(METRICS.vaultErrors, MetricUnit.Count, vault.error === null ? 0 : 1);
  metrics.addMetric(METRICS.anomalies, MetricUnit.Count, vault.anomalies.length + vault.anomaliesOmitted);
  metrics.addMetric(METRICS.bytesAtStake, MetricUnit.Bytes, vault.bytesAtStake);
  metrics.publishStoredMetrics();
}
