import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readSweeperContext } from '../../infra/context';
import { buildSweeperApp } from '../../infra/sweeper-app';
import { MAX_VAULT_CONCURRENCY } from '../../lambda/core/defaults';
import { testApp } from './helpers';

/** The context as `cdk synth -c key=value` delivers it: every value a string. */
const fromCli = (context: Record<string, string>) =>
  readSweeperContext((key) => context[key], Object.keys(context));

describe('app', () => {
  it('synthesizes one stack per region of -c regions, each in its region, all named GlacierSweeper', () => {
    const stacks = buildSweeperApp(testApp({ regions: 'us-east-1, eu-west-1' }));
    // Construct ids differ (they select a stack on the CLI); the CloudFormation stack name does not.
    expect(stacks.map((stack) => [stack.node.id, stack.stackName, stack.region])).toEqual([
      ['GlacierSweeper-us-east-1', 'GlacierSweeper', 'us-east-1'],
      ['GlacierSweeper-eu-west-1', 'GlacierSweeper', 'eu-west-1'],
    ]);
    const [, euWest] = stacks;
    if (euWest === undefined) throw new Error('no eu-west-1 stack');
    const policy = JSON.stringify(Template.fromStack(euWest).findResources('AWS::IAM::Policy'));
    expect(policy).toContain(':glacier:eu-west-1:');
    expect(policy).not.toContain('us-east-1');
  });

  it('synthesizes a single GlacierSweeper stack without -c regions', () => {
    expect(buildSweeperApp(testApp()).map((stack) => [stack.node.id, stack.stackName])).toEqual([
      ['GlacierSweeper', 'GlacierSweeper'],
    ]);
  });

  it('names the stack GlacierSweeper with a single -c regions entry too', () => {
    expect(
      buildSweeperApp(testApp({ regions: 'eu-west-1' })).map((stack) => [stack.node.id, stack.stackName]),
    ).toEqual([['GlacierSweeper-eu-west-1', 'GlacierSweeper']]);
  });

  it('puts the construct id into the cloud assembly as the display name the CLI selects stacks by', () => {
    // The CLI (aws-cdk 2.1148) matches `cdk deploy <pattern>` against each stack artifact's
    // displayName (the construct path), never against its stack name: `cdk deploy GlacierSweeper`
    // selects nothing in a multi-region app, `cdk deploy GlacierSweeper-eu-west-1` selects one stack.
    const app = testApp({ regions: 'us-east-1,eu-west-1' });
    buildSweeperApp(app);
    const assembly = app.synth();
    expect(
      assembly.stacks.map((stack) => [
        stack.id,
        stack.manifest.displayName,
        stack.stackName,
        stack.environment.region,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['GlacierSweeper-us-east-1', 'GlacierSweeper-us-east-1', 'GlacierSweeper', 'us-east-1'],
        ['GlacierSweeper-eu-west-1', 'GlacierSweeper-eu-west-1', 'GlacierSweeper', 'eu-west-1'],
      ]),
    );
    expect(assembly.stacks).toHaveLength(2);
  });

  it('turns -c vaults=backups,logs=3d -c alertEmails=… into parameters and subscriptions, no code change', () => {
    const [stack] = buildSweeperApp(
      testApp({
        vaults: 'backups,logs=3d',
        alertEmails: 'ops@example.com',
        action: 'abort',
        olderThan: '14d',
      }),
    );
    if (stack === undefined) throw new Error('no stack');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/glacier-sweeper/vaults',
      Type: 'StringList',
      Value: 'backups,logs=3d',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/glacier-sweeper/action',
      Value: 'abort',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/glacier-sweeper/older-than',
      Value: '14d',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('turns -c quietPeriod=2d -c maxListParts=500 into their parameters', () => {
    const [stack] = buildSweeperApp(testApp({ quietPeriod: '2d', maxListParts: '500' }));
    if (stack === undefined) throw new Error('no stack');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/glacier-sweeper/quiet-period',
      Value: '2d',
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/glacier-sweeper/max-list-parts',
      Value: '500',
    });
  });

  it('turns -c vaultConcurrency=2 -c abortConcurrency=16 into the function environment', () => {
    const [stack] = buildSweeperApp(testApp({ vaultConcurrency: '2', abortConcurrency: '16' }));
    if (stack === undefined) throw new Error('no stack');
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ SWEEPER_VAULT_CONCURRENCY: '2', SWEEPER_ABORT_CONCURRENCY: '16' }),
      },
    });
    expect(() => buildSweeperApp(testApp({ vaultConcurrency: String(MAX_VAULT_CONCURRENCY + 1) }))).toThrow(
      `GlacierSweeper: invalid prop vaultConcurrency: vaultConcurrency = "${MAX_VAULT_CONCURRENCY + 1}": must be a whole number from 1 to ${MAX_VAULT_CONCURRENCY}`,
    );
  });

  it('turns -c perVaultMetrics=true into SWEEPER_VAULT_METRICS=on, and leaves it off without', () => {
    const vaultMetrics = (context: Record<string, string>) => {
      const [stack] = buildSweeperApp(testApp(context));
      if (stack === undefined) throw new Error('no stack');
      const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
      return fn?.Properties.Environment.Variables.SWEEPER_VAULT_METRICS;
    };
    expect(vaultMetrics({ perVaultMetrics: 'true' })).toBe('on');
    expect(vaultMetrics({ perVaultMetrics: 'false' })).toBe('off');
    expect(vaultMetrics({})).toBe('off');
  });

  it('fails synth naming the prop when a context value is invalid', () => {
    expect(() => buildSweeperApp(testApp({ olderThan: '1h' }))).toThrow(
      /^GlacierSweeper: invalid prop olderThan: olderThan = "1h": must be at least 24h/,
    );
    expect(() => buildSweeperApp(testApp({ maxListParts: 'many' }))).toThrow(
      /^GlacierSweeper: invalid prop maxListParts: maxListParts = "many"/,
    );
  });
});

