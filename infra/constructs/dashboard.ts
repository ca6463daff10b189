import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { METRIC_DIMENSION_VAULT, METRIC_NAMESPACE, METRICS } from '../../lambda/core/defaults';

/** What the dashboard draws beside the sweeper's own metrics. */
export interface DashboardSources {
  readonly function: lambda.IFunction;
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** The function emits per-vault metrics (SWEEPER_VAULT_METRICS=on): one line per vault. */
  readonly perVaultMetrics: boolean;
}

const DAY = Duration.days(1);

/**
 * One graph of a sweeper figure: a line per vault (SEARCH over the Vault dimension, so the dashboard
 * needs no vault list, which lives in SSM) when the function emits per-vault metrics, else the run
 * total, the only series there is.
 */
function figure(
  title: string,
  metricName: string,
  { perVault, statistic = 'Sum', width = 12 }: { perVault: boolean; statistic?: string; width?: number },
): cloudwatch.GraphWidget {
  const series: cloudwatch.IMetric = perVault
    ? new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRIC_NAMESPACE},${METRIC_DIMENSION_VAULT}} MetricName="${metricName}"', '${statistic}', ${DAY.toSeconds()})`,
        usingMetrics: {},
        label: '',
        period: DAY,
      })
    : new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic, period: DAY });
  return new cloudwatch.GraphWidget({
    title: `${title} ${perVault ? 'per vault' : '(all vaults)'}`,
    width,
    height: 6,
    period: DAY,
    left: [series],
  });
}

/** The sweeper's dashboard, over 30 days, with the construct as scope (its logical id is the construct's). */
export function createDashboard(scope: Construct, sources: DashboardSources): cloudwatch.Dashboard {
  const perVault = sources.perVaultMetrics;
  const total = (metricName: string, label: string) =>
    new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      statistic: 'Sum',
      period: DAY,
      label,
    });
  const fn = sources.function;
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.days(30),
  });
  dashboard.addWidgets(
    figure('Uploads scanned', METRICS.scanned, { perVault }),
    figure('Stale uploads', METRICS.stale, { perVault }),
  );
  dashboard.addWidgets(
    figure('Uploads aborted', METRICS.aborted, { perVault }),
    figure('Abort failures', METRICS.abortFailures, { perVault }),
  );
  dashboard.addWidgets(
    // A level, not a count: each run reports what the stale uploads hold, so summing runs would
    // count the same bytes twice on a day with a manual run.
    figure('Bytes at stake in stale uploads', METRICS.bytesAtStake, {
      perVault,
      statistic: 'Maximum',
      width: 24,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Runs',
      width: 12,
      height: 6,
      period: DAY,
      left: [
        total(METRICS.runsCompleted, 'runs completed'),
        total(METRICS.vaultErrors, 'vault errors'),
        total(METRICS.anomalies, 'anomalies'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Function',
      width: 12,
      height: 6,
      left: [
        fn.metricInvocations({ period: DAY, statistic: 'Sum' }),
        fn.metricErrors({ period: DAY, statistic: 'Sum' }),
      ],
      right: [fn.metricDuration({ period: DAY, statistic: 'Maximum' })],
    }),
    new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      width: 24,
      height: 4,
      alarms: [...sources.alarms],
    }),
  );
  return dashboard;
}
