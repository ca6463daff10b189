import { type CfnElement, Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE, DEFAULT_TIMEZONE } from '../../infra/constructs/resolve-props';
import type { GlacierSweeperStack } from '../../infra/sweeper-stack';
import { parseVaultMetrics } from '../../lambda/config';
import {
  DEFAULT_ABORT_CONCURRENCY,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_ACTION,
  DEFAULT_MAX_ABORTS,
  DEFAULT_MAX_LIST_PARTS,
  DEFAULT_NOTIFY,
  DEFAULT_OLDER_THAN,
  DEFAULT_SSM_PREFIX,
  DEFAULT_VAULT_CONCURRENCY,
  ENV,
  METRIC_DIMENSION_VAULT,
  METRIC_NAMESPACE,
  METRICS,
  SERVICE_NAME,
  STATE_KEY_ATTRIBUTE,
  STATE_TTL_ATTRIBUTE,
} from '../../lambda/core/defaults';
import { parseRuntimeEnv } from '../../lambda/core/settings';
import {
  acknowledgements,
  allPolicyDocuments,
  type FlatStatement,
  flatStatements,
  logicalId,
  rolePolicy,
  sortStatements,
  synth,
} from './helpers';

// Synthesized once per configuration and shared: each synth costs about a second.
let defaults: { stack: GlacierSweeperStack; template: Template };
let custom: { stack: GlacierSweeperStack; template: Template };

const CUSTOM_PROPS = {
  vaults: ['backup-a', ' backup-b=3d '],
  olderThan: '10d',
  action: 'abort',
  accountId: '111111111111',
  maxAborts: 50,
  exclude: '^keep:',
  notify: 'always',
  quietPeriod: ' 3d ',
  maxListParts: 500,
  schedule: 'cron(30 4 * * ? *)',
  timezone: 'Europe/Paris',
  alertEmails: ['ops@example.com', 'oncall@example.com'],
  ssmPrefix: '/sweeper/prod',
  memorySize: 512,
  timeout: Duration.minutes(15),
  logRetention: RetentionDays.TWO_YEARS,
  reservedConcurrency: false,
  vaultConcurrency: 2,
  abortConcurrency: 16,
  perVaultMetrics: true,
  vaultAccountIds: ['111111111111', '222222222222'],
  vaultPattern: '^backup-',
} as const;

beforeAll(() => {
  defaults = synth();
  custom = synth(CUSTOM_PROPS);
});

const ids = (s: { stack: GlacierSweeperStack }) => {
  const sweeper = s.stack.sweeper;
  return {
    topic: logicalId(s.stack, sweeper.topic),
    key: logicalId(s.stack, sweeper.topicKey),
    queue: logicalId(s.stack, sweeper.failureQueue),
    role: logicalId(s.stack, sweeper.role),
    logGroup: logicalId(s.stack, sweeper.logGroup),
    fn: logicalId(s.stack, sweeper.function),
    table: logicalId(s.stack, sweeper.stateTable),
  };
};

function parameters(template: Template): Record<string, { Type: string; Value: string }> {
  const found = template.findResources('AWS::SSM::Parameter');
  return Object.fromEntries(
    Object.values(found).map((resource) => [
      resource.Properties.Name,
      { Type: resource.Properties.Type, Value: resource.Properties.Value },
    ]),
  );
}

