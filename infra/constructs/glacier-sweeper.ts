import { fileURLToPath } from 'node:url';
import {
  Arn,
  ArnFormat,
  Aws,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  TimeZone,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  ENV,
  METRIC_DIMENSION_VAULT,
  METRIC_NAMESPACE,
  METRICS,
  PARAM,
  type ParamKey,
  SERVICE_NAME,
  STATE_KEY_ATTRIBUTE,
  STATE_TTL_ATTRIBUTE,
} from '../../lambda/core/defaults';
import type { GlacierSweeperProps } from './glacier-sweeper-props';
import { acknowledgeWildcardResources } from './nag';
import { parameterName, type ResolvedProps, resolveProps } from './resolve-props';

/** Credential providers the default chain imports dynamically, after fromEnv: never reached in Lambda. */
export const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
];

export type { GlacierSweeperProps } from './glacier-sweeper-props';

/**
 * LambdaInvoke, granting what the schedule calls and no more: LambdaInvoke's grantInvoke() adds
 * `<function arn>:*` (every version and alias) for a schedule whose target is the unqualified function.
 */
class InvokeUnqualified extends LambdaInvoke {
  constructor(
    private readonly target: lambda.IFunction,
    props: ConstructorParameters<typeof LambdaInvoke>[1],
  ) {
    super(target, props);
  }

  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.target.functionArn] }),
    );
  }
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Share of the timeout past which a run's duration alarms: the sweep is about to be cut short. */
const DURATION_ALARM_RATIO = 0.8;

/**
 * The whole sweeper: scheduled function, its settings in SSM, the encrypted topic it reports to, the
 * failure queue, alarms and a dashboard. See {@link GlacierSweeperProps}.
 */
export type AlarmKey =
  | 'functionErrors'
  | 'failureQueue'
  | 'durationNearTimeout'
  | 'vaultErrors'
  | 'abortFailures'
  | 'noCompletedRun';

