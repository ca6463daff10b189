import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSION_VAULT, METRICS } from '../core/defaults';
import type { SweepReport } from '../core/types';

/**
 * Emits the contract's EMF metrics: per vault with the `Vault` dimension, run totals with no dimension
 * (the alarms watch those). Powertools' default `service` dimension is cleared so the names match.
 */
export function emitRunMetrics(
  metrics: Metrics,
  report: SweepReport,
  options: { runCompleted: boolean },
): void {
  metrics.clearDefaultDimensions();
  for (const vault of report.vaults) {
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
