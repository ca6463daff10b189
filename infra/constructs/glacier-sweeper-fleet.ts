import { Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  ACCOUNTS_ORGANIZATION,
  ENV,
  FLEET_PARAM,
  METRICS,
  PARAM,
  SERVICE_NAME,
} from '../../lambda/core/defaults';
import { fleetSsmNames, parseFleetSettings } from '../../lambda/core/fleet-settings';
import { ConfigError } from '../../lambda/core/settings';
import type { Action, Notify } from '../../lambda/core/types';
import {
  DEFAULT_FLEET_SSM_PREFIX,
  FLEET_ENV,
  FLEET_METRIC_NAMESPACE,
  FLEET_STATE_MACHINE_NAME,
  HUB_WORKER_ROLE_NAME,
  SPOKE_ROLE_NAME,
} from '../../lambda/fleet/names';
import { bundledFunction } from './bundled-function';
import { buildFleetDefinition, type FleetStep } from './fleet-state-machine';
import { acknowledgeWildcardResources, flattenReference } from './nag';
import { allowAlarmsToPublish } from './permissions';
import { invalidProp } from './resolve-props';
import { grantUploadHistory, uploadHistoryTable } from './upload-history';

/**
 * Props of {@link GlacierSweeperFleet}: the hub.
 *
 * The first group sets the *initial* values of the SSM parameters under `ssmPrefix`, which every run
 * reads (docs/FLEET.md, "Settings"): operators change them with `aws ssm put-parameter` and no deploy.
 * Every prop is checked at synth, the settings by the parser the run uses; a bad value fails synth
 * with `GlacierSweeperFleet: invalid prop <name>: …`, naming the setting or the prop.
 */
export interface GlacierSweeperFleetProps {
  /**
   * Initial `accounts` parameter: `organization` (every ACTIVE account of the Organization) or
   * 12-digit account ids, as one comma-separated string or an array.
   *
   * @default 'organization'
   */
  readonly accounts?: string | readonly string[];

  /**
   * Initial `exclude-accounts` parameter: accounts never swept.
   *
   * @default - none (no parameter)
   */
  readonly excludeAccounts?: readonly string[];

  /**
   * Initial `abort-accounts` parameter: abort only in these accounts and report everywhere else (the
   * staged rollout).
   *
   * @default - every account (no parameter)
   */
  readonly abortAccounts?: readonly string[];

  /**
   * Initial `regions` parameter: the regions swept in every account.
   *
   * @default - the hub stack's region
   */
  readonly regions?: readonly string[];

  /**
   * Initial `vaults` parameter: vault names (each optionally `name=DURATION`), comma-separated, or `*`
   * for every vault of every target.
   *
   * @default '*'
   */
  readonly vaults?: string;

  /**
   * Initial `older-than` parameter: the default threshold of a stale upload (24h to 3650d).
   *
   * @default '7d'
   */
  readonly olderThan?: string;

  /**
   * Initial `action` parameter: `report` or `abort`.
   *
   * @default 'report'
   */
  readonly action?: Action;

  /**
   * Initial `max-aborts` parameter: most aborts in one fleet run, across every target, oldest first.
   *
   * @default 1000
   */
  readonly maxAborts?: number;

  /**
   * Initial `exclude` parameter: uploads whose description or id match this pattern (RE2 syntax) are
   * never touched.
   *
   * @default - none (no parameter)
   */
  readonly exclude?: string;

  /**
   * Initial `notify` parameter: `findings` (publish when something is stale or failed) or `always`.
   *
   * @default 'findings'
   */
  readonly notify?: Notify;

  /**
   * Initial `quiet-period` parameter: abort only uploads whose parts have not changed for this long.
   *
   * @default - none (no parameter)
   */
  readonly quietPeriod?: string;

  /**
   * Initial `max-list-parts` parameter: most ListParts listings in one worker invocation.
   *
   * @default 2000
   */
  readonly maxListParts?: number;

  /**
   * The EventBridge Scheduler expression that starts a run.
   *
   * @default 'cron(0 3 * * ? *)' (daily at 03:00)
   */
  readonly schedule?: string;

