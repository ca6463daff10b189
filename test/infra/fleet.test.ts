import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it, vi } from 'vitest';
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
import { flatStatements, NO_BUNDLING, rolePolicy } from './helpers';

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
  const HUB = '111111111111';
  const ORG = 'o-exampleorg1';
  /** The context CLI credentials for a member account would give: `cdk deploy` run there. */
  const MEMBER = '222222222222';

  /**
   * Builds the fleet app as `cdk synth` does, with the CLI's environment variables stubbed
   * (undefined: unset, as offline without credentials), synthesizes it, and returns its stacks,
   * their templates and cdk-nag's findings.
   */
  function fleetApp(
    context: Record<string, string>,
    env: { account?: string; region?: string } = {},
    cloudFormationValidation = false,
  ) {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', env.account);
    vi.stubEnv('CDK_DEFAULT_REGION', env.region);
    try {
      const outdir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-fleet-'));
      outdirs.push(outdir);
      const app = new App({
        outdir,
        context: { ...NO_BUNDLING, fleet: 'true', ...context },
        builtinCloudFormationValidation: cloudFormationValidation,
      });
      const stacks = buildFleetApp(app);
      app.synth();
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: { ruleName: string }[] }[];
      };
      const byName = (name: string) => stacks.find((s) => s.stackName === name);
      const spoke = byName(SPOKE_STACK_NAME);
      return {
        stacks,
        names: stacks.map((s) => s.stackName),
        hub: byName(FLEET_STACK_NAME) as Stack,
        spoke,
        spokeTemplate: spoke === undefined ? undefined : Template.fromStack(spoke).toJSON(),
        findings: report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName)),
      };
    } finally {
      vi.unstubAllEnvs();
    }
  }

  /** The spoke role's trust policy, references flattened (`<HubAccountId>`, `<AWS::Partition>`). */
  const trust = (template: Record<string, unknown> | undefined) => {
    const resources = (template?.Resources ?? {}) as Record<
      string,
      { Type: string; Properties: { AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] } } }
    >;
    const roles = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    return roles.flatMap((role) => flatStatements(role.Properties.AssumeRolePolicyDocument));
  };
  const trusting = (hub: string) => [
    {
      sid: undefined,
      effect: 'Allow',
      actions: ['sts:AssumeRole'],
      resources: [],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': `arn:<AWS::Partition>:iam::${hub}:role/${HUB_WORKER_ROLE_NAME}` },
        StringEquals: { 'aws:PrincipalOrgID': ORG },
      },
      principal: { AWS: `arn:<AWS::Partition>:iam::${hub}:root` },
    },
  ];

  it('synthesizes the hub and the spoke offline from organizationId alone, the spoke trusting its HubAccountId parameter, cdk-nag clean', () => {
    const { names, hub, spokeTemplate, findings } = fleetApp({ organizationId: ORG }, {}, true);
    expect(names).toEqual([FLEET_STACK_NAME, SPOKE_STACK_NAME]);
    // Both environment-agnostic: nothing in them comes from credentials the synth did not have.
    expect(hub.environment).toBe('aws://unknown-account/unknown-region');
    expect(spokeTemplate?.Parameters).toEqual({
      HubAccountId: {
        Type: 'String',
        AllowedPattern: '^[0-9]{12}$',
        ConstraintDescription: expect.stringContaining('12-digit id of the hub account'),
        Description: expect.stringContaining('The 12-digit id of the hub account'),
      },
    });
    expect(trust(spokeTemplate)).toEqual(trusting('<HubAccountId>'));
    expect(findings).toEqual([]);
  });

  it("never trusts the CLI's account: with CDK_DEFAULT_ACCOUNT set and no hubAccountId the spoke still takes the parameter", () => {
    // `cdk deploy GlacierSweeperSpoke` with a member account's credentials sets CDK_DEFAULT_ACCOUNT to
    // the member account: a spoke trusting it would trust itself, and the hub could never assume it.
    const { names, spokeTemplate, findings } = fleetApp(
      { organizationId: ORG },
      { account: MEMBER, region: 'eu-west-1' },
    );
    expect(names).toEqual([FLEET_STACK_NAME, SPOKE_STACK_NAME]);
    expect(JSON.stringify(spokeTemplate)).not.toContain(MEMBER);
    expect(Object.keys(spokeTemplate?.Parameters ?? {})).toEqual(['HubAccountId']);
    expect(trust(spokeTemplate)).toEqual(trusting('<HubAccountId>'));
    expect(findings).toEqual([]);
  });

  it('writes -c hubAccountId into the trust as a literal, whatever the CLI account, and takes no parameter', () => {
    for (const env of [{}, { account: MEMBER, region: 'eu-west-1' }]) {
      const { names, spokeTemplate, findings } = fleetApp({ organizationId: ORG, hubAccountId: HUB }, env);
      expect(names).toEqual([FLEET_STACK_NAME, SPOKE_STACK_NAME]);
      expect(spokeTemplate?.Parameters).toBeUndefined();
      expect(trust(spokeTemplate)).toEqual(trusting(HUB));
      expect(JSON.stringify(spokeTemplate)).not.toContain(MEMBER);
      expect(findings).toEqual([]);
    }
  });

  it('refuses a malformed -c hubAccountId at synth, naming the value', () => {
    expect(() => fleetApp({ organizationId: ORG, hubAccountId: '11111111111' })).toThrow(
      /^GlacierSweeper: invalid prop hubAccountId: hubAccountId = "11111111111": must be a 12-digit account id/,
    );
  });

  it('leaves the spoke out, with a warning, without -c organizationId', () => {
    for (const context of [{}, { hubAccountId: HUB }] as Record<string, string>[]) {
      const { names, hub } = fleetApp(context);
      expect(names).toEqual([FLEET_STACK_NAME]);
      Annotations.fromStack(hub).hasWarning(
        '*',
        Match.stringLikeRegexp('GlacierSweeperSpoke is left out: its trust policy needs -c organizationId'),
      );
    }
  });

  it("holds the StackSet of spokes in an environment-agnostic hub, passing the hub's own account as HubAccountId", () => {
    const { hub, spokeTemplate, findings } = fleetApp({
      organizationId: ORG,
      spokeOrganizationalUnitIds: 'ou-ab12-cdefgh34',
      spokeStackSetRegion: 'us-east-1',
    });
    expect(hub.environment).toBe('aws://unknown-account/unknown-region');
    const stackSets = Object.values(Template.fromStack(hub).findResources('AWS::CloudFormation::StackSet'));
    expect(stackSets).toHaveLength(1);
    const properties = stackSets[0]?.Properties;
    // Resolved when the hub stack deploys: the account it deploys into is the hub.
    expect(properties.Parameters).toEqual([
      { ParameterKey: 'HubAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
    ]);
    // The body is the spoke stack's own template, parameter and all.
    expect(JSON.parse(properties.TemplateBody)).toEqual(spokeTemplate);
    expect(findings).toEqual([]);
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

describe('GlacierSweeperFleet: per-account metrics', () => {
  const envOf = (props: GlacierSweeperFleetProps) =>
    Object.values(hub(props).template.findResources('AWS::Lambda::Function')).map(
      (fn) => (fn.Properties.Environment.Variables as Record<string, string>).SWEEPER_ACCOUNT_METRICS,
    );

  it('are on by default and off with accountMetrics false, in every function', () => {
    expect(new Set(envOf({}))).toEqual(new Set(['on']));
    expect(new Set(envOf({ accountMetrics: false }))).toEqual(new Set(['off']));
  });

  it('are switched by -c accountMetrics in the fleet app, and a bad value names it', () => {
    const app = new App({ context: { ...NO_BUNDLING, fleet: 'true', accountMetrics: 'false' } });
    const [hubStack] = buildFleetApp(app);
    const functions = Template.fromStack(hubStack as Stack).findResources('AWS::Lambda::Function');
    expect(
      new Set(
        Object.values(functions).map((fn) => fn.Properties.Environment.Variables.SWEEPER_ACCOUNT_METRICS),
      ),
    ).toEqual(new Set(['off']));
    const bad = new App({ context: { ...NO_BUNDLING, fleet: 'true', accountMetrics: 'no' } });
    expect(() => buildFleetApp(bad)).toThrow(/accountMetrics = "no": expected true or false/);
  });
});
