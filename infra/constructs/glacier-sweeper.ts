import { Duration, RemovalPolicy, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  ENV,
  METRIC_NAMESPACE,
  PARAM,
  type ParamKey,
  SERVICE_NAME,
  type VAULT_METRICS_MODES,
} from '../../lambda/core/defaults';
import { ssmParameterName } from '../../lambda/core/ssm-names';
import { type AlarmKey, createAlarms } from './alarms';
import { bundledFunction } from './bundled-function';
import { createDashboard } from './dashboard';
import type { GlacierSweeperProps } from './glacier-sweeper-props';
import {
  allowAlarmsToPublish,
  createSchedulerRole,
  failureDestination,
  grantFunctionPermissions,
  InvokeUnqualified,
  requireOwnAccountInGrant,
} from './permissions';
import { type ResolvedProps, resolveProps } from './resolve-props';
import { uploadHistoryTable } from './upload-history';

export type { AlarmKey } from './alarms';
export type { GlacierSweeperProps } from './glacier-sweeper-props';
export { UNREACHED_CREDENTIAL_PROVIDERS } from './lambda-bundling';

/** The SWEEPER_VAULT_METRICS value, typed against the contract's list of modes. */
const vaultMetricsMode = (on: boolean): (typeof VAULT_METRICS_MODES)[number] => (on ? 'on' : 'off');

/**
 * The whole sweeper: scheduled function, its settings in SSM, the encrypted topic it reports to, the
 * failure queue, the upload-history table, alarms and a dashboard. See {@link GlacierSweeperProps}.
 * Its permissions, alarms and dashboard are built by plain functions with this construct as scope
 * (permissions.ts, alarms.ts, dashboard.ts), so every logical id is this construct's.
 */
export class GlacierSweeper extends Construct {
  /**
   * The scheduled function (Node.js 24, arm64, `index.handler`): bundled from source in a checkout of
   * this repository, the package's pre-built bundle when installed from npm.
   */
  readonly function: lambda.Function;
  /** The function's execution role, with every grant the sweep needs. */
  readonly role: iam.Role;
  /** The function's log group: one line per stale upload and per abort, retained on stack deletion. */
  readonly logGroup: logs.LogGroup;
  /** Where reports and alarms are published; subscribe here (or with `alertEmails`). */
  readonly topic: sns.Topic;
  /** The customer-managed key encrypting the topic. */
  readonly topicKey: kms.Key;
  /** Schedule delivery failures and failed invocations (the function's on-failure destination). */
  readonly failureQueue: sqs.Queue;
  /** Upload history between runs, for `quiet-period` (SWEEPER_STATE_TABLE). */
  readonly stateTable: dynamodb.Table;
  /** The EventBridge Scheduler schedule that invokes the function. */
  readonly schedule: scheduler.Schedule;
  /** The SSM parameters under `ssmPrefix`, by setting; `exclude` and `quietPeriod` only when set. */
  readonly parameters: Readonly<Partial<Record<ParamKey, ssm.StringParameter | ssm.StringListParameter>>>;
  /** The alarms, each publishing to the topic, by {@link AlarmKey}. */
  readonly alarms: Readonly<Record<AlarmKey, cloudwatch.Alarm>>;
  /** The CloudWatch dashboard of the run totals and the alarms. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The SSM path of the parameters, as resolved from the `ssmPrefix` prop. */
  readonly ssmPrefix: string;