  /**
   * The time zone of the schedule (an IANA name).
   *
   * @default 'UTC'
   */
  readonly timezone?: string;

  /**
   * The state machine's timeout: below the schedule's period, so two runs never overlap by schedule
   * (synth fails otherwise, and when the period cannot be read from the expression and this is unset).
   *
   * @default Duration.hours(20)
   */
  readonly stateMachineTimeout?: Duration;

  /**
   * Email addresses subscribed to the topic (each confirms its subscription).
   *
   * @default - none
   */
  readonly alertEmails?: readonly string[];

  /**
   * The SSM path of the settings.
   *
   * @default '/glacier-sweeper-fleet'
   */
  readonly ssmPrefix?: string;

  /**
   * Targets (account × region) surveyed, and acted on, at once: the Survey and Act maps'
   * MaxConcurrency.
   *
   * @default 10
   */
  readonly maxConcurrency?: number;

  /**
   * Vaults of one target swept at once.
   *
   * @default 4
   */
  readonly vaultConcurrency?: number;

  /**
   * Vaults per Survey batch (one child execution each, far from its 25,000 events).
   *
   * @default 25
   */
  readonly vaultsPerBatch?: number;

  /**
   * ListMultipartUploads pages per worker invocation (its page budget).
   *
   * @default 200
   */
  readonly workerMaxPages?: number;

  /**
   * The worker's Lambda timeout, 60 to 900 seconds; its time budget stays below it.
   *
   * @default Duration.minutes(5)
   */
  readonly workerTimeout?: Duration;

  /**
   * The hub account's Lambda concurrency: `maxConcurrency` × `vaultConcurrency` must leave 100 of it
   * free (synth fails otherwise).
   *
   * @default 1000
   */
  readonly accountConcurrencyLimit?: number;

  /**
   * Days run chunks (the bucket's `runs/` prefix) are kept.
   *
   * @default 30
   */
  readonly runDataDays?: number;

  /**
   * How long the logs and the full reports (the bucket's `reports/` prefix) are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Per-vault metrics (dimensions Account, Region, Vault).
   *
   * @default false
   */
  readonly perVaultMetrics?: boolean;

  /**
   * Per-account totals metrics (dimension Account): the seven totals figures for each account swept,
   * beside the run's. Each account adds 7 custom metrics to the bill (about $2.10 a month at
   * $0.30 a metric-month: $2,100 a month at 1,000 accounts); set false to emit the run's totals alone
   * (the alarms and the dashboard use only those). The reports carry the per-account figures either
   * way.
   *
   * @default true
   */
  readonly accountMetrics?: boolean;

  /**
   * One more SNS message per account, with the message attribute `account`.
   *
   * @default false
   */
  readonly accountMessages?: boolean;
}

/** The keys of {@link GlacierSweeperFleet}'s `alarms`, one per alarm. */
export type FleetAlarmKey = 'executionFailed' | 'executionTimedOut' | 'targetErrors' | 'noCompletedRun';

const STEPS: readonly FleetStep[] = ['plan', 'resolve', 'sweep-vault', 'select', 'act', 'report'];

function invalid(prop: string, why: string): never {
  throw fleetPropError(prop, why);
}

function fleetPropError(prop: string, why: string) {
  const error = invalidProp(prop, why);
  error.message = `GlacierSweeperFleet: invalid prop ${prop}: ${why}`;
  return error;
}

/** The schedule's period when it can be read off the expression (rate, or a cron firing once a day). */
function schedulePeriod(expression: string): Duration | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    return rate[2]?.startsWith('minute')
      ? Duration.minutes(n)
      : rate[2]?.startsWith('hour')
        ? Duration.hours(n)
        : Duration.days(n);
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (cron && /^\d+$/.test(cron[1] ?? '') && /^\d+$/.test(cron[2] ?? '')) return Duration.days(1);
  return undefined;
}

const whole = (prop: string, value: number | undefined, fallback: number, min = 1) => {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min) invalid(prop, `${n}: expected a whole number of ${min} or more`);
  return n;
};