describe('function', () => {
  it('runs Node.js 24 on ARM with one reserved execution, 256 MB and a 10-minute timeout by default', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      MemorySize: 256,
      Timeout: 600,
      LoggingConfig: { LogGroup: { Ref: ids(defaults).logGroup } },
    });
    expect(defaults.template.toJSON().Resources[ids(defaults).fn].Properties.TracingConfig).toBeUndefined();
  });

  it('reserves nothing when reservedConcurrency is false, and takes memory and timeout from props', () => {
    const fn = custom.template.toJSON().Resources[ids(custom).fn].Properties;
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn).toMatchObject({ MemorySize: 512, Timeout: 900 });
  });

  it('gets the contract environment and Powertools settings', () => {
    const env = defaults.template.toJSON().Resources[ids(defaults).fn].Properties.Environment.Variables;
    expect(env).toEqual({
      [ENV.ssmPrefix]: DEFAULT_SSM_PREFIX,
      [ENV.topicArn]: { Ref: ids(defaults).topic },
      [ENV.stateTable]: { Ref: ids(defaults).table },
      [ENV.vaultConcurrency]: String(DEFAULT_VAULT_CONCURRENCY),
      [ENV.abortConcurrency]: String(DEFAULT_ABORT_CONCURRENCY),
      // Off by default: 7 custom metrics per vault (docs/DEPLOY.md).
      [ENV.vaultMetrics]: 'off',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    });
    const customEnv = custom.template.toJSON().Resources[ids(custom).fn].Properties.Environment.Variables;
    expect(customEnv).toMatchObject({
      [ENV.ssmPrefix]: '/sweeper/prod',
      [ENV.vaultPattern]: '^backup-',
      [ENV.stateTable]: { Ref: ids(custom).table },
      [ENV.vaultConcurrency]: '2',
      [ENV.abortConcurrency]: '16',
      [ENV.vaultMetrics]: 'on',
    });
  });

  it("sets an environment the function's own parsers accept, with the concurrency and metrics of the props", () => {
    for (const [s, expected] of [
      [
        defaults,
        { vaultConcurrency: DEFAULT_VAULT_CONCURRENCY, abortConcurrency: DEFAULT_ABORT_CONCURRENCY },
      ],
      [custom, { vaultConcurrency: 2, abortConcurrency: 16 }],
    ] as const) {
      const env = s.template.toJSON().Resources[ids(s).fn].Properties.Environment.Variables;
      // References (topic ARN, table name) become plain strings, as Lambda hands them over.
      const plain = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : `resolved-${key}`,
        ]),
      );
      expect({ ...parseRuntimeEnv(plain), perVaultMetrics: parseVaultMetrics(plain) }).toMatchObject(
        expected,
      );
    }
  });

  it('logs to its own log group, kept a year by default and retained with the stack', () => {
    defaults.template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    custom.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });

  it('is not retried on failure and sends a failed invocation to the failure queue', () => {
    const { fn, queue } = ids(defaults);
    defaults.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    defaults.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });
});

