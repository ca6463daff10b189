import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION_VAULT, METRICS } from '../core/defaults';
import type { SweepReport, VaultReport } from '../core/types';

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
  const { totals } = report;
  metrics.addMetric(METRICS.scanned, MetricUnit.Count, totals.scanned);
  metrics.addMetric(METRICS.stale, MetricUnit.Count, totals.stale);
  metrics.addMetric(METRICS.aborted, MetricUnit.Count, totals.aborted);
  metrics.addMetric(METRICS.abortFailures, MetricUnit.Count, totals.failed);
  metrics.addMetric(METRICS.vaultErrors, MetricUnit.Count, totals.vaultErrors);
  metrics.addMetric(METRICS.anomalies, MetricUnit.Count, totals.anomalies);
  metrics.addMetric(METRICS.bytesAtStake, MetricUnit.Bytes, totals.bytesAtStake);
  // Only a run whose report reached SNS counts: the alarm on its absence is the dead-man's switch.
  if (options.runCompleted) metrics.addMetric(METRICS.runsCompleted, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
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
