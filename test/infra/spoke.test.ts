import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aws, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  GlacierSweeperSpoke,
  type GlacierSweeperSpokeProps,
} from '../../infra/constructs/glacier-sweeper-spoke';
import {
  addSpokeStackSet,
  type SpokeStackSetProps,
  spokeTemplate,
} from '../../infra/constructs/spoke-stack-set';
import {
  buildSpokeStack,
  type GlacierSweeperSpokeStack,
  type GlacierSweeperSpokeStackSpokeProps,
} from '../../infra/spoke-stack';
import { SPOKE_ROLE_NAME, SPOKE_STACK_NAME, spokeRoleArn } from '../../lambda/fleet/names';
import { acknowledgements, allPolicyDocuments, type FlatStatement, sortStatements, testApp } from './helpers';

const HUB = '111111111111';
const ORG = 'o-a1b2c3d4e5';
const SPOKE: GlacierSweeperSpokeProps = { hubAccountId: HUB, organizationId: ORG };
/** The spoke stack without -c hubAccountId: the hub account is its HubAccountId parameter. */
const PARAMETERIZED: GlacierSweeperSpokeStackSpokeProps = { organizationId: ORG };
const HUB_PARAMETER = {
  Type: 'String',
  AllowedPattern: '^[0-9]{12}$',
  ConstraintDescription:
    'must be the 12-digit id of the hub account (the account of the GlacierSweeperFleet stack), such as 123456789012',
  Description:
    'The 12-digit id of the hub account (the account of the GlacierSweeperFleet stack): only its worker role GlacierSweeperFleetWorker may assume the role GlacierSweeperSpoke',
};
const EVERY_SPOKE_PROP: GlacierSweeperSpokeProps = { ...SPOKE, vaultRegions: ['eu-west-1', 'us-east-1'] };
const EVERY_PARAMETERIZED: GlacierSweeperSpokeStackSpokeProps = {
  organizationId: ORG,
  vaultRegions: ['eu-west-1', 'us-east-1'],
};
const STACK_SET: SpokeStackSetProps = {
  ...SPOKE,
  organizationalUnitIds: ['ou-ab12-cdefgh34'],
  region: 'us-east-1',
};
const EVERY_STACK_SET_PROP: SpokeStackSetProps = {
  ...EVERY_SPOKE_PROP,
  organizationalUnitIds: ['ou-ab12-cdefgh34', 'r-ab12'],
  region: 'eu-west-1',
  callAs: 'DELEGATED_ADMIN',
  stackSetName: 'GlacierSweeperSpokeProd',
  operationPreferences: { maxConcurrentPercentage: 25, failureTolerancePercentage: 10 },
};

/** The spoke stack as the fleet app adds it (environment-agnostic), and its template. */
function spokeStack(spoke: GlacierSweeperSpokeStackSpokeProps = SPOKE) {
  const stack = buildSpokeStack(testApp(), spoke);
  return { stack, template: Template.fromStack(stack) };
}

/**
 * A hub stand-in: a stack in the management account holding only the StackSet; environment-agnostic
 * with `env` undefined.
 */
function hubStack(
  props: SpokeStackSetProps = STACK_SET,
  env: { account: string; region: string } | null = { account: HUB, region: 'eu-west-1' },
) {
  const stack = new Stack(testApp(), 'Hub', { env: env ?? undefined });
  const stackSet = addSpokeStackSet(stack, props);
  return { stack, stackSet, template: Template.fromStack(stack) };
}

const id = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);

const allow = (s: Omit<FlatStatement, 'effect'>): FlatStatement => ({ effect: 'Allow', ...s });
const vaults = (region: string) => `arn:<AWS::Partition>:glacier:${region}:<AWS::AccountId>:vaults/*`;

/**
 * Every policy document of a spoke template, pinned whole: the trust policy and the two grants.
 * `hub` is the hub account as the trust policy names it: the literal, or `<HubAccountId>`.
 */