describe('IAM', () => {
  const glacier = (account: string, name: string) =>
    `arn:<AWS::Partition>:glacier:eu-west-1:${account}:vaults/${name}`;
  // Every contract name, created by the stack or not (exclude, quiet-period).
  const ssmParams = (prefix: string) =>
    [
      'account-id',
      'action',
      'exclude',
      'max-aborts',
      'max-list-parts',
      'notify',
      'older-than',
      'quiet-period',
      'vaults',
    ].map((name) => `arn:<AWS::Partition>:ssm:eu-west-1:123456789012:parameter${prefix}/${name}`);
  const expected = (s: typeof defaults, uploadResources: string[], prefix: string): FlatStatement[] => {
    const { topic, key, queue, logGroup, table } = ids(s);
    return sortStatements([
      {
        sid: 'ListMeasureAndAbortUploads',
        effect: 'Allow',
        actions: [
          'glacier:AbortMultipartUpload',
          'glacier:ListMultipartUploads',
          'glacier:ListParts',
          'glacier:ListTagsForVault',
        ],
        resources: uploadResources,
      },
      {
        sid: 'KeepUploadHistory',
        effect: 'Allow',
        actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [`<${table}.Arn>`],
      },
      // The Service Authorization Reference lists no resource type for ListVaults: only `*` works.
      { sid: 'ListVaults', effect: 'Allow', actions: ['glacier:ListVaults'], resources: ['*'] },
      { sid: 'ReadSettings', effect: 'Allow', actions: ['ssm:GetParameters'], resources: ssmParams(prefix) },
      { sid: 'PublishReports', effect: 'Allow', actions: ['sns:Publish'], resources: [`<${topic}>`] },
      {
        sid: 'EncryptReports',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [`<${key}.Arn>`],
        // Only through SNS publishing the report, never a direct Decrypt of something else.
        conditions: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      },
      {
        sid: undefined,
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`<${logGroup}.Arn>`],
      },
      {
        sid: 'SendFailedInvocations',
        effect: 'Allow',
        actions: ['sqs:SendMessage'],
        resources: [`<${queue}.Arn>`],
      },
    ]);
  };

  it("grants the function exactly its statements, on this account's vaults in this region by default", () => {
    expect(rolePolicy(defaults.template, ids(defaults).role)).toEqual(
      expected(defaults, [glacier('123456789012', '*')], DEFAULT_SSM_PREFIX),
    );
  });

  it('narrows vault resources to vaultAccountIds and to the glob of a simple vaultPattern', () => {
    expect(rolePolicy(custom.template, ids(custom).role)).toEqual(
      expected(
        custom,
        [glacier('111111111111', 'backup-*'), glacier('222222222222', 'backup-*')],
        '/sweeper/prod',
      ),
    );
  });

  it('grants the per-vault actions on the named vaults of each account only, and no ListVaults, with grantNamedVaultsOnly', () => {
    const { stack, template } = synth({
      vaults: ['backup-a', ' backup-b=3d '],
      vaultAccountIds: ['111111111111', '222222222222'],
      accountId: '111111111111',
      vaultPattern: '^backup-',
      grantNamedVaultsOnly: true,
    });
    const statements = rolePolicy(template, ids({ stack }).role);
    expect(statements.find((s) => s.sid === 'ListMeasureAndAbortUploads')?.resources).toEqual([
      glacier('111111111111', 'backup-a'),
      glacier('111111111111', 'backup-b'),
      glacier('222222222222', 'backup-a'),
      glacier('222222222222', 'backup-b'),
    ]);
    // `*` cannot be served by a grant on named vaults, so nothing lists the account's vaults.
    expect(statements.some((s) => s.actions.includes('glacier:ListVaults'))).toBe(false);
    expect(stack.sweeper.node.tryFindChild('ListVaultsPolicy')).toBeUndefined();
    // No glacier resource holds a wildcard, so nothing about them is acknowledged.
    expect(Object.keys(acknowledgements(stack.sweeper.role))).toEqual([]);
  });

  it("names this stack's account in the narrowed grant without vaultAccountIds", () => {
    const { stack, template } = synth({ vaults: 'logs', grantNamedVaultsOnly: true });
    const statement = rolePolicy(template, ids({ stack }).role).find(
      (s) => s.sid === 'ListMeasureAndAbortUploads',
    );
    expect(statement?.resources).toEqual([glacier('123456789012', 'logs')]);
  });

  it('keeps every vault in the grant when the pattern has no exact IAM glob', () => {
    const { stack, template } = synth({ vaultPattern: '^(backup|logs)-' });
    const statement = rolePolicy(template, ids({ stack }).role).find(
      (s) => s.sid === 'ListMeasureAndAbortUploads',
    );
    expect(statement?.resources).toEqual([glacier('123456789012', '*')]);
  });

  it("grants ListVaults on '*' in a policy of its own, so that its acknowledgement covers nothing else", () => {
    const { stack, template } = defaults;
    const role = ids(defaults).role;
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify(policy.Properties.Roles).includes(`"${role}"`),
    );
    const holding = policies.filter(([, policy]) =>
      flatStatements(policy.Properties.PolicyDocument).some((s) => s.resources.includes('*')),
    );
    expect(holding).toHaveLength(1);
    expect(flatStatements(holding[0]?.[1].Properties.PolicyDocument)).toEqual([
      { sid: 'ListVaults', effect: 'Allow', actions: ['glacier:ListVaults'], resources: ['*'] },
    ]);
    // The role's own acknowledgements name no `*` resource: a new `*` grant on it fails cdk-nag.
    // (Validations store acknowledgement ids as `Annotation::AwsSolutions-…`, hence the suffix match.)
    const wildcardAck = (construct: IConstruct | undefined) =>
      Object.keys(construct ? acknowledgements(construct) : {}).filter((id) =>
        id.endsWith('AwsSolutions-IAM5[Resource::*]'),
      );
    expect(wildcardAck(stack.sweeper.node.tryFindChild('ListVaultsPolicy'))).toHaveLength(1);
    expect(wildcardAck(stack.sweeper.role)).toEqual([]);
    // The function may not run before the policy exists.
    const fn = template.toJSON().Resources[ids(defaults).fn];
    expect(fn.DependsOn).toEqual(expect.arrayContaining([holding[0]?.[0]]));
  });

  it('reads all nine contract parameters, and touches the state table through the three item actions it calls', () => {
    const statements = rolePolicy(defaults.template, ids(defaults).role);
    expect(statements.find((s) => s.sid === 'ReadSettings')?.resources).toHaveLength(9);
    const onTable = statements.filter((s) => s.resources.some((r) => r.includes(ids(defaults).table)));
    expect(onTable.map((s) => s.actions)).toEqual([
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
    ]);
    // Nothing on an index or stream ARN (`<table>/index/*`), nor a table-wide wildcard.
    expect(onTable[0]?.resources).toEqual([`<${ids(defaults).table}.Arn>`]);
  });

  it('has no wildcard action and no managed policy anywhere in the stack', () => {
    for (const { template } of [defaults, custom]) {
      const documents = [
        ...Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument),
        ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
          (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument),
        ),
      ];
      expect(documents.length).toBeGreaterThan(0);
      for (const document of documents) {
        for (const statement of document.Statement) {
          for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
        }
      }
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });

  it('has exactly these statements in every policy of the template, and no other policy', () => {
    // Every identity, trust and resource policy, pinned whole: a grant added anywhere, by this code
    // or by a CDK construct, fails here and has to be justified in the expected list below. Each
    // identity grant names the call that needs it (docs/RELIABILITY.md, issue 11).
    const { stack, template } = defaults;
    const sweeper = stack.sweeper;
    const { topic, key, queue, role, logGroup, fn, table } = ids(defaults);
    const id = (construct: IConstruct) =>
      stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
    const schedulerRole = sweeper.node.findChild('SchedulerRole') as iam.Role;
    const defaultPolicy = (r: iam.Role) => r.node.findChild('DefaultPolicy').node.defaultChild as CfnElement;
    const listVaultsPolicy = id(sweeper.node.findChild('ListVaultsPolicy'));
    const topicPolicy = id(sweeper.topic.node.findChild('Policy'));
    const queuePolicy = id(sweeper.failureQueue.node.findChild('Policy'));
    const fnRole = stack.getLogicalId(defaultPolicy(sweeper.role));
    const schedRole = id(schedulerRole);
    const schedPolicy = stack.getLogicalId(defaultPolicy(schedulerRole));
    const allow = (s: Omit<FlatStatement, 'effect'>): FlatStatement => ({ effect: 'Allow', ...s });
    const sorted = sortStatements;
    const ssmParams = [
      'account-id',
      'action',
      'exclude',
      'max-aborts',
      'max-list-parts',
      'notify',
      'older-than',
      'quiet-period',
      'vaults',
    ].map((name) => `arn:<AWS::Partition>:ssm:eu-west-1:123456789012:parameter/glacier-sweeper/${name}`);

    expect(allPolicyDocuments(template)).toEqual({
      [`${key}.KeyPolicy`]: sorted([
        // CDK's default: the account may delegate use of the key through IAM policies.
        allow({
          sid: undefined,
          principal: { AWS: 'arn:<AWS::Partition>:iam::123456789012:root' },
          actions: ['kms:*'],
          resources: ['*'],
        }),
        allow({
          sid: 'AllowCloudWatchAlarmsToUseTheKey',
          principal: { Service: 'cloudwatch.amazonaws.com' },
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' },
            ArnLike: { 'aws:SourceArn': 'arn:<AWS::Partition>:cloudwatch:eu-west-1:123456789012:alarm:*' },
          },
        }),
      ]),
      [`${topicPolicy}.PolicyDocument`]: sorted([
        {
          sid: 'AllowPublishThroughSSLOnly',
          effect: 'Deny',
          principal: '*',
          actions: ['sns:Publish'],
          resources: [`<${topic}>`],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        allow({
          sid: 'AllowThisAccountsAlarmsToPublish',
          principal: { Service: 'cloudwatch.amazonaws.com' },
          actions: ['sns:Publish'],
          resources: [`<${topic}>`],
          conditions: { StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' } },
        }),
      ]),
      [`${queuePolicy}.PolicyDocument`]: [
        {
          sid: undefined,
          effect: 'Deny',
          principal: { AWS: '*' },
          actions: ['sqs:*'],
          resources: [`<${queue}.Arn>`],
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
      [`${role}.AssumeRolePolicyDocument`]: [
        allow({
          sid: undefined,
          principal: { Service: 'lambda.amazonaws.com' },
          actions: ['sts:AssumeRole'],
          resources: [],
        }),
      ],
      [`${fnRole}.PolicyDocument`]: sorted([
        // lambda/adapters/glacier.ts: ListMultipartUploadsCommand, ListPartsCommand, AbortMultipartUploadCommand,
        // ListTagsForVaultCommand
        allow({
          sid: 'ListMeasureAndAbortUploads',
          actions: [
            'glacier:AbortMultipartUpload',
            'glacier:ListMultipartUploads',
            'glacier:ListParts',
            'glacier:ListTagsForVault',
          ],
          resources: ['arn:<AWS::Partition>:glacier:eu-west-1:123456789012:vaults/*'],
        }),
        // lambda/adapters/dynamodb-state.ts: GetItemCommand, PutItemCommand (conditional), DeleteItemCommand
        allow({
          sid: 'KeepUploadHistory',
          actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [`<${table}.Arn>`],
        }),
        // lambda/adapters/ssm.ts: GetParametersCommand
        allow({ sid: 'ReadSettings', actions: ['ssm:GetParameters'], resources: ssmParams }),
        // lambda/adapters/sns.ts: PublishCommand, and the key SNS uses for it
        allow({ sid: 'PublishReports', actions: ['sns:Publish'], resources: [`<${topic}>`] }),
        allow({
          sid: 'EncryptReports',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [`<${key}.Arn>`],
          conditions: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
        }),
        // Lambda writes the function's log (and its EMF metrics) to the function's own log group.
        allow({
          sid: undefined,
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`<${logGroup}.Arn>`],
        }),
        // Lambda sends a failed invocation's record to the on-failure destination as the function.
        allow({ sid: 'SendFailedInvocations', actions: ['sqs:SendMessage'], resources: [`<${queue}.Arn>`] }),
      ]),
      // lambda/adapters/glacier.ts: ListVaultsCommand (vaults = '*')
      [`${listVaultsPolicy}.PolicyDocument`]: [
        allow({ sid: 'ListVaults', actions: ['glacier:ListVaults'], resources: ['*'] }),
      ],
      [`${schedRole}.AssumeRolePolicyDocument`]: [
        allow({
          sid: undefined,
          principal: { Service: 'scheduler.amazonaws.com' },
          actions: ['sts:AssumeRole'],
          resources: [],
          conditions: { StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' } },
        }),
      ],
      [`${schedPolicy}.PolicyDocument`]: sorted([
        // The schedule's target is the unqualified function; its dead-letter queue is the failure queue.
        allow({ sid: undefined, actions: ['lambda:InvokeFunction'], resources: [`<${fn}.Arn>`] }),
        allow({ sid: undefined, actions: ['sqs:SendMessage'], resources: [`<${queue}.Arn>`] }),
      ]),
    });
    // Grants that live outside policy documents.
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('lets the scheduler invoke only this function (unqualified, as the schedule calls it) and write only to the failure queue', () => {
    const scheduleRole = defaults.template.toJSON().Resources[
      logicalId(defaults.stack, defaults.stack.sweeper.schedule)
    ].Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    const { fn, queue } = ids(defaults);
    expect(rolePolicy(defaults.template, scheduleRole)).toEqual([
      {
        sid: undefined,
        effect: 'Allow',
        actions: ['lambda:InvokeFunction'],
        resources: [`<${fn}.Arn>`],
      },
      { sid: undefined, effect: 'Allow', actions: ['sqs:SendMessage'], resources: [`<${queue}.Arn>`] },
    ]);
  });
});

describe('own account in vaultAccountIds, when the account is only known at deploy', () => {
  const rules = (template: Template) => {
    const { CheckBootstrapVersion: _bootstrap, ...ours } = template.toJSON().Rules ?? {};
    return ours as Record<string, { Assertions: { Assert: unknown; AssertDescription: string }[] }>;
  };

  it("fails the deploy through a template rule when accountId is '-' and vaultAccountIds may leave it out", () => {
    const { template } = synth(
      { vaultAccountIds: ['111111111111', '222222222222'] },
      { region: 'eu-west-1' },
    );
    const found = Object.values(rules(template));
    expect(found).toHaveLength(1);
    expect(found[0]?.Assertions).toEqual([
      {
        Assert: { 'Fn::Contains': [['111111111111', '222222222222'], { Ref: 'AWS::AccountId' }] },
        AssertDescription: expect.stringMatching(
          /^glacier-sweeper: this account is not in vaultAccountIds \(111111111111, 222222222222\), but accountId is "-"/,
        ),
      },
    ]);
  });

  it('adds no rule when the account is known, vaultAccountIds is unset, or accountId names another account', () => {
    expect(rules(synth({ vaultAccountIds: ['123456789012'] }).template)).toEqual({});
    expect(rules(synth({}, { region: 'eu-west-1' }).template)).toEqual({});
    expect(
      rules(
        synth(
          { vaults: 'a', accountId: '111111111111', vaultAccountIds: ['111111111111'] },
          { region: 'eu-west-1' },
        ).template,
      ),
    ).toEqual({});
  });
});

describe('topic', () => {
  it('is encrypted with a rotating customer-managed key and refuses plain HTTP', () => {
    const { topic, key } = ids(defaults);
    defaults.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
    defaults.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    defaults.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it("has a key policy that lets this account's CloudWatch alarms in this region, and only them, use the key", () => {
    const key = defaults.template.toJSON().Resources[ids(defaults).key].Properties.KeyPolicy;
    const forCloudWatch = flatStatements(key).filter((s) => s.sid === 'AllowCloudWatchAlarmsToUseTheKey');
    expect(forCloudWatch).toEqual([
      {
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        effect: 'Allow',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        principal: { Service: 'cloudwatch.amazonaws.com' },
        // Confused deputy: CloudWatch acting for an alarm of another account or region may not.
        conditions: {
          StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' },
          ArnLike: { 'aws:SourceArn': 'arn:<AWS::Partition>:cloudwatch:eu-west-1:123456789012:alarm:*' },
        },
      },
    ]);
  });

  it('subscribes alertEmails, and nobody by default', () => {
    defaults.template.resourceCountIs('AWS::SNS::Subscription', 0);
    custom.template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const email of CUSTOM_PROPS.alertEmails) {
      custom.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: ids(custom).topic },
      });
    }
  });
});

describe('SSM parameters', () => {
  it("are created from lambda/core's defaults, '*' for vaults in report mode, no exclude, no quiet-period", () => {
    expect(parameters(defaults.template)).toEqual({
      '/glacier-sweeper/vaults': { Type: 'StringList', Value: '*' },
      '/glacier-sweeper/older-than': { Type: 'String', Value: DEFAULT_OLDER_THAN },
      '/glacier-sweeper/action': { Type: 'String', Value: DEFAULT_ACTION },
      '/glacier-sweeper/account-id': { Type: 'String', Value: DEFAULT_ACCOUNT_ID },
      '/glacier-sweeper/max-aborts': { Type: 'String', Value: String(DEFAULT_MAX_ABORTS) },
      '/glacier-sweeper/notify': { Type: 'String', Value: DEFAULT_NOTIFY },
      '/glacier-sweeper/max-list-parts': { Type: 'String', Value: String(DEFAULT_MAX_LIST_PARTS) },
    });
  });

  it('take the values of the props, under ssmPrefix, with exclude and quiet-period when set', () => {
    expect(parameters(custom.template)).toEqual({
      '/sweeper/prod/vaults': { Type: 'StringList', Value: 'backup-a,backup-b=3d' },
      '/sweeper/prod/older-than': { Type: 'String', Value: '10d' },
      '/sweeper/prod/action': { Type: 'String', Value: 'abort' },
      '/sweeper/prod/account-id': { Type: 'String', Value: '111111111111' },
      '/sweeper/prod/max-aborts': { Type: 'String', Value: '50' },
      '/sweeper/prod/notify': { Type: 'String', Value: 'always' },
      '/sweeper/prod/exclude': { Type: 'String', Value: '^keep:' },
      '/sweeper/prod/quiet-period': { Type: 'String', Value: '3d' },
      '/sweeper/prod/max-list-parts': { Type: 'String', Value: '500' },
    });
  });

  it('create quiet-period from the quietPeriod prop alone, and max-list-parts from a string', () => {
    const { template } = synth({ quietPeriod: '2d', maxListParts: '0' });
    expect(parameters(template)).toMatchObject({
      '/glacier-sweeper/quiet-period': { Type: 'String', Value: '2d' },
      '/glacier-sweeper/max-list-parts': { Type: 'String', Value: '0' },
    });
    expect(parameters(template)['/glacier-sweeper/exclude']).toBeUndefined();
  });
});

describe('state table', () => {
  it('is one on-demand table keyed by the string pk, with TTL on ttl', () => {
    defaults.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const table = defaults.template.toJSON().Resources[ids(defaults).table];
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: STATE_KEY_ATTRIBUTE, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: STATE_KEY_ATTRIBUTE, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: STATE_TTL_ATTRIBUTE, Enabled: true },
    });
    // The adapter's names are what the table is built from: pin them to the contract's values too.
    expect([STATE_KEY_ATTRIBUTE, STATE_TTL_ATTRIBUTE]).toEqual(['pk', 'ttl']);
    expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.Properties.StreamSpecification).toBeUndefined();
    expect(table.Properties.TableName).toBeUndefined();
  });

  it('is encrypted with the AWS-managed key, without PITR, and deleted with the stack', () => {
    const table = defaults.template.toJSON().Resources[ids(defaults).table];
    // SSEEnabled without a key id is the aws/dynamodb key (KMS), not the default AWS-owned key.
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
    expect(table).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it('exists without quietPeriod too, so quiet-period can be switched on in SSM', () => {
    custom.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(parameters(defaults.template)['/glacier-sweeper/quiet-period']).toBeUndefined();
  });
});

