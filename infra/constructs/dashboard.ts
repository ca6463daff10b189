import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { METRIC_DIMENSION_VAULT, METRIC_NAMESPACE, METRICS } from '../../lambda/core/defaults';

/** What the dashboard draws beside the sweeper's own metrics. */
export interface DashboardSources {
  readonly function: lambda.IFunction;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** The sweeper's dashboard, over 30 days, with the construct as scope (its logical id is the construct's). */
export function createDashboard(scope: Construct, sources: DashboardSources): cloudwatch.Dashboard {
  const day = Duration.days(1);
  // Per-vault figures carry only the Vault dimension; SEARCH draws one line per vault that has
  // ever reported, without the dashboard knowing the vault list (which lives in SSM).
  const perVault = (title: string, metricName: string, { statistic = 'Sum', width = 12 } = {}) =>
    new cloudwatch.GraphWidget({
      title,
      width,
      height: 6,
      period: day,
      left: [
        new cloudwatch.MathExpression({
          expression: `SEARCH('{${METRIC_NAMESPACE},${METRIC_DIMENSION_VAULT}} MetricName="${metricName}"', '${statistic}', ${day.toSeconds()})`,
          usingMetrics: {},
          label: '',
          period: day,
        }),
      ],
    });
  const total = (metricName: string, label: string) =>
    new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      statistic: 'Sum',
      period: day,
      label,
    });
  const fn = sources.function;
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.days(30),
  });
  dashboard.addWidgets(
    perVault('Uploads scanned per vault', METRICS.scanned),
    perVault('Stale uploads per vault', METRICS.stale),
  );
  dashboard.addWidgets(
    perVault('Uploads aborted per vault', METRICS.aborted),
    perVault('Abort failures per vault', METRICS.abortFailures),
  );
  dashboard.addWidgets(
    // A level, not a count: each run reports what the stale uploads hold, so summing runs would
    // count the same bytes twice on a day with a manual run.
    perVault('Bytes at stake in stale uploads per vault', METRICS.bytesAtStake, {
      statistic: 'Maximum',
      width: 24,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Runs',
      width: 12,
      height: 6,
      period: day,
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
        fn.metricInvocations({ period: day, statistic: 'Sum' }),
        fn.metricErrors({ period: day, statistic: 'Sum' }),
      ],
      right: [fn.metricDuration({ period: day, statistic: 'Maximum' })],
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