export class GlacierSweeper extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  /** Schedule delivery failures and failed invocations (the function's on-failure destination). */
  readonly failureQueue: sqs.Queue;
  /** Upload history between runs, for `quiet-period` (SWEEPER_STATE_TABLE). */
  readonly stateTable: dynamodb.Table;
  readonly schedule: scheduler.Schedule;
  readonly parameters: Readonly<Partial<Record<ParamKey, ssm.StringParameter | ssm.StringListParameter>>>;
  readonly alarms: Readonly<Record<AlarmKey, cloudwatch.Alarm>>;
  readonly dashboard: cloudwatch.Dashboard;
  readonly ssmPrefix: string;

  constructor(scope: Construct, id: string, props: GlacierSweeperProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const config = resolveProps(props, stack.account);
    this.ssmPrefix = config.ssmPrefix;

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the ${SERVICE_NAME} SNS topic (${config.ssmPrefix})`,
      enableKeyRotation: true,
      // The key protects only messages in flight through the topic; nothing stored outlives the
      // stack, so it is scheduled for deletion with it instead of costing forever.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    // CloudWatch cannot publish alarms to a CMK-encrypted topic without this statement: SNS, "Enable
    // compatibility between event sources from AWS services and encrypted topics",
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    // and re:Post, https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns (the same
    // statement for cloudwatch.amazonaws.com, with an optional Condition element to narrow it).
    // Nothing here can be tried against AWS, and a condition CloudWatch's request does not satisfy
    // drops every alarm silently: docs/DEPLOY.md has the first-deploy check that proves delivery.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          // Confused deputy: without these, CloudWatch acting for anyone's alarm could use the key.
          // The account, as in the topic policy below for the same principal...
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          // ...and the region: CloudWatch publishes for an alarm, ARN
          // arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME, which re:Post matches with ArnLike
          // aws:SourceArn for this principal and names in CloudWatch's "is not authorized" errors
          // (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
          ArnLike: {
            'aws:SourceArn': Arn.format(
              {
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              },
              stack,
            ),
          },
        },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: SERVICE_NAME,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    // The enforceSSL topic policy replaces SNS's default one, which is what let same-account services
    // publish; say explicitly that this account's alarms may.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisAccountsAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
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

    this.stateTable = this.createStateTable();

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: config.logRetention,
      // The log is the audit trail of every abort: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${SERVICE_NAME}: list, measure and abort multipart uploads, keep their history, read ${config.ssmPrefix}, publish reports`,
    });
    this.addSweeperPermissions(config);
    const listVaultsPolicy = this.grantListVaults(config);
    this.grantPublish();
    // The role carries no managed policy (AWSLambdaBasicExecutionRole would allow every log group):
    // it writes to its own log group only.
    this.logGroup.grantWrite(this.role);

    this.parameters = this.createParameters(config);

    this.function = new NodejsFunction(this, 'Function', {
      description: 'Reports or aborts stale in-progress multipart uploads in S3 Glacier vaults',
      entry: `${REPO_ROOT}lambda/handler.ts`,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
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
      onFailure: this.failureDestination(),
      environment: {
        [ENV.ssmPrefix]: config.ssmPrefix,
        [ENV.topicArn]: this.topic.topicArn,
        // Always set, though `quiet-period` is off by default: operators turn it on in SSM, no deploy.
        [ENV.stateTable]: this.stateTable.tableName,
        ...(config.vaultPattern === undefined ? {} : { [ENV.vaultPattern]: config.vaultPattern }),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        // Ship the SDK version the tests ran against, not whatever the runtime carries.
        bundleAwsSDK: true,
        // Lambda hands the function its credentials in environment variables, so the default chain
        // stops at fromEnv: the providers after it (and the STS/SSO clients they carry, ~90 KB of the
        // bundle) are only ever reached through dynamic import() and are left out.
        externalModules: UNREACHED_CREDENTIAL_PROVIDERS,
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // Local esbuild only: there is no Docker to fall back to.
        forceDockerBundling: false,
      },
    });

    // CDK makes the function wait for the role's default policy only.
    if (listVaultsPolicy !== undefined) this.function.node.addDependency(listVaultsPolicy);

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `EventBridge Scheduler: invoke ${SERVICE_NAME}, dead-letter to its failure queue`,
    });
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

    this.checkOwnAccountAtDeploy(config);
    this.alarms = this.createAlarms(config);
    this.dashboard = this.createDashboard();
  }

  /**
   * accountId '-' sweeps the function's own account, which vaultAccountIds must then list. Synth
   * checks that when it knows the account (resolveProps); an environment-agnostic stack learns it only
   * at deploy, so a template rule makes CloudFormation refuse the stack before creating anything
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html).
   */
  private checkOwnAccountAtDeploy(config: ResolvedProps): void {
    const ids = config.vaultAccountIds;
    const account = Stack.of(this).account;
    if (ids === undefined || config.settings.accountId !== '-' || !Token.isUnresolved(account)) return;
    new CfnRule(this, 'OwnAccountInVaultAccountIds', {
      assertions: [
        {
          assert: Fn.conditionContains([...ids], Aws.ACCOUNT_ID),
          assertDescription: `${SERVICE_NAME}: this account is not in vaultAccountIds (${ids.join(', ')}), but accountId is "-" (the function's own account), so the function could not reach its own vaults. Add this account to vaultAccountIds, or set accountId to one of them.`,
        },
      ],
    });
  }

  private addSweeperPermissions(config: ResolvedProps): void {
    const glacierArn = (account: string, vaultName: string) =>
      Arn.format(
        {
          service: 'glacier',
          account,
          resource: 'vaults',
          resourceName: vaultName,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        },
        Stack.of(this),
      );
    const accounts = config.vaultAccountIds ?? [Stack.of(this).account];
    const names = config.grantedVaultNames ?? [config.vaultNameGlob];
    const uploadResources = accounts.flatMap((account) => names.map((name) => glacierArn(account, name)));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListMeasureAndAbortUploads',
        // ListParts measures each stale upload (bytes at stake, activity fingerprint).
        actions: ['glacier:ListMultipartUploads', 'glacier:ListParts', 'glacier:AbortMultipartUpload'],
        resources: uploadResources,
      }),
    );
    acknowledgeWildcardResources(
      this.role,
      uploadResources,
      config.vaultPattern === undefined
        ? "Vault list lives in SSM and changes without a deploy ('*' = every vault), so the grant spans the vaults of vaultAccountIds in this region; the run-time config decides which are touched."
        : "Vaults named by vaultPattern (as an IAM glob where the pattern translates exactly, else every vault of vaultAccountIds in this region). At run time the function expands '*' only to the vault names matching vaultPattern, and refuses a named vault that does not match it (a configuration error at run time), so no vault outside the pattern is swept on the wider grant.",
    );
    // Exactly the calls of lambda/adapters/dynamodb-state.ts (GetItem, conditional PutItem,
    // DeleteItem), written out rather than grantReadWriteData(), which adds batch, query, scan,
    // update and describe actions the state store never calls.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KeepUploadHistory',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [this.stateTable.tableArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSettings',
        actions: ['ssm:GetParameters'],
        // Every contract name, created or not: GetParameters fails as a whole if one is denied, and
        // an operator may create `exclude` or `quiet-period` later.
        resources: Object.keys(PARAM).map((key) =>
          Arn.format(
            {
              service: 'ssm',
              resource: 'parameter',
              resourceName: parameterName(config.ssmPrefix, key as ParamKey).slice(1),
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            },
            Stack.of(this),
          ),
        ),
      }),
    );
  }

  /**
   * ListVaults, which only ever serves `vaults = '*'`: nothing when the grant is narrowed to named
   * vaults, since `*` could not be swept on that grant anyway.
   */
  private grantListVaults(config: ResolvedProps): iam.Policy | undefined {
    if (config.grantedVaultNames !== undefined) return undefined;
    // The Service Authorization Reference lists no resource type for glacier:ListVaults
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3glacier.html):
    // such an action is authorised only on `*`, and a grant on `vaults/*` is likely denied, failing
    // every run with vaults = '*'. It lists the caller's own account only. It sits in a policy of its
    // own so that its `*` acknowledgement cannot cover a later `*` grant on the role.
    const policy = new iam.Policy(this, 'ListVaultsPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ sid: 'ListVaults', actions: ['glacier:ListVaults'], resources: ['*'] }),
      ],
    });
    acknowledgeWildcardResources(
      policy,
      ['*'],
      "glacier:ListVaults has no resource type (Service Authorization Reference), so '*' is the only resource it can be granted on; it lists only the vault names of the caller's own account in this region, and the function calls it only to expand vaults = '*'.",
    );
    return policy;
  }

  private createStateTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: STATE_KEY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      // A few small items per stale upload per run: on-demand costs nothing while quiet-period is off.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: STATE_TTL_ATTRIBUTE,
      // The items are upload ids, hashes of part tree hashes and byte counts, never archive data or
      // descriptions: the aws/dynamodb key keeps its use in CloudTrail without a key policy to keep
      // or kms: grants (with wildcard actions) for the role; DynamoDB authorises it through the call.
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The history is re-created by the next runs. Losing it can only delay an abort by one quiet
      // period (an upload without history is never idle), never cause one; so neither a retained
      // orphan after `cdk destroy` nor a point-in-time backup would protect anything.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason:
        'PITR off on purpose: the table only holds upload history that the next runs rebuild; losing it can only delay an abort by one quiet period (an upload without history is never idle), never cause one, so a restore would protect nothing.',
    });
    return table;
  }

  /**
   * The on-failure destination, without SqsDestination's grant (which adds sqs:GetQueueAttributes and
   * sqs:GetQueueUrl): Lambda sends the record of a failed invocation with the function's role and
   * needs sqs:SendMessage only
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
   */
  private failureDestination(): lambda.IDestination {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendFailedInvocations',
        actions: ['sqs:SendMessage'],
        resources: [this.failureQueue.queueArn],
      }),
    );
    const destination = this.failureQueue.queueArn;
    return { bind: () => ({ destination }) };
  }

  private grantPublish(): void {
    // Written out rather than topic.grantPublish(), which adds kms:GenerateDataKey* (a wildcard action).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishReports',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptReports',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.topicKey.keyArn],
        // The function never calls KMS itself: SNS does, with the function's credentials, while it
        // publishes a report. kms:ViaService holds the grant to that path
        // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }

  private createParameters(config: ResolvedProps): GlacierSweeper['parameters'] {
    const values = config.ssmValues;
    const text = (key: ParamKey, value: string, description: string) =>
      new ssm.StringParameter(this, `Param-${PARAM[key]}`, {
        parameterName: parameterName(config.ssmPrefix, key),
        stringValue: value,
        description,
        tier: ssm.ParameterTier.STANDARD,
      });
    return {
      vaults: new ssm.StringListParameter(this, `Param-${PARAM.vaults}`, {
        parameterName: parameterName(config.ssmPrefix, 'vaults'),
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

  private createAlarms(config: ResolvedProps): Record<AlarmKey, cloudwatch.Alarm> {
    const action = new SnsAction(this.topic);
    const runTotal = (metricName: string, period: Duration) =>
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic: 'Sum', period });
    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(action);
      return created;
    };
    const timeoutMs = config.timeout.toMilliseconds();
    return {
      functionErrors: alarm('FunctionErrorsAlarm', {
        alarmDescription:
          'The sweep failed: a configuration error (the alert names the parameter) or its report could not be published. See the function log.',
        metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      failureQueue: alarm('FailureQueueAlarm', {
        alarmDescription:
          'A scheduled run was not delivered, or an invocation failed: its event is in the failure queue. Read it, fix the cause, then purge the queue.',
        metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      durationNearTimeout: alarm('DurationAlarm', {
        alarmDescription: `A run took over ${DURATION_ALARM_RATIO * 100}% of the ${config.timeout.toMinutes()}-minute timeout: vaults may be left incomplete. Raise the timeout or split the vaults.`,
        metric: this.function.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' }),
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

  private createDashboard(): cloudwatch.Dashboard {
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
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
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
          this.function.metricInvocations({ period: day, statistic: 'Sum' }),
          this.function.metricErrors({ period: day, statistic: 'Sum' }),
        ],
        right: [this.function.metricDuration({ period: day, statistic: 'Maximum' })],
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        height: 4,
        alarms: Object.values(this.alarms),
      }),
    );
    return dashboard;
  }
}