/**
 * The fleet hub: a Standard state machine (Plan → Survey → Select → Act → Report) on a schedule, the
 * Lambdas it calls, the run bucket, the settings, the upload-history table, the topic, alarms and a
 * dashboard. The spokes (the role in each member account) are {@link GlacierSweeperSpoke}'s.
 */
export class GlacierSweeperFleet extends Construct {
  /** The Standard state machine `GlacierSweeperFleet` that runs Plan → Survey → Select → Act → Report. */
  readonly stateMachine: sfn.StateMachine;
  /**
   * The role every function runs as, `GlacierSweeperFleetWorker`: the only principal the spoke roles
   * trust; it assumes them, keeps run data, reads the settings and publishes reports.
   */
  readonly workerRole: iam.Role;
  /** The run bucket: run chunks under `runs/<execution>/`, full reports under `reports/<execution>/`. */
  readonly bucket: s3.Bucket;
  /** Where reports and alarms are published; subscribe here (or with `alertEmails`). */
  readonly topic: sns.Topic;
  /** Upload history between runs, for `quiet-period`. */
  readonly stateTable: dynamodb.Table;
  /**
   * The state machine's functions, by {@link FleetStep} (Node.js 24, arm64, `index.handler`): bundled
   * from source in a checkout of this repository, the package's pre-built bundles when installed from
   * npm.
   */
  readonly functions: Readonly<Record<FleetStep, lambda.Function>>;
  /** The EventBridge Scheduler schedule that starts the state machine. */
  readonly schedule: scheduler.Schedule;
  /** The alarms, each publishing to the topic, by {@link FleetAlarmKey}. */
  readonly alarms: Readonly<Record<FleetAlarmKey, cloudwatch.Alarm>>;
  /** The CloudWatch dashboard of the fleet totals, the runs and the alarms. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The SSM path of the settings, as resolved from the `ssmPrefix` prop. */
  readonly ssmPrefix: string;

  constructor(scope: Construct, id: string, props: GlacierSweeperFleetProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = props.ssmPrefix ?? DEFAULT_FLEET_SSM_PREFIX;
    this.ssmPrefix = prefix;
    const maxConcurrency = whole('maxConcurrency', props.maxConcurrency, 10);
    const vaultConcurrency = whole('vaultConcurrency', props.vaultConcurrency, 4);
    const limit = whole('accountConcurrencyLimit', props.accountConcurrencyLimit, 1000, 100);
    if (maxConcurrency * vaultConcurrency > limit - 100)
      invalid(
        'maxConcurrency',
        `maxConcurrency × vaultConcurrency = ${maxConcurrency} × ${vaultConcurrency} = ${maxConcurrency * vaultConcurrency} Lambda invocations at once, more than the account's concurrency (${limit}) less the 100 Lambda keeps unreserved: lower either, or raise accountConcurrencyLimit after raising the quota`,
      );
    const workerTimeout = props.workerTimeout ?? Duration.minutes(5);
    if (workerTimeout.toSeconds() < 60 || workerTimeout.toSeconds() > 900)
      invalid('workerTimeout', `${workerTimeout.toSeconds()} s: expected 60 to 900 seconds`);
    const schedule = props.schedule ?? 'cron(0 3 * * ? *)';
    const timeout = props.stateMachineTimeout ?? Duration.hours(20);
    const period = schedulePeriod(schedule);
    if (period === undefined && props.stateMachineTimeout === undefined)
      invalid(
        'stateMachineTimeout',
        `the period of schedule ${schedule} cannot be read: set stateMachineTimeout below it`,
      );
    if (period !== undefined && timeout.toSeconds() >= period.toSeconds())
      invalid(
        'stateMachineTimeout',
        `${timeout.toHumanString()} is not below the schedule's period (${period.toHumanString()}): overlapping runs would spend max-aborts twice`,
      );

    const values = this.initialValues(props, stack.region);

    const topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the ${SERVICE_NAME} fleet topic (${prefix})`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${SERVICE_NAME} fleet`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    allowAlarmsToPublish(topicKey, this.topic);
    for (const email of props.alertEmails ?? []) this.topic.addSubscription(new EmailSubscription(email));

    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.bucket = new s3.Bucket(this, 'RunBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ExpireRunChunks',
          prefix: 'runs/',
          expiration: Duration.days(whole('runDataDays', props.runDataDays, 30)),
        },
        // Full reports are kept as long as the logs (the audit trail).
        { id: 'ExpireReports', prefix: 'reports/', expiration: Duration.days(retention) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The run bucket is written and read only by the hub worker role; CloudTrail data events can log access if wanted. A second bucket for server access logs would hold nothing the reports and the function logs do not.',
    });

