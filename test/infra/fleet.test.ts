import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GlacierSweeperFleet,
  type GlacierSweeperFleetProps,
} from '../../infra/constructs/glacier-sweeper-fleet';
import { buildFleetApp } from '../../infra/fleet-app';
import {
  FLEET_STACK_NAME,
  HUB_WORKER_ROLE_NAME,
  SPOKE_ROLE_NAME,
  SPOKE_STACK_NAME,
} from '../../lambda/fleet/names';
import { NO_BUNDLING, rolePolicy } from './helpers';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function hub(props: GlacierSweeperFleetProps = {}) {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Hub', { env: { account: '111111111111', region: 'eu-west-1' } });
  const fleet = new GlacierSweeperFleet(stack, 'GlacierSweeperFleet', props);
  return { fleet, template: Template.fromStack(stack) };
}

describe('the fleet app (-c fleet=true)', () => {
  it('holds the hub and the spoke stacks, cdk-nag clean', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-fleet-'));
    outdirs.push(outdir);
    const app = new App({
      outdir,
      context: {
        ...NO_BUNDLING,
        fleet: 'true',
        organizationId: 'o-exampleorg1',
        hubAccountId: '111111111111',
      },
    });
    const stacks = buildFleetApp(app);
    expect(stacks.map((s) => s.stackName)).toEqual([FLEET_STACK_NAME, SPOKE_STACK_NAME]);
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string }[] }[];
    };
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual([]);
  });

  it('leaves the spoke out, with a warning, when the hub account is unknown', () => {
    const app = new App({ context: { ...NO_BUNDLING, fleet: 'true', organizationId: 'o-exampleorg1' } });
    const saved = process.env.CDK_DEFAULT_ACCOUNT;
    delete process.env.CDK_DEFAULT_ACCOUNT;
    try {
      expect(buildFleetApp(app).map((s) => s.stackName)).toEqual([FLEET_STACK_NAME]);
    } finally {
      if (saved !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved;
    }
  });

  it("takes -c regions as the hub's initial regions parameter, and the other fleet keys as props", () => {
    const app = new App({
      context: {
        ...NO_BUNDLING,
        fleet: 'true',
        regions: 'eu-west-1,us-east-1',
        accounts: '222222222222,333333333333',
        abortAccounts: '222222222222',
        maxConcurrency: '20',
      },
    });
    const [hubStack] = buildFleetApp(app);
    const template = Template.fromStack(hubStack as Stack);
    const value = (name: string) =>
      Object.values(template.findResources('AWS::SSM::Parameter')).find(
        (r) => r.Properties.Name === `/glacier-sweeper-fleet/${name}`,
      )?.Properties.Value;
    expect(value('regions')).toBe('eu-west-1,us-east-1');
    expect(value('accounts')).toBe('222222222222,333333333333');
    expect(value('abort-accounts')).toBe('222222222222');
    expect(JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'))).toContain(
      '\\"MaxConcurrency\\":20',
    );
  });

  it('refuses single-account keys', () => {
    const app = new App({ context: { ...NO_BUNDLING, fleet: 'true', accountId: '111111111111' } });
    expect(() => buildFleetApp(app)).toThrow('accountId is a single-account setting');
  });
});

describe('GlacierSweeperFleet', () => {
  it('runs a Standard state machine on a daily schedule, its timeout below the period', () => {
    const { template } = hub();
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'GlacierSweeperFleet',
      StateMachineType: 'STANDARD',
    });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"TimeoutSeconds\\":72000');
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Target: { Arn: { Ref: Match.stringLikeRegexp('StateMachine') } },
    });
  });

  it('names the worker role; it may assume only the spoke role, and calls nothing it does not need', () => {
    const { fleet, template } = hub();
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: HUB_WORKER_ROLE_NAME });
    const role = Stack.of(fleet).getLogicalId(fleet.workerRole.node.defaultChild as never);
    const statements = rolePolicy(template, role);
    expect(statements.filter((s) => s.actions.includes('sts:AssumeRole'))).toEqual([
      expect.objectContaining({ resources: [`arn:<AWS::Partition>:iam::*:role/${SPOKE_ROLE_NAME}`] }),
    ]);
    expect(statements.flatMap((s) => s.actions).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'organizations:ListAccounts',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'sns:Publish',
      'ssm:GetParameters',
      'states:ListExecutions',
      'sts:AssumeRole',
    ]);
  });

  it('keeps run data in an encrypted, TLS-only bucket whose chunks expire and whose reports stay as long as the logs', () => {
    const { template } = hub();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Prefix: 'runs/', ExpirationInDays: 30, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 365, Status: 'Enabled' }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates the hub settings under /glacier-sweeper-fleet, with no account-id', () => {
    const { template } = hub({ abortAccounts: ['222222222222'] });
    const names = Object.values(template.findResources('AWS::SSM::Parameter'))
      .map((r) => r.Properties.Name)
      .sort();
    expect(names).toEqual(
      [
        'abort-accounts',
        'accounts',
        'action',
        'max-aborts',
        'max-list-parts',
        'notify',
        'older-than',
        'regions',
        'vaults',
      ].map((n) => `/glacier-sweeper-fleet/${n}`),
    );
  });

  it('alarms on failed and timed-out executions, target errors and no completed run', () => {
    const { fleet } = hub();
    expect(Object.keys(fleet.alarms).sort()).toEqual([
      'executionFailed',
      'executionTimedOut',
      'noCompletedRun',
      'targetErrors',
    ]);
  });

  it.each([
    [{ maxConcurrency: 300, vaultConcurrency: 4 }, 'maxConcurrency × vaultConcurrency = 300 × 4 = 1200'],
    [{ stateMachineTimeout: Duration.hours(24) }, "not below the schedule's period"],
    [{ schedule: 'rate(6 hours)' }, "not below the schedule's period"],
    [{ schedule: 'cron(0 */2 * * ? *)' }, 'cannot be read: set stateMachineTimeout'],
    [{ accounts: ['123'] }, 'accounts'],
    [{ regions: ['Europe'] }, 'regions'],
    [{ workerTimeout: Duration.minutes(20) }, 'workerTimeout'],
  ] as [GlacierSweeperFleetProps, string][])('refuses %j at synth', (props, message) => {
    expect(() => hub(props)).toThrow(message);
  });
});
