import { Arn, ArnFormat, Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PARAM, type ParamKey, SERVICE_NAME } from '../../lambda/core/defaults';
import { ssmParameterName } from '../../lambda/core/ssm-names';
import { acknowledgeWildcardResources } from './nag';
import type { ResolvedProps } from './resolve-props';
import { grantUploadHistory } from './upload-history';

/**
 * Every permission of the sweeper: what its function's role may call, what may use its topic and key,
 * and what its schedule may invoke. Each grant is written out (no `grant*()` helper that adds actions
 * nothing calls) and names the call that needs it; each cdk-nag acknowledgement sits beside the grant
 * it concerns. The functions take the GlacierSweeper construct as scope, so the policies keep the
 * logical ids they had when this code lived in the construct.
 */

/** What the function's role is granted on. */
export interface SweeperResources {
  readonly role: iam.Role;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly stateTable: dynamodb.Table;
  readonly logGroup: logs.LogGroup;
}

/**
 * Lets this account's CloudWatch alarms in this region, and only them, publish to the encrypted topic.
 *
 * CloudWatch cannot publish alarms to a CMK-encrypted topic without the key statement: SNS, "Enable
 * compatibility between event sources from AWS services and encrypted topics",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * and re:Post, https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns (the same statement
 * for cloudwatch.amazonaws.com, with an optional Condition element to narrow it). Nothing here can be
 * tried against AWS, and a condition CloudWatch's request does not satisfy drops every alarm silently:
 * docs/DEPLOY.md has the first-deploy check that proves delivery.
 */
export function allowAlarmsToPublish(topicKey: kms.Key, topic: sns.Topic): void {
  const stack = Stack.of(topicKey);
  topicKey.addToResourcePolicy(
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
  // The enforceSSL topic policy replaces SNS's default one, which is what let same-account services
  // publish; say explicitly that this account's alarms may.
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowThisAccountsAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
}

/**
 * The function role's grants: the Glacier calls on the vaults of `vaultAccountIds`, its upload
 * history, its settings, its topic, its own log group. The role carries no managed policy
 * (AWSLambdaBasicExecutionRole would allow every log group).
 *
 * @returns the ListVaults policy, which the function must wait for, when there is one
 */
export function grantFunctionPermissions(
  scope: Construct,
  resources: SweeperResources,
  config: ResolvedProps,
): iam.Policy | undefined {
  const { role } = resources;
  grantUploadActions(scope, role, config);
  grantUploadHistory(role, resources.stateTable);
  role.addToPrincipalPolicy(
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
            resourceName: ssmParameterName(config.ssmPrefix, key as ParamKey).slice(1),
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          },
          Stack.of(scope),
        ),
      ),
    }),
  );
  const listVaultsPolicy = grantListVaults(scope, role, config);
  grantPublish(role, resources.topic, resources.topicKey);
  resources.logGroup.grantWrite(role);
  return listVaultsPolicy;
}

function grantUploadActions(scope: Construct, role: iam.Role, config: ResolvedProps): void {
  const stack = Stack.of(scope);
  const glacierArn = (account: string, vaultName: string) =>
    Arn.format(
      {
        service: 'glacier',
        account,
        resource: 'vaults',
        resourceName: vaultName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    );
  const accounts = config.vaultAccountIds ?? [stack.account];
  const names = config.grantedVaultNames ?? [config.vaultNameGlob];
  const uploadResources = accounts.flatMap((account) => names.map((name) => glacierArn(account, name)));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ListMeasureAndAbortUploads',
      // ListParts measures each stale upload (bytes at stake, activity fingerprint); ListTagsForVault
      // (resource type vault, Service Authorization Reference) finds the glacier-sweeper=skip tag,
      // once per vault per run, before anything is listed.
      actions: [
        'glacier:ListMultipartUploads',
        'glacier:ListParts',
        'glacier:AbortMultipartUpload',
        'glacier:ListTagsForVault',
      ],
      resources: uploadResources,
    }),
  );
  acknowledgeWildcardResources(
    role,
    uploadResources,
    config.vaultPattern === undefined
      ? "Vault list lives in SSM and changes without a deploy ('*' = every vault), so the grant spans the vaults of vaultAccountIds in this region; the run-time config decides which are touched."
      : "Vaults named by vaultPattern (as an IAM glob where the pattern translates exactly, else every vault of vaultAccountIds in this region). At run time the function expands '*' only to the vault names matching vaultPattern, and refuses a named vault that does not match it (a configuration error at run time), so no vault outside the pattern is swept on the wider grant.",
  );
}