describe('schedule', () => {
  it('runs daily by default through Scheduler, with a retry policy and the encrypted queue as DLQ', () => {
    const { fn, queue } = ids(defaults);
    defaults.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: DEFAULT_SCHEDULE,
      ScheduleExpressionTimezone: DEFAULT_TIMEZONE,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
      },
    });
    expect(DEFAULT_SCHEDULE).toBe('cron(0 3 * * ? *)');
    defaults.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    defaults.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('takes its expression and time zone from props', () => {
    custom.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 4 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
    });
  });
});

describe('alarms', () => {
  const alarms = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm'));

  it('all publish to the topic', () => {
    const found = alarms(defaults.template);
    expect(found).toHaveLength(6);
    for (const alarm of found) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: ids(defaults).topic }]);
    }
  });

  it('watch function errors, the failure queue and a duration close to the timeout', () => {
    const { fn, queue } = ids(defaults);
    const t = defaults.template;
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Threshold: 480_000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    custom.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Threshold: 720_000,
    });
  });

  it("watch the sweeper's dimensionless run totals, and breach when no run completes for two days", () => {
    const t = defaults.template;
    for (const metricName of [METRICS.vaultErrors, METRICS.abortFailures]) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRIC_NAMESPACE,
        MetricName: metricName,
        Dimensions: Match.absent(),
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRICS.runsCompleted,
      Dimensions: Match.absent(),
      Statistic: 'Sum',
      Period: 86_400,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });
});

