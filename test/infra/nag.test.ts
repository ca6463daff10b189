import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSweeperApp } from '../../infra/sweeper-app';
import { acknowledgements, NO_BUNDLING, sweeperStack } from './helpers';

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Synthesizes the app as `cdk synth` does, cdk-nag's AwsSolutions pack included, and returns the
 * validation report. CDK's built-in CloudFormation validation compiles a WebAssembly engine (about
 * 12 s), so only the first test pays for it.
 */
function synthApp(
  context: Record<string, unknown>,
  options: {
    cloudFormationValidation?: boolean;
    tamper?: (stacks: ReturnType<typeof buildSweeperApp>) => void;
  } = {},
) {
  const outdir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-nag-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: { ...NO_BUNDLING, ...context },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const stacks = buildSweeperApp(app);
  options.tamper?.(stacks);
  let error: unknown;
  try {
    app.synth();
  } catch (caught) {
    error = caught;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
  const findings = report.pluginReports.flatMap((plugin) =>
    plugin.violations.map(
      (violation) => `${plugin.pluginName}: ${violation.ruleName} (${violation.severity})`,
    ),
  );
  return { error, findings, stacks };
}

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding with the defaults, nor a CloudFormation validation warning', () => {
    const { error, findings } = synthApp({}, { cloudFormationValidation: true });
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('has none either with every prop set (acknowledgements follow prop-dependent ARNs)', () => {
    const { error, findings } = synthApp({
      vaults: 'backup-a,backup-b=3d',
      action: 'abort',
      accountId: '111111111111',
      exclude: '^keep',
      quietPeriod: '3d',
      maxListParts: '500',
      alertEmails: 'ops@example.com',
      ssmPrefix: '/sweeper/prod',
      reservedConcurrency: 'false',
      vaultConcurrency: '8',
      abortConcurrency: '16',
      perVaultMetrics: 'true',
      vaultAccountIds: '111111111111,222222222222',
      vaultPattern: '^backup-',
    });
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('has none with grantNamedVaultsOnly (no wildcard vault resource, no ListVaults)', () => {
    const { error, findings } = synthApp({
      vaults: 'backup-a,backup-b=3d',
      action: 'abort',
      vaultAccountIds: '111111111111,222222222222',
      accountId: '111111111111',
      grantNamedVaultsOnly: 'true',
    });
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  // CDK's built-in validation does not look into Rules (a rule with an unknown function passes it):
  // this shows the stack with the rule is clean, not that CloudFormation accepts the rule.
  it('has none either with the deploy-time account rule of an environment-agnostic stack', () => {
    const { error, findings, stacks } = synthApp(
      { vaultAccountIds: '111111111111,222222222222' },
      { cloudFormationValidation: true },
    );
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
    const [stack] = stacks;
    if (stack === undefined) throw new Error('no stack');
    expect(Object.keys(Template.fromStack(stack).toJSON().Rules ?? {})).toContainEqual(
      expect.stringMatching(/OwnAccountInVaultAccountIds/),
    );
  });

  it('fails synth on a finding nobody acknowledged (the check is live)', () => {
    const { error, findings } = synthApp(
      {},
      {
        tamper: ([stack]) =>
          stack?.sweeper.role.addToPrincipalPolicy(
            new iam.PolicyStatement({ actions: ['glacier:DeleteArchive'], resources: ['*'] }),
          ),
      },
    );
    expect(findings).toEqual(['AwsSolutions: AwsSolutions-IAM5[Resource::*] (error)']);
    expect(String(error)).toContain('AwsSolutions-IAM5[Resource::*]');
  });
});

describe('acknowledgement reasons say what the code does', () => {
  const uploadsAck = (props: Parameters<typeof sweeperStack>[0]) => {
    const { sweeper } = sweeperStack(props);
    const acks = acknowledgements(sweeper.role);
    const id = Object.keys(acks).find((key) => key.includes(':glacier:') && key.includes('vaults/'));
    return id === undefined ? undefined : acks[id];
  };

  it('with vaultPattern: the function expands * by the pattern and refuses a named vault outside it', () => {
    // Both halves of the run-time check (issue 11, in lambda/): a reason that promised only the
    // first would hide that a named vault outside the pattern fails the run instead of being swept.
    for (const vaultPattern of ['^backup-', '^(backup|logs)-']) {
      const reason = uploadsAck({ vaultPattern });
      expect(reason).toContain("expands '*' only to the vault names matching vaultPattern");
      expect(reason).toContain(
        'refuses a named vault that does not match it (a configuration error at run time)',
      );
    }
  });
});