describe('context', () => {
  it('reads every prop from strings', () => {
    const { props, regions } = fromCli({
      vaults: 'a,b=3d',
      olderThan: '10d',
      action: 'report',
      accountId: '-',
      maxAborts: '5',
      exclude: '^keep',
      notify: 'always',
      quietPeriod: '2d',
      maxListParts: '500',
      schedule: 'rate(12 hours)',
      timezone: 'Europe/Paris',
      alertEmails: 'a@example.com, b@example.com,',
      ssmPrefix: '/s',
      memorySize: '512',
      timeout: '14m',
      logRetention: '731',
      reservedConcurrency: 'false',
      vaultConcurrency: '6',
      abortConcurrency: '12',
      perVaultMetrics: 'true',
      vaultAccountIds: '111111111111,222222222222',
      vaultPattern: '^a',
      grantNamedVaultsOnly: 'true',
      regions: 'eu-west-1',
    });
    expect(regions).toEqual(['eu-west-1']);
    expect({ ...props, timeout: props.timeout?.toSeconds() }).toEqual({
      vaults: 'a,b=3d',
      olderThan: '10d',
      action: 'report',
      accountId: '-',
      maxAborts: '5',
      exclude: '^keep',
      notify: 'always',
      quietPeriod: '2d',
      maxListParts: '500',
      schedule: 'rate(12 hours)',
      timezone: 'Europe/Paris',
      alertEmails: ['a@example.com', 'b@example.com'],
      ssmPrefix: '/s',
      memorySize: 512,
      timeout: 840,
      logRetention: 731,
      reservedConcurrency: false,
      vaultConcurrency: 6,
      abortConcurrency: 12,
      perVaultMetrics: true,
      vaultAccountIds: ['111111111111', '222222222222'],
      vaultPattern: '^a',
      grantNamedVaultsOnly: true,
    });
    expect(fromCli({ grantNamedVaultsOnly: 'false' }).props.grantNamedVaultsOnly).toBe(false);
    expect(readSweeperContext((key) => ({ grantNamedVaultsOnly: true })[key], []).props).toMatchObject({
      grantNamedVaultsOnly: true,
    });
  });

  it("lets CDK's own context keys through, and every key of this repository's cdk.json", () => {
    const cdkKeys = {
      '@aws-cdk/core:newStyleStackSynthesis': 'true',
      '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver': 'true',
      '@example/some-feature:flag': 'true',
      'aws:cdk:enable-path-metadata': 'true',
      'aws:cdk:bundling-stacks': '[]',
      'aws-cdk:enableDiffNoFail': 'true',
      'cli-telemetry': 'false',
      'acknowledged-issue-numbers': '[32775]',
      'cdk-migrate': 'true',
      // Lookups the CLI caches in cdk.context.json.
      'availability-zones:account=123456789012:region=eu-west-1': '["eu-west-1a"]',
    };
    expect(() => fromCli(cdkKeys)).not.toThrow();
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    expect(() =>
      readSweeperContext((key) => cdkJson.context[key], Object.keys(cdkJson.context)),
    ).not.toThrow();
  });

  it('reads timeouts in seconds and arrays from cdk.json', () => {
    const { props } = readSweeperContext(
      (key) => ({ timeout: 300, vaults: ['a', 'b'], alertEmails: ['x@example.com'] })[key],
      [],
    );
    expect(props.timeout?.toSeconds()).toBe(300);
    expect(props.vaults).toEqual(['a', 'b']);
    expect(props.alertEmails).toEqual(['x@example.com']);
  });

  it('shows a number from cdk.json as a number when it is out of bounds', () => {
    expect(() => readSweeperContext((key) => ({ memorySize: 64.5 })[key], [])).toThrow(
      /^GlacierSweeper: invalid prop memorySize: memorySize = 64\.5: must be a whole number from 128 to 10240$/,
    );
  });

  it.each([
    [
      { memorySize: 'lots' },
      /^GlacierSweeper: invalid prop memorySize: memorySize = "lots": must be a whole number from 128 to 10240$/,
    ],
    [{ timeout: '10h' }, /^GlacierSweeper: invalid prop timeout: /],
    [{ regions: 'eu-west-1,mars' }, /^GlacierSweeper: invalid prop regions: regions entry "mars"/],
    [{ regions: 'eu-west-1,eu-west-1' }, /^GlacierSweeper: invalid prop regions: .*listed twice/],
    [
      { 'older-than': '3d' },
      /^GlacierSweeper: invalid prop olderThan: context key "older-than" is not read: did you mean -c olderThan/,
    ],
    [{ alertemails: 'x@example.com' }, /did you mean -c alertEmails/],
    [{ 'quiet-period': '2d' }, /^GlacierSweeper: invalid prop quietPeriod: .*did you mean -c quietPeriod/],
    [
      { olderThen: '3d' },
      /^GlacierSweeper: invalid prop olderThan: context key "olderThen" is not read: did you mean -c olderThan=…\? Known keys: vaults, olderThan, .*, regions/,
    ],
    [
      { alertEmail: 'x@example.com' },
      /context key "alertEmail" is not read: did you mean -c alertEmails=…\?/,
    ],
    [
      { bogusKey: 'x' },
      /^GlacierSweeper: invalid prop bogusKey: context key "bogusKey" is not read\. Known keys: vaults, olderThan, action, .*grantNamedVaultsOnly, regions, fleet, organizationId, .*spokeStackSetRegion \(keys of CDK itself, such as @aws-cdk\/…, aws:…, aws-cdk:…, cdk-…, pass\)$/,
    ],
    [
      { vaultConcurrency: 'four' },
      new RegExp(
        `^GlacierSweeper: invalid prop vaultConcurrency: vaultConcurrency = "four": must be a whole number from 1 to ${MAX_VAULT_CONCURRENCY}$`,
      ),
    ],
    [{ abortconcurrency: '4' }, /did you mean -c abortConcurrency/],
    [
      { reservedConcurrency: '0' },
      /^GlacierSweeper: invalid prop reservedConcurrency: reservedConcurrency = "0": must be a whole number from 1 to 1000$/,
    ],
    [
      { logRetention: 'a year' },
      /^GlacierSweeper: invalid prop logRetention: logRetention = "a year": must be a whole number of 1 or more$/,
    ],
    [
      { perVaultMetrics: 'on' },
      /^GlacierSweeper: invalid prop perVaultMetrics: perVaultMetrics = "on": expected true or false/,
    ],
    [
      { grantNamedVaultsOnly: 'yes' },
      /^GlacierSweeper: invalid prop grantNamedVaultsOnly: grantNamedVaultsOnly = "yes": expected true or false/,
    ],
  ])('rejects %o', (context, message) => {
    expect(() => fromCli(context)).toThrow(message);
  });
});

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

  it('runs the app with tsx and keeps the CLI offline: no notices, no telemetry', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context['cli-telemetry']).toBe(false);
  });

  it('carries the feature flags that `cdk init` writes for this CLI version', () => {
    const recommended = JSON.parse(
      readFileSync(
        new URL(
          '../../node_modules/aws-cdk/lib/init-templates/.recommended-feature-flags.json',
          import.meta.url,
        ),
        'utf8',
      ),
    );
    expect(cdkJson.context).toMatchObject(recommended);
  });
});