describe('dashboard and outputs', () => {
  /** The dashboard's widgets, references replaced by placeholders so the body parses as JSON. */
  const widgets = (template: Template) => {
    const body = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties
      .DashboardBody['Fn::Join'][1] as unknown[];
    const text = body.map((part) => (typeof part === 'string' ? part : 'REF')).join('');
    return JSON.parse(text).widgets as {
      type: string;
      properties: { title: string; metrics?: unknown[][] };
    }[];
  };
  const graph = (template: Template, title: string) => {
    const found = widgets(template).find((w) => w.properties.title === title);
    if (found === undefined) throw new Error(`no widget ${title}`);
    return found.properties.metrics;
  };
  const FIGURES = [
    ['Uploads scanned', METRICS.scanned, 'Sum'],
    ['Stale uploads', METRICS.stale, 'Sum'],
    ['Uploads aborted', METRICS.aborted, 'Sum'],
    ['Abort failures', METRICS.abortFailures, 'Sum'],
    // A level per run, so the day's maximum, not a sum over runs.
    ['Bytes at stake in stale uploads', METRICS.bytesAtStake, 'Maximum'],
  ] as const;

  it('draws the run totals (no dimension) by default, when the function emits no per-vault metrics', () => {
    for (const [title, metricName, stat] of FIGURES) {
      expect(graph(defaults.template, `${title} (all vaults)`)).toEqual([
        [METRIC_NAMESPACE, metricName, { period: 86_400, stat }],
      ]);
    }
    expect(JSON.stringify(widgets(defaults.template))).not.toContain('SEARCH');
  });

  it('draws one line per vault with SEARCH over the Vault dimension with perVaultMetrics', () => {
    for (const [title, metricName, stat] of FIGURES) {
      expect(graph(custom.template, `${title} per vault`)).toEqual([
        [
          {
            expression: `SEARCH('{${METRIC_NAMESPACE},${METRIC_DIMENSION_VAULT}} MetricName="${metricName}"', '${stat}', 86400)`,
            period: 86_400,
          },
        ],
      ]);
    }
  });

  it('keeps the runs, function and alarm widgets either way', () => {
    for (const { template } of [defaults, custom]) {
      const titles = widgets(template).map((w) => w.properties.title);
      expect(titles.slice(-3)).toEqual(['Runs', 'Function', 'Alarms']);
      expect(titles).toHaveLength(8);
    }
  });

  it('outputs the topic ARN, function name, SSM prefix, dashboard URL, log group, failure queue and state table', () => {
    const outputs = defaults.template.toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual([
      'DashboardUrl',
      'FailureQueueUrl',
      'FunctionName',
      'LogGroupName',
      'SsmPrefix',
      'StateTableName',
      'TopicArn',
    ]);
    expect(outputs.StateTableName.Value).toEqual({ Ref: ids(defaults).table });
    expect(outputs.TopicArn.Value).toEqual({ Ref: ids(defaults).topic });
    expect(outputs.FunctionName.Value).toEqual({ Ref: ids(defaults).fn });
    expect(outputs.SsmPrefix.Value).toBe(DEFAULT_SSM_PREFIX);
    expect(outputs.LogGroupName.Value).toEqual({ Ref: ids(defaults).logGroup });
    expect(outputs.FailureQueueUrl.Value).toEqual({ Ref: ids(defaults).queue });
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards/dashboard/');
  });
});