/**
 * ListVaults, which only ever serves `vaults = '*'`: nothing when the grant is narrowed to named
 * vaults, since `*` could not be swept on that grant anyway.
 */
function grantListVaults(scope: Construct, role: iam.Role, config: ResolvedProps): iam.Policy | undefined {
  if (config.grantedVaultNames !== undefined) return undefined;
  // The Service Authorization Reference lists no resource type for glacier:ListVaults
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3glacier.html):
  // such an action is authorised only on `*`, and a grant on `vaults/*` is likely denied, failing
  // every run with vaults = '*'. It lists the caller's own account only. It sits in a policy of its
  // own so that its `*` acknowledgement cannot cover a later `*` grant on the role.
  const policy = new iam.Policy(scope, 'ListVaultsPolicy', {
    roles: [role],
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

function grantPublish(role: iam.Role, topic: sns.Topic, topicKey: kms.Key): void {
  // Written out rather than topic.grantPublish(), which adds kms:GenerateDataKey* (a wildcard action).
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PublishReports',
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'EncryptReports',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [topicKey.keyArn],
      // The function never calls KMS itself: SNS does, with the function's credentials, while it
      // publishes a report. kms:ViaService holds the grant to that path
      // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(topic).region}.amazonaws.com` } },
    }),
  );
}

/**
 * The on-failure destination, without SqsDestination's grant (which adds sqs:GetQueueAttributes and
 * sqs:GetQueueUrl): Lambda sends the record of a failed invocation with the function's role and
 * needs sqs:SendMessage only
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
export function failureDestination(role: iam.Role, failureQueue: sqs.Queue): lambda.IDestination {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'SendFailedInvocations',
      actions: ['sqs:SendMessage'],
      resources: [failureQueue.queueArn],
    }),
  );
  const destination = failureQueue.queueArn;
  return { bind: () => ({ destination }) };
}

/** The role EventBridge Scheduler runs the schedule with, for this account's schedules only. */
export function createSchedulerRole(scope: Construct): iam.Role {
  return new iam.Role(scope, 'SchedulerRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
    description: `EventBridge Scheduler: invoke ${SERVICE_NAME}, dead-letter to its failure queue`,
  });
}

/**
 * LambdaInvoke, granting what the schedule calls and no more: LambdaInvoke's grantInvoke() adds
 * `<function arn>:*` (every version and alias) for a schedule whose target is the unqualified function.
 */
export class InvokeUnqualified extends LambdaInvoke {
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

/**
 * accountId '-' sweeps the function's own account, which vaultAccountIds (the grant) must then list.
 * Synth checks that when it knows the account (resolveProps); an environment-agnostic stack learns it
 * only at deploy, so a template rule makes CloudFormation refuse the stack before creating anything
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html).
 */
export function requireOwnAccountInGrant(scope: Construct, config: ResolvedProps): void {
  const ids = config.vaultAccountIds;
  const account = Stack.of(scope).account;
  if (ids === undefined || config.ssmValues.accountId !== '-' || !Token.isUnresolved(account)) return;
  new CfnRule(scope, 'OwnAccountInVaultAccountIds', {
    assertions: [
      {
        assert: Fn.conditionContains([...ids], Aws.ACCOUNT_ID),
        assertDescription: `${SERVICE_NAME}: this account is not in vaultAccountIds (${ids.join(', ')}), but accountId is "-" (the function's own account), so the function could not reach its own vaults. Add this account to vaultAccountIds, or set accountId to one of them.`,
      },
    ],
  });
}