    this.stateTable = uploadHistoryTable(this);

    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention, removalPolicy: RemovalPolicy.RETAIN });
    this.workerRole = new iam.Role(this, 'WorkerRole', {
      roleName: HUB_WORKER_ROLE_NAME,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${SERVICE_NAME} fleet: assume ${SPOKE_ROLE_NAME} in member accounts, keep run data, read ${prefix}, publish reports`,
    });
    this.grantWorker(prefix, topicKey, logGroup);

    this.createParameters(prefix, values);

    const functionTimeout: Record<FleetStep, Duration> = {
      plan: Duration.minutes(2),
      resolve: Duration.minutes(5),
      'sweep-vault': workerTimeout,
      select: Duration.minutes(15),
      act: Duration.minutes(10),
      report: Duration.minutes(15),
    };
    const memory: Record<FleetStep, number> = {
      plan: 512,
      resolve: 512,
      'sweep-vault': 1024,
      select: 1769,
      act: 512,
      report: 3008,
    };
    const fns = {} as Record<FleetStep, lambda.Function>;
    for (const step of STEPS) {
      // Handler `fleet-<step>` (lambda-bundling.ts): bundled from source in a checkout, the package's
      // pre-built bundle when installed from npm.
      fns[step] = bundledFunction(this, `Fn-${step}`, `fleet-${step}`, {
        description: `${SERVICE_NAME} fleet: ${step}`,
        architecture: lambda.Architecture.ARM_64,
        memorySize: memory[step],
        timeout: functionTimeout[step],
        role: this.workerRole,
        logGroup,
        tracing: lambda.Tracing.DISABLED,
        environment: {
          [ENV.ssmPrefix]: prefix,
          [ENV.topicArn]: this.topic.topicArn,
          [ENV.stateTable]: this.stateTable.tableName,
          [ENV.vaultMetrics]: props.perVaultMetrics ? 'on' : 'off',
          [FLEET_ENV.runBucket]: this.bucket.bucketName,
          [FLEET_ENV.workerMaxPages]: String(whole('workerMaxPages', props.workerMaxPages, 200)),
          [FLEET_ENV.vaultBatchSize]: String(whole('vaultsPerBatch', props.vaultsPerBatch, 25)),
          [FLEET_ENV.accountMessages]: props.accountMessages ? 'on' : 'off',
          [FLEET_ENV.accountMetrics]: props.accountMetrics === false ? 'off' : 'on',
          [FLEET_ENV.step]: step,
          [FLEET_ENV.partition]: Aws.PARTITION,
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: FLEET_METRIC_NAMESPACE,
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
    }
    this.functions = fns;

    const taskTimeouts = Object.fromEntries(
      STEPS.map((step) => [step, functionTimeout[step].plus(Duration.seconds(30))]),
    ) as Record<FleetStep, Duration>;
    const machineLogs = new logs.LogGroup(this, 'StateMachineLogs', {
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: FLEET_STATE_MACHINE_NAME,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildFleetDefinition(this, { functions: fns, maxConcurrency, vaultConcurrency, taskTimeouts }),
      ),
      timeout,
      tracingEnabled: true,
      // Every event, without the payloads (which carry vault names and markers, never credentials).
      logs: { destination: machineLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const machineReason =
      "Written by CDK for what the definition calls: lambda:InvokeFunction on the six functions and their versions (<arn>:*, as LambdaInvoke grants), X-Ray and log delivery (no resource type: *), and the Distributed Maps' states:StartExecution/DescribeExecution/StopExecution on this state machine's own child executions (execution:<name>:* and <name>/*:*).";
    for (const child of this.stateMachine.node.findAll()) {
      if (!(child instanceof iam.Policy)) continue;
      const document = stack.resolve(child.document) as { Statement?: { Resource?: unknown }[] };
      const resources = (document.Statement ?? []).flatMap((statement) =>
        Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource],
      );
      // The ids are built from the resolved values, as cdk-nag flattens them.
      for (const resource of resources) {
        const flat = flattenReference(resource);
        if (flat.includes('*'))
          Validations.of(child).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${flat}]`,
            reason: machineReason,
          });
      }
    }
    this.workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SeeOwnRunningExecutions',
        actions: ['states:ListExecutions'],
        resources: [
          Arn.format(
            {
              service: 'states',
              resource: 'stateMachine',
              resourceName: FLEET_STATE_MACHINE_NAME,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            },
            stack,
          ),
        ],
      }),
    );

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Starts the ${SERVICE_NAME} fleet run (${prefix})`,
      schedule: scheduler.ScheduleExpression.expression(schedule, TimeZone.of(props.timezone ?? 'UTC')),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
      }),
    });

    const action = new SnsAction(this.topic);
    const alarm = (
      alarmId: string,
      description: string,
      metric: cloudwatch.IMetric,
      extra: Partial<cloudwatch.AlarmProps> = {},
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...extra,
      });
      created.addAlarmAction(action);
      return created;
    };
    const total = (metricName: string, period: Duration) =>
      new cloudwatch.Metric({ namespace: FLEET_METRIC_NAMESPACE, metricName, statistic: 'Sum', period });
    this.alarms = {
      executionFailed: alarm(
        'ExecutionFailedAlarm',
        'A fleet run failed: a configuration error (the alert names the parameter) or its report could not be published (the error names the S3 key of the full report).',
        this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      ),
      executionTimedOut: alarm(
        'ExecutionTimedOutAlarm',
        'A fleet run timed out before its report: raise stateMachineTimeout (below the schedule period) or maxConcurrency.',
        this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }),
      ),
      targetErrors: alarm(
        'TargetErrorsAlarm',
        'A target (account × region) or a vault failed; accounts without the spoke role and regions not enabled do not count. The report names it.',
        new cloudwatch.MathExpression({
          expression: 't + v',
          usingMetrics: {
            t: total('TargetErrors', Duration.hours(1)),
            v: total(METRICS.vaultErrors, Duration.hours(1)),
          },
          period: Duration.hours(1),
        }),
      ),
      noCompletedRun: alarm(
        'NoCompletedRunAlarm',
        'No fleet run finished in two days: the schedule, the state machine or its configuration is broken.',
        total(METRICS.runsCompleted, Duration.days(1)),
        {
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
      ),
    };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(30) });
    const day = Duration.days(1);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Fleet uploads (all accounts)',
        width: 12,
        left: [METRICS.scanned, METRICS.stale, METRICS.aborted, METRICS.abortFailures].map((m) =>
          total(m, day),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Runs',
        width: 12,
        left: [
          this.stateMachine.metricSucceeded({ period: day }),
          this.stateMachine.metricFailed({ period: day }),
          total('TargetErrors', day),
        ],
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: Object.values(this.alarms) }),
    );
  }

  /** The initial SSM values, checked at synth by the same parser the run uses. */
  private initialValues(props: GlacierSweeperFleetProps, region: string) {
    const list = (v: string | readonly string[] | undefined) =>
      v === undefined ? undefined : typeof v === 'string' ? v : v.join(',');
    const raw = {
      accounts: list(props.accounts) ?? ACCOUNTS_ORGANIZATION,
      excludeAccounts: list(props.excludeAccounts),
      abortAccounts: list(props.abortAccounts),
      regions: list(props.regions),
      vaults: props.vaults ?? '*',
      olderThan: props.olderThan ?? '7d',
      action: props.action ?? 'report',
      maxAborts: String(props.maxAborts ?? 1000),
      exclude: props.exclude,
      notify: props.notify ?? 'findings',
      quietPeriod: props.quietPeriod,
      maxListParts: String(props.maxListParts ?? 2000),
    };
    try {
      parseFleetSettings(
        raw,
        fleetSsmNames(''),
        region === undefined || region.startsWith('$') ? 'us-east-1' : region,
      );
    } catch (error) {
      if (error instanceof ConfigError) invalid(error.setting.replace(/^\//, ''), error.message);
      throw error;
    }
    return raw;
  }

  private createParameters(prefix: string, values: ReturnType<GlacierSweeperFleet['initialValues']>): void {
    const put = (name: string, value: string | undefined, description: string, list = false) => {
      if (value === undefined) return;
      if (list)
        new ssm.StringListParameter(this, `Param-${name}`, {
          parameterName: `${prefix}/${name}`,
          stringListValue: value.split(','),
          description,
        });
      else
        new ssm.StringParameter(this, `Param-${name}`, {
          parameterName: `${prefix}/${name}`,
          stringValue: value,
          description,
        });
    };
    put(
      FLEET_PARAM.accounts,
      values.accounts,
      "'organization' (every ACTIVE account) or 12-digit account ids",
      true,
    );
    put(FLEET_PARAM.excludeAccounts, values.excludeAccounts, 'Accounts never swept', true);
    put(
      FLEET_PARAM.abortAccounts,
      values.abortAccounts,
      'Abort only in these accounts; report everywhere else',
      true,
    );
    put(FLEET_PARAM.regions, values.regions ?? Stack.of(this).region, 'Regions swept in every account', true);
    put(PARAM.vaults, values.vaults, "Vaults in every target: name or name=DURATION entries, or '*'", true);
    put(PARAM.olderThan, values.olderThan, 'Default threshold of a stale upload (24h to 3650d)');
    put(PARAM.action, values.action, 'report or abort');
    put(PARAM.maxAborts, values.maxAborts, 'Most aborts in one fleet run, oldest first');
    put(PARAM.exclude, values.exclude, 'Uploads whose description or id match are never touched');
    put(PARAM.notify, values.notify, 'findings or always');
    put(PARAM.quietPeriod, values.quietPeriod, 'Abort only uploads unchanged for this long');
    put(PARAM.maxListParts, values.maxListParts, 'Most ListParts listings per worker invocation');
  }

  private grantWorker(prefix: string, topicKey: kms.Key, logGroup: logs.LogGroup): void {
    const role = this.workerRole;
    const stack = Stack.of(this);
    const spokeArn = `arn:${Aws.PARTITION}:iam::*:role/${SPOKE_ROLE_NAME}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeSpokeRoles',
        actions: ['sts:AssumeRole'],
        resources: [spokeArn],
      }),
    );
    acknowledgeWildcardResources(
      role,
      [spokeArn],
      `The spoke role has one fixed name (${SPOKE_ROLE_NAME}) in every member account; the accounts are the Organization's and change without a deploy. Each spoke trusts only this role within the Organization.`,
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunData',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('runs/*'), this.bucket.arnForObjects('reports/*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListRunData',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    acknowledgeWildcardResources(
      role,
      [this.bucket.arnForObjects('runs/*'), this.bucket.arnForObjects('reports/*')],
      'Run chunks and reports are objects under runs/<execution>/ and reports/<execution>/ of the hub bucket, named per run.',
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSettings',
        actions: ['ssm:GetParameters'],
        resources: [...Object.values(PARAM), ...Object.values(FLEET_PARAM)].map((name) =>
          Arn.format(
            {
              service: 'ssm',
              resource: 'parameter',
              resourceName: `${prefix}/${name}`.slice(1),
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            },
            stack,
          ),
        ),
      }),
    );
    grantUploadHistory(role, this.stateTable);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishReports',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptReports',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [topicKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(
      // organizations:ListAccounts has no resource type: '*' is the only resource it takes.
      new iam.PolicyStatement({
        sid: 'ListOrganizationAccounts',
        actions: ['organizations:ListAccounts'],
        resources: ['*'],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "organizations:ListAccounts has no resource type (Service Authorization Reference): '*' is the only resource it can be granted on; it lists the Organization's accounts for accounts = organization.",
    });
    logGroup.grantWrite(role);
  }
}