  constructor(scope: Construct, id: string, props: GlacierSweeperProps = {}) {
    super(scope, id);
    const config = resolveProps(props, Stack.of(this).account);
    this.ssmPrefix = config.ssmPrefix;

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the ${SERVICE_NAME} SNS topic (${config.ssmPrefix})`,
      enableKeyRotation: true,
      // The key protects only messages in flight through the topic; nothing stored outlives the
      // stack, so it is scheduled for deletion with it instead of costing forever.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: SERVICE_NAME,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    allowAlarmsToPublish(this.topicKey, this.topic);
    for (const email of config.alertEmails) {
      this.topic.addSubscription(new EmailSubscription(email));
    }

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      // SQS-managed keys: neither Scheduler nor the function needs a KMS grant to write to it.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue: of the schedule (delivery failures) and the on-failure destination of the function.',
    });

    this.stateTable = uploadHistoryTable(this);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      // The log is the audit trail of every abort: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${SERVICE_NAME}: list, measure and abort multipart uploads, keep their history, read ${config.ssmPrefix}, publish reports`,
    });
    const listVaultsPolicy = grantFunctionPermissions(
      this,
      {
        role: this.role,
        topic: this.topic,
        topicKey: this.topicKey,
        stateTable: this.stateTable,
        logGroup: this.logGroup,
      },
      config,
    );

    this.parameters = this.createParameters(config);

    this.function = bundledFunction(this, 'Function', 'sweeper', {
      description: 'Reports or aborts stale in-progress multipart uploads in S3 Glacier vaults',
      architecture: lambda.Architecture.ARM_64,
      memorySize: config.memorySize,
      timeout: config.timeout,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: config.reservedConcurrency,
      // Tracing stays off: the function has no tracer, so X-Ray would show one segment the log and
      // the EMF metrics already tell, and cost the only `*` resource in the role.
      tracing: lambda.Tracing.DISABLED,
      // The next scheduled run is the retry; an automatic one would repeat the alert and the abort
      // log lines of a run that already published its report.
      retryAttempts: 0,
      onFailure: failureDestination(this.role, this.failureQueue),
      environment: {
        [ENV.ssmPrefix]: config.ssmPrefix,
        [ENV.topicArn]: this.topic.topicArn,
        // Always set, though `quiet-period` is off by default: operators turn it on in SSM, no deploy.
        [ENV.stateTable]: this.stateTable.tableName,
        [ENV.vaultConcurrency]: String(config.vaultConcurrency),
        [ENV.abortConcurrency]: String(config.abortConcurrency),
        [ENV.vaultMetrics]: vaultMetricsMode(config.perVaultMetrics),
        ...(config.vaultPattern === undefined ? {} : { [ENV.vaultPattern]: config.vaultPattern }),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    // CDK makes the function wait for the role's default policy only.
    if (listVaultsPolicy !== undefined) this.function.node.addDependency(listVaultsPolicy);

    const schedulerRole = createSchedulerRole(this);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Runs ${SERVICE_NAME} (${config.ssmPrefix})`,
      schedule: scheduler.ScheduleExpression.expression(config.schedule, TimeZone.of(config.timezone)),
      target: new InvokeUnqualified(this.function, {
        role: schedulerRole,
        deadLetterQueue: this.failureQueue,
        // Delivery failures only (throttled Invoke API, missing permission): a run delivered hours
        // late is still useful, one delivered after the next is due is not.
        retryAttempts: 10,
        maxEventAge: Duration.hours(6),
      }),
    });

    requireOwnAccountInGrant(this, config);
    this.alarms = createAlarms(this, {
      function: this.function,
      failureQueue: this.failureQueue,
      topic: this.topic,
      timeout: config.timeout,
    });
    this.dashboard = createDashboard(this, {
      function: this.function,
      alarms: Object.values(this.alarms),
      perVaultMetrics: config.perVaultMetrics,
    });
  }

  private createParameters(config: ResolvedProps): GlacierSweeper['parameters'] {
    const values = config.ssmValues;
    const text = (key: ParamKey, value: string, description: string) =>
      new ssm.StringParameter(this, `Param-${PARAM[key]}`, {
        parameterName: ssmParameterName(config.ssmPrefix, key),
        stringValue: value,
        description,
        tier: ssm.ParameterTier.STANDARD,
      });
    return {
      vaults: new ssm.StringListParameter(this, `Param-${PARAM.vaults}`, {
        parameterName: ssmParameterName(config.ssmPrefix, 'vaults'),
        stringListValue: values.vaults,
        description: "Vaults to sweep: name or name=DURATION entries, or '*' for every vault",
        tier: ssm.ParameterTier.STANDARD,
      }),
      olderThan: text('olderThan', values.olderThan, 'Default threshold of a stale upload (24h to 3650d)'),
      action: text('action', values.action, 'report or abort'),
      accountId: text('accountId', values.accountId, "Vault owner account (12 digits), or '-' for this one"),
      maxAborts: text('maxAborts', values.maxAborts, 'Most aborts in one run; past it the run only reports'),
      notify: text('notify', values.notify, 'findings or always'),
      maxListParts: text(
        'maxListParts',
        values.maxListParts,
        'Most upload part listings (ListParts) in one run, to measure stale uploads',
      ),
      ...(values.exclude === undefined
        ? {}
        : {
            exclude: text(
              'exclude',
              values.exclude,
              'Uploads whose description or id match are never touched',
            ),
          }),
      ...(values.quietPeriod === undefined
        ? {}
        : {
            quietPeriod: text(
              'quietPeriod',
              values.quietPeriod,
              'Abort only uploads whose parts have not changed for this long (24h to 3650d)',
            ),
          }),
    };
  }
}