function expectedPolicies(
  stack: GlacierSweeperSpokeStack,
  regions: string[],
  hub = HUB,
): Record<string, FlatStatement[]> {
  const { role } = stack.spoke;
  const roleId = id(stack, role);
  const defaultPolicy = id(stack, role.node.findChild('DefaultPolicy'));
  const listVaultsPolicy = id(stack, stack.spoke.node.findChild('ListVaultsPolicy'));
  return {
    [`${roleId}.AssumeRolePolicyDocument`]: [
      allow({
        sid: undefined,
        // The hub account as the principal, narrowed to its worker role and to the organization.
        principal: { AWS: `arn:<AWS::Partition>:iam::${hub}:root` },
        actions: ['sts:AssumeRole'],
        resources: [],
        conditions: {
          ArnEquals: {
            'aws:PrincipalArn': `arn:<AWS::Partition>:iam::${hub}:role/GlacierSweeperFleetWorker`,
          },
          StringEquals: { 'aws:PrincipalOrgID': ORG },
        },
      }),
    ],
    [`${defaultPolicy}.PolicyDocument`]: sortStatements([
      // lambda/adapters/glacier.ts, as the hub's worker calls it with the spoke's credentials
      allow({
        sid: 'ListMeasureAndAbortUploads',
        actions: ['glacier:AbortMultipartUpload', 'glacier:ListMultipartUploads', 'glacier:ListParts'],
        resources: regions.map(vaults).sort(),
      }),
      // The skip tag (glacier-sweeper=skip) is read per vault.
      allow({
        sid: 'ReadSkipTag',
        actions: ['glacier:ListTagsForVault'],
        resources: regions.map(vaults).sort(),
      }),
    ]),
    // No resource type: only `*` works (Service Authorization Reference).
    [`${listVaultsPolicy}.PolicyDocument`]: [
      allow({ sid: 'ListVaults', actions: ['glacier:ListVaults'], resources: ['*'] }),
    ],
  };
}

