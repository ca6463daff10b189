import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC_NAMESPACE, METRICS } from '../../lambda/core/defaults';

/** Share of the timeout past which a run's duration alarms: the sweep is about to be cut short. */
const DURATION_ALARM_RATIO = 0.8;

export type AlarmKey =
  | 'functionErrors'
  | 'failureQueue'
  | 'durationNearTimeout'
  | 'vaultErrors'
  | 'abortFailures'
  | 'noCompletedRun';

/** What the alarms watch, and where they report. */
export interface AlarmTargets {
  readonly function: lambda.IFunction;
  readonly failureQueue: sqs.IQueue;
  readonly topic: sns.ITopic;
  readonly timeout: Duration;
}

/**
 * The sweeper's alarms, each publishing to the topic. The sweeper's own metrics are watched as run
 * totals (no dimension), so every alarm works whatever the vault list is. Created with the
 * construct as scope: their logical ids are the construct's.
 */
export function createAlarms(scope: Construct, targets: AlarmTargets): Record<AlarmKey, cloudwatch.Alarm> {
  const action = new SnsAction(targets.topic);
  const runTotal = (metricName: string, period: Duration) =>
    new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic: 'Sum', period });
  const alarm = (id: string, props: cloudwatch.AlarmProps) => {
    const created = new cloudwatch.Alarm(scope, id, props);
    created.addAlarmAction(action);
    return created;
  };
  const fn = targets.function;
  const timeoutMs = targets.timeout.toMilliseconds();
  return {
    functionErrors: alarm('FunctionErrorsAlarm', {
      alarmDescription:
        'The sweep failed: a configuration error (the alert names the parameter) or its report could not be published. See the function log.',
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    failureQueue: alarm('FailureQueueAlarm', {
      alarmDescription:
        'A scheduled run was not delivered, or an invocation failed: its event is in the failure queue. Read it, fix the cause, then purge the queue.',
      metric: targets.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    durationNearTimeout: alarm('DurationAlarm', {
      alarmDescription: `A run took over ${DURATION_ALARM_RATIO * 100}% of the ${targets.timeout.toMinutes()}-minute timeout: vaults may be left incomplete. Raise the timeout or split the vaults.`,
      metric: fn.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: Math.round(timeoutMs * DURATION_ALARM_RATIO),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    vaultErrors: alarm('VaultErrorsAlarm', {
      alarmDescription:
        'A vault could not be listed (permissions, throttling, missing vault). The report names it.',
      metric: runTotal(METRICS.vaultErrors, Duration.hours(1)),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    abortFailures: alarm('AbortFailuresAlarm', {
      alarmDescription:
        'An abort failed after retries; the upload is still there. The report and the log list it.',
      metric: runTotal(METRICS.abortFailures, Duration.hours(1)),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }),
    // Missing data breaches: a sweeper that never runs, or dies before the end, sends nothing else.
    noCompletedRun: alarm('NoCompletedRunAlarm', {
      alarmDescription:
        'No sweep finished in two days: the schedule, the function or its configuration is broken. Expected right after the first deploy until the first run.',
      metric: runTotal(METRICS.runsCompleted, Duration.days(1)),
      threshold: 1,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }),
  };
}