describe('GlacierSweeperSpoke role', () => {
  it('trusts only the hub worker role within the organization, and grants exactly its statements in every region', () => {
    const { stack, template } = spokeStack();
    expect(allPolicyDocuments(template)).toEqual(expectedPolicies(stack, ['*']));
  });

  it('trusts the hub account of its HubAccountId parameter when the stack is given none, and grants the same', () => {
    const { stack, template } = spokeStack(PARAMETERIZED);
    expect(allPolicyDocuments(template)).toEqual(expectedPolicies(stack, ['*'], '<HubAccountId>'));
    const role = template.toJSON().Resources[id(stack, stack.spoke.role)];
    expect(role.Properties.Description).toEqual({
      'Fn::Join': [
        '',
        [
          'glacier-sweeper fleet: the hub ',
          { Ref: 'HubAccountId' },
          " sweeps this account's Glacier vault uploads",
        ],
      ],
    });
  });

  it('names one vault ARN per region with vaultRegions, and changes nothing else', () => {
    const { stack, template } = spokeStack(EVERY_SPOKE_PROP);
    expect(allPolicyDocuments(template)).toEqual(expectedPolicies(stack, ['eu-west-1', 'us-east-1']));
  });

  it('is one role with a fixed name, a one-hour session, no managed policy, and nothing else', () => {
    const { stack, template } = spokeStack();
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    expect(
      Object.values(resources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Policy', 'AWS::IAM::Role']);
    const role = resources[id(stack, stack.spoke.role)];
    expect(role?.Properties.RoleName).toBe(SPOKE_ROLE_NAME);
    expect(role?.Properties.MaxSessionDuration).toBe(3600);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties.Policies).toBeUndefined();
    // The ARN the hub builds for any account is this role's.
    expect(stack.resolve(stack.spoke.role.roleArn)).toEqual({
      'Fn::GetAtt': [id(stack, stack.spoke.role), 'Arn'],
    });
    expect(spokeRoleArn('aws', '222222222222')).toBe(`arn:aws:iam::222222222222:role/${SPOKE_ROLE_NAME}`);
    template.hasOutput('RoleArn', { Value: { 'Fn::GetAtt': [id(stack, stack.spoke.role), 'Arn'] } });
  });

  it('acknowledges each wildcard where it is granted, and nothing else', () => {
    const { stack } = spokeStack();
    const roleAcks = acknowledgements(stack.spoke.role);
    // Validations stores each id under its namespace (`Annotation::`); cdk-nag matches it either way.
    expect(Object.keys(roleAcks)).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glacier:*:<AWS::AccountId>:vaults/*]',
    ]);
    expect(Object.values(roleAcks)[0]).toContain('every vault of this account in every region');
    const listVaultsAcks = acknowledgements(stack.spoke.node.findChild('ListVaultsPolicy'));
    expect(Object.keys(listVaultsAcks)).toEqual(['Annotation::AwsSolutions-IAM5[Resource::*]']);
    // With vaultRegions the acknowledgement follows the ARNs and names the regions.
    const narrowed = spokeStack(EVERY_SPOKE_PROP).stack.spoke.role;
    const narrowedAcks = acknowledgements(narrowed);
    expect(Object.keys(narrowedAcks).sort()).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glacier:eu-west-1:<AWS::AccountId>:vaults/*]',
      'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glacier:us-east-1:<AWS::AccountId>:vaults/*]',
    ]);
    expect(Object.values(narrowedAcks)[0]).toContain('in eu-west-1, us-east-1');
  });
});

describe('GlacierSweeperSpokeStack', () => {
  it('is added to the fleet app as GlacierSweeperSpoke, environment-agnostic, with the shared stack name', () => {
    const { stack } = spokeStack();
    expect(stack.node.id).toBe(SPOKE_STACK_NAME);
    expect(stack.stackName).toBe(SPOKE_STACK_NAME);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('takes the hub account as the parameter HubAccountId (12 digits, checked by CloudFormation) unless given one', () => {
    const parameterized = spokeStack(PARAMETERIZED);
    expect(parameterized.template.toJSON().Parameters).toEqual({ HubAccountId: HUB_PARAMETER });
    expect(parameterized.stack.resolve(parameterized.stack.hubAccountIdParameter?.logicalId)).toBe(
      'HubAccountId',
    );
    expect(parameterized.stack.resolve(parameterized.stack.hubAccountIdParameter?.valueAsString)).toEqual({
      Ref: 'HubAccountId',
    });
    // The pattern is the one synth checks a literal against.
    const pattern = new RegExp(HUB_PARAMETER.AllowedPattern);
    expect(['111111111111', '000000000000'].map((v) => pattern.test(v))).toEqual([true, true]);
    expect(
      ['11111111111', '1111111111111', ' 111111111111', 'o-a1b2c3d4e5', ''].some((v) => pattern.test(v)),
    ).toBe(false);
    const literal = spokeStack();
    expect(literal.template.toJSON().Parameters).toBeUndefined();
    expect(literal.stack.hubAccountIdParameter).toBeUndefined();
  });

  it('depends on no bootstrap: no BootstrapVersion parameter or rule, no deploy role, no assets allowed', () => {
    const { stack, template } = spokeStack();
    const json = template.toJSON();
    expect(Object.keys(json).sort()).toEqual(['Description', 'Outputs', 'Resources']);
    const artifact = App.of(stack)?.synth().getStackArtifact(stack.artifactId);
    expect(artifact?.assumeRoleArn).toBeUndefined();
    expect(artifact?.requiresBootstrapStackVersion).toBeUndefined();
    expect(() =>
      stack.synthesizer.addFileAsset({ sourceHash: 'x', fileName: 'x', packaging: 'file' as never }),
    ).toThrow('GlacierSweeperSpoke: the spoke stack cannot hold assets');
    expect(() => stack.synthesizer.addDockerImageAsset({ sourceHash: 'x', directoryName: 'x' })).toThrow(
      'GlacierSweeperSpoke: the spoke stack cannot hold assets',
    );
  });
});

describe('invalid spoke props fail synth with a message naming the prop and the value', () => {
  const cases: [string, Partial<GlacierSweeperSpokeProps>, RegExp][] = [
    [
      'no hubAccountId',
      { hubAccountId: undefined },
      /^GlacierSweeper: invalid prop hubAccountId: hubAccountId is required/,
    ],
    [
      'an 11-digit hubAccountId',
      { hubAccountId: '11111111111' },
      /^GlacierSweeper: invalid prop hubAccountId: hubAccountId = "11111111111": must be a 12-digit account id/,
    ],
    [
      'no organizationId',
      { organizationId: undefined },
      /^GlacierSweeper: invalid prop organizationId: organizationId is required/,
    ],
    [
      'an organizationId with capitals',
      { organizationId: 'o-A1B2C3D4E5' },
      /^GlacierSweeper: invalid prop organizationId: organizationId = "o-A1B2C3D4E5": must be an AWS Organizations id/,
    ],
    [
      'an organizationId 9 characters after o-',
      { organizationId: 'o-a1b2c3d4e' },
      /^GlacierSweeper: invalid prop organizationId: organizationId = "o-a1b2c3d4e"/,
    ],
    [
      'an organizationId 33 characters after o-',
      { organizationId: `o-${'a'.repeat(33)}` },
      /^GlacierSweeper: invalid prop organizationId: organizationId = "o-a{33}"/,
    ],
    [
      'an OU id for organizationId',
      { organizationId: 'ou-ab12-cdefgh34' },
      /^GlacierSweeper: invalid prop organizationId: organizationId = "ou-ab12-cdefgh34"/,
    ],
    [
      'empty vaultRegions',
      { vaultRegions: [] },
      /^GlacierSweeper: invalid prop vaultRegions: vaultRegions is empty/,
    ],
    [
      'a bad region',
      { vaultRegions: ['eu-west-1', 'Europe'] },
      /^GlacierSweeper: invalid prop vaultRegions: vaultRegions entry "Europe": is not a region name/,
    ],
    [
      'a region twice',
      { vaultRegions: ['eu-west-1', ' eu-west-1'] },
      /^GlacierSweeper: invalid prop vaultRegions: vaultRegions = "eu-west-1,eu-west-1": a region is listed twice/,
    ],
  ];
  for (const [name, override, message] of cases) {
    it(name, () => {
      const props = { ...SPOKE, ...override } as GlacierSweeperSpokeProps;
      expect(() => new GlacierSweeperSpoke(new Stack(testApp(), 'S'), 'GlacierSweeperSpoke', props)).toThrow(
        message,
      );
      // The spoke stack passes them on; without hubAccountId it takes its parameter instead (above).
      if (!('hubAccountId' in override && override.hubAccountId === undefined)) {
        expect(() => spokeStack(props)).toThrow(message);
      }
      // The StackSet validates the same props the same way, before it synthesizes anything.
      expect(() => hubStack({ ...STACK_SET, ...override } as SpokeStackSetProps)).toThrow(message);
    });
  }

  it('accepts the bounds of the organization id pattern, and trims', () => {
    for (const organizationId of [`o-${'a'.repeat(10)}`, `o-${'0'.repeat(32)}`, ` ${ORG} `]) {
      expect(() => spokeStack({ ...SPOKE, organizationId })).not.toThrow();
    }
  });

  it('takes a token for hubAccountId, unvalidated (its source validates it), and writes the reference', () => {
    const stack = new Stack(testApp(), 'S');
    const hub = Token.asString({ Ref: 'SomeAccount' });
    const spoke = new GlacierSweeperSpoke(stack, 'GlacierSweeperSpoke', { ...SPOKE, hubAccountId: hub });
    const [trust] = Object.values(allPolicyDocuments(Template.fromStack(stack))).filter((statements) =>
      statements.some((s) => s.actions.includes('sts:AssumeRole')),
    );
    expect(trust?.[0]?.principal).toEqual({ AWS: 'arn:<AWS::Partition>:iam::<SomeAccount>:root' });
    expect(trust?.[0]?.conditions?.ArnEquals).toEqual({
      'aws:PrincipalArn': 'arn:<AWS::Partition>:iam::<SomeAccount>:role/GlacierSweeperFleetWorker',
    });
    expect(spoke.role).toBeDefined();
  });

  it('refuses a token for organizationId and vaultRegions, which synth must validate', () => {
    const token = Token.asString({ Ref: 'Something' });
    expect(() => spokeStack({ ...SPOKE, organizationId: token })).toThrow(
      /^GlacierSweeper: invalid prop organizationId: organizationId is a token/,
    );
    expect(() => spokeStack({ ...SPOKE, vaultRegions: [token] })).toThrow(
      /^GlacierSweeper: invalid prop vaultRegions: vaultRegions is a token/,
    );
  });
});

describe('addSpokeStackSet', () => {
  it('adds a service-managed StackSet with auto-deployment to the OUs, in one region, called as SELF', () => {
    const { stack, stackSet, template } = hubStack();
    const resources = template.findResources('AWS::CloudFormation::StackSet');
    expect(Object.keys(resources)).toEqual([id(stack, stackSet)]);
    const { TemplateBody, ...properties } = template.toJSON().Resources[id(stack, stackSet)].Properties;
    expect(properties).toEqual({
      StackSetName: SPOKE_STACK_NAME,
      Description: `glacier-sweeper fleet: the spoke role GlacierSweeperSpoke the hub ${HUB} assumes in each member account`,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      // The body's one parameter: every stack instance, and every account that joins the OUs later,
      // gets this value.
      Parameters: [{ ParameterKey: 'HubAccountId', ParameterValue: HUB }],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdefgh34'] }, Regions: ['us-east-1'] },
      ],
    });
    expect(typeof TemplateBody).toBe('string');
    // The hub stack holds nothing else of the spoke's: the role lives in the member accounts only.
    expect(Object.keys(template.toJSON().Resources)).toEqual([id(stack, stackSet)]);
  });

  it('passes every prop through', () => {
    const { stack, stackSet, template } = hubStack(EVERY_STACK_SET_PROP);
    const { TemplateBody, ...properties } = template.toJSON().Resources[id(stack, stackSet)].Properties;
    expect(properties).toEqual({
      StackSetName: 'GlacierSweeperSpokeProd',
      Description: `glacier-sweeper fleet: the spoke role GlacierSweeperSpoke the hub ${HUB} assumes in each member account`,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      OperationPreferences: { MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10 },
      Parameters: [{ ParameterKey: 'HubAccountId', ParameterValue: HUB }],
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdefgh34', 'r-ab12'] },
          Regions: ['eu-west-1'],
        },
      ],
    });
    const body = JSON.parse(TemplateBody);
    const { stack: direct } = spokeStack(EVERY_PARAMETERIZED);
    expect(allPolicyDocuments(Template.fromJSON(body))).toEqual(
      expectedPolicies(direct, ['eu-west-1', 'us-east-1'], '<HubAccountId>'),
    );
  });

  it('takes a token for hubAccountId: an environment-agnostic hub passes its own account, resolved when it deploys', () => {
    const { stack, stackSet, template } = hubStack({ ...STACK_SET, hubAccountId: Aws.ACCOUNT_ID }, null);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    const properties = template.toJSON().Resources[id(stack, stackSet)].Properties;
    expect(properties.Parameters).toEqual([
      { ParameterKey: 'HubAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
    ]);
    expect(properties.Description).toEqual({
      'Fn::Join': [
        '',
        [
          'glacier-sweeper fleet: the spoke role GlacierSweeperSpoke the hub ',
          { Ref: 'AWS::AccountId' },
          ' assumes in each member account',
        ],
      ],
    });
    // The same body as with a literal hub account: the account is only in Parameters.
    expect(properties.TemplateBody).toBe(
      hubStack().template.toJSON().Resources[id(stack, stackSet)].Properties.TemplateBody,
    );
  });

  it('deploys exactly the spoke stack’s template: the same role, no bootstrap dependency, well under 51,200 bytes', () => {
    const { stack, stackSet, template } = hubStack();
    const body: string = template.toJSON().Resources[id(stack, stackSet)].Properties.TemplateBody;
    const parsed = JSON.parse(body);
    // The spoke stack as `cdk synth GlacierSweeperSpoke` gives it without -c hubAccountId.
    expect(parsed).toEqual(spokeStack(PARAMETERIZED).template.toJSON());
    expect(parsed).toEqual(spokeTemplate(PARAMETERIZED));
    const role = Object.values(
      parsed.Resources as Record<string, { Type: string; Properties: { RoleName?: string } }>,
    )
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .map((r) => r.Properties.RoleName);
    expect(role).toEqual([SPOKE_ROLE_NAME]);
    // HubAccountId only, which the StackSet supplies; the hub account itself is not in the body.
    expect(parsed.Parameters).toEqual({ HubAccountId: HUB_PARAMETER });
    expect(parsed.Rules).toBeUndefined();
    expect(body).not.toMatch(
      /BootstrapVersion|cdk-hnb659fds|AssetParameters|aws:cdk:path|AWS::CDK::Metadata/,
    );
    expect(body).not.toContain(HUB);
    // CreateStackSet's TemplateBody limit.
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThan(51_200);
  });

  it('synthesizes the same body whatever the CLI puts into the context, and never writes into CDK_OUTDIR', () => {
    const cliOutdir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-cli-outdir-'));
    vi.stubEnv('CDK_OUTDIR', cliOutdir);
    vi.stubEnv(
      'CDK_CONTEXT_JSON',
      JSON.stringify({ 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true }),
    );
    try {
      const underCli = spokeTemplate(PARAMETERIZED, { 'aws:cdk:enable-path-metadata': true });
      vi.unstubAllEnvs();
      expect(underCli).toEqual(spokeTemplate(PARAMETERIZED));
      expect(readdirSync(cliOutdir)).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
      rmSync(cliOutdir, { recursive: true, force: true });
    }
  });

  it('runs cdk-nag on the body: an unacknowledged finding in the spoke fails the hub synth', () => {
    const original = iam.Role.prototype.addToPrincipalPolicy;
    const spy = vi.spyOn(iam.Role.prototype, 'addToPrincipalPolicy').mockImplementation(function (
      this: iam.Role,
      statement: iam.PolicyStatement,
    ) {
      const result = original.call(this, statement);
      original.call(this, new iam.PolicyStatement({ actions: ['glacier:DeleteArchive'], resources: ['*'] }));
      return result;
    });
    try {
      expect(() => hubStack()).toThrow('AwsSolutions-IAM5[Resource::*]');
    } finally {
      spy.mockRestore();
    }
  });

  const cases: [string, Partial<SpokeStackSetProps>, RegExp][] = [
    [
      'no OUs',
      { organizationalUnitIds: [] },
      /^GlacierSweeper: invalid prop organizationalUnitIds: organizationalUnitIds is required/,
    ],
    [
      'an account id for an OU',
      { organizationalUnitIds: ['222222222222'] },
      /^GlacierSweeper: invalid prop organizationalUnitIds: organizationalUnitIds entry "222222222222": is not an OU id/,
    ],
    [
      'an OU twice',
      { organizationalUnitIds: ['ou-ab12-cdefgh34', 'ou-ab12-cdefgh34'] },
      /^GlacierSweeper: invalid prop organizationalUnitIds: .*an OU is listed twice/,
    ],
    ['no region', { region: undefined }, /^GlacierSweeper: invalid prop region: region is required/],
    [
      'regions as one string',
      { region: 'us-east-1,eu-west-1' },
      /^GlacierSweeper: invalid prop region: region = "us-east-1,eu-west-1": is not a region name/,
    ],
    [
      'an unknown callAs',
      { callAs: 'MANAGEMENT' as 'SELF' },
      /^GlacierSweeper: invalid prop callAs: callAs = "MANAGEMENT": must be one of SELF, DELEGATED_ADMIN/,
    ],
    [
      'a StackSet name with an underscore',
      { stackSetName: 'glacier_sweeper' },
      /^GlacierSweeper: invalid prop stackSetName: stackSetName = "glacier_sweeper"/,
    ],
  ];
  for (const [name, override, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(() => hubStack({ ...STACK_SET, ...override } as SpokeStackSetProps)).toThrow(message);
    });
  }
});

// cdk-nag as `cdk synth` runs it: a plugin on the app, findings in validation-report.json.
describe('cdk-nag AwsSolutions', () => {
  const outdirs: string[] = [];
  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  function findings(build: (app: App) => void, cloudFormationValidation = false) {
    const outdir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-spoke-nag-'));
    outdirs.push(outdir);
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: cloudFormationValidation,
    });
    build(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let error: unknown;
    try {
      app.synth();
    } catch (caught) {
      error = caught;
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    return {
      error,
      found: report.pluginReports.flatMap((p) => p.violations.map((v) => `${p.pluginName}: ${v.ruleName}`)),
    };
  }

  it('has no finding on the spoke stack with the defaults, nor a CloudFormation validation warning', () => {
    for (const spoke of [SPOKE, PARAMETERIZED]) {
      expect(findings((app) => buildSpokeStack(app, spoke), true)).toEqual({ error: undefined, found: [] });
    }
  });

  it('has none with every prop set (acknowledgements follow the per-region ARNs)', () => {
    expect(findings((app) => buildSpokeStack(app, EVERY_SPOKE_PROP))).toEqual({
      error: undefined,
      found: [],
    });
  });

  it('has none on a hub stack holding the StackSet, with the defaults, with every prop set, and environment-agnostic', () => {
    for (const props of [STACK_SET, EVERY_STACK_SET_PROP]) {
      const result = findings((app) =>
        addSpokeStackSet(new Stack(app, 'Hub', { env: { account: HUB, region: 'eu-west-1' } }), props),
      );
      expect(result).toEqual({ error: undefined, found: [] });
    }
    const agnostic = findings(
      (app) => addSpokeStackSet(new Stack(app, 'Hub'), { ...STACK_SET, hubAccountId: Aws.ACCOUNT_ID }),
      true,
    );
    expect(agnostic).toEqual({ error: undefined, found: [] });
  });

  it('fails synth on a finding nobody acknowledged (the check is live)', () => {
    const result = findings((app) =>
      buildSpokeStack(app, SPOKE).spoke.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['glacier:DeleteVault'], resources: ['*'] }),
      ),
    );
    expect(result.found).toEqual(['AwsSolutions: AwsSolutions-IAM5[Resource::*]']);
    expect(String(result.error)).toContain('AwsSolutions-IAM5[Resource::*]');
  });
});

/**
 * Logical ids of the spoke template (what CloudFormation knows the role by in every member account:
 * a changed id replaces the role, and a fixed role name makes the replacement fail) and of the hub's
 * StackSet, pinned like test/infra/logical-ids.test.ts pins the sweeper's. After a deliberate change:
 * `UPDATE_LOGICAL_IDS=1 npx vitest run test/infra/spoke.test.ts`, and review the diff.
 */
describe('logical ids', () => {
  const PINNED = new URL('./spoke-logical-ids.json', import.meta.url);
  const inventory = (template: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(template)
        .filter(([, body]) => typeof body === 'object' && body !== null)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([section, body]) => {
          const entries = Object.entries(body as Record<string, { Type?: string }>).sort(([a], [b]) =>
            a.localeCompare(b),
          );
          return [
            section,
            section === 'Resources'
              ? Object.fromEntries(entries.map(([key, resource]) => [key, resource.Type]))
              : entries.map(([key]) => key),
          ];
        }),
    );

  it('are exactly those of spoke-logical-ids.json', () => {
    const hub = (props: SpokeStackSetProps) => hubStack(props).template.toJSON();
    const found = {
      spokeDefaults: inventory(spokeStack().template.toJSON()),
      spokeEveryProp: inventory(spokeStack(EVERY_SPOKE_PROP).template.toJSON()),
      spokeParameterized: inventory(spokeStack(PARAMETERIZED).template.toJSON()),
      stackSetBody: inventory(spokeTemplate(EVERY_PARAMETERIZED)),
      hubDefaults: inventory(hub(STACK_SET)),
      hubEveryProp: inventory(hub(EVERY_STACK_SET_PROP)),
    };
    if (process.env.UPDATE_LOGICAL_IDS === '1') writeFileSync(PINNED, `${JSON.stringify(found, null, 2)}\n`);
    expect(found).toEqual(JSON.parse(readFileSync(PINNED, 'utf8')));
  });
});
