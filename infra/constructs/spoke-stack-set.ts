import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { ANALYTICS_REPORTING_ENABLED_CONTEXT, PATH_METADATA_ENABLE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { quote } from '../../lambda/core/settings';
import { SPOKE_ROLE_NAME, SPOKE_STACK_NAME } from '../../lambda/fleet/names';
import {
  GlacierSweeperSpokeStack,
  type GlacierSweeperSpokeStackSpokeProps,
  HUB_ACCOUNT_ID_PARAMETER,
} from '../spoke-stack';
import {
  type GlacierSweeperSpokeProps,
  isRegionName,
  literal,
  resolveSpokeProps,
} from './glacier-sweeper-spoke-props';
import { invalidProp } from './resolve-props';

/** Who creates the StackSet: the organization's management account, or a delegated administrator. */
export type StackSetCallAs = 'SELF' | 'DELEGATED_ADMIN';

/**
 * Props of {@link addSpokeStackSet}: the spoke's own props, and where the StackSet deploys it.
 *
 * `hubAccountId` is not written into the template body: the body takes it as its `HubAccountId`
 * parameter, and the StackSet's Parameters give it to every stack instance. It may be a literal
 * (validated at synth) or a token of the stack holding the StackSet, such as `Aws.ACCOUNT_ID` of an
 * environment-agnostic hub stack, resolved when that stack deploys.
 *
 * Prerequisites (docs/FLEET-SPOKES.md): AWS Organizations with all features, trusted access for
 * CloudFormation StackSets, and, when the hub is not the management account, the hub account
 * registered as a delegated administrator for StackSets.
 */
export interface SpokeStackSetProps extends GlacierSweeperSpokeProps {
  /**
   * Organizational units (`ou-…`) or the organization root (`r-…`) whose accounts get the spoke
   * role; accounts that join them later get it too (auto-deployment), and accounts that leave lose it.
   * A StackSet never deploys to the management account, even inside these OUs: when the hub sweeps
   * the management account, deploy the spoke stack there directly (`cdk deploy GlacierSweeperSpoke`).
   *
   * @default - none: required
   */
  readonly organizationalUnitIds: readonly string[];

  /**
   * The one region each account's stack instance lives in. IAM is global, so one instance per
   * account serves every region the hub sweeps; a second region would create the same named role
   * twice and fail. Pick a region enabled in every account (a default region, not an opt-in one).
   *
   * @default - none: required
   */
  readonly region: string;

  /**
   * `SELF` when the stack holding the StackSet (the hub's) is deployed in the organization's
   * management account; `DELEGATED_ADMIN` when it is deployed in a member account registered as a
   * delegated administrator for CloudFormation StackSets. Either way the StackSet itself is created in
   * the management account.
   *
   * @default 'SELF'
   */
  readonly callAs?: StackSetCallAs;

  /**
   * Name of the StackSet (letters, digits and hyphens, starting with a letter, at most 128). The
   * stack instance in each account is named `StackSet-<this name>-<id>` by CloudFormation.
   *
   * @default 'GlacierSweeperSpoke' (SPOKE_STACK_NAME)
   */
  readonly stackSetName?: string;

  /**
   * How fast the StackSet rolls out to the accounts, and how many failures it tolerates.
   *
   * @default - CloudFormation's: one account at a time, stopping at the first failure
   */
  readonly operationPreferences?: CfnStackSet.OperationPreferencesProperty;
}

// AWS CloudFormation API Reference, StackSetAutoDeploymentTargetSummary, OrganizationalUnitId
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetAutoDeploymentTargetSummary.html).
const OU_OR_ROOT_ID_RE = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
// AWS::CloudFormation::StackSet, StackSetName.
const STACK_SET_NAME_RE = /^[a-zA-Z][a-zA-Z0-9-]{0,127}$/;
const CALL_AS: readonly StackSetCallAs[] = ['SELF', 'DELEGATED_ADMIN'];

/**
 * The spoke stack's CloudFormation template, exactly as a StackSet deploys it: synthesized from
 * {@link GlacierSweeperSpokeStack} in an App of its own, environment-agnostic (`AWS::AccountId` and
 * `AWS::Partition` resolve in each member account), checked by cdk-nag's AWS Solutions pack (a finding
 * fails here, as it would fail `cdk synth`). addSpokeStackSet gives it no hubAccountId, so the body
 * takes the hub account as its `HubAccountId` parameter.
 *
 * The stack's synthesizer (NoBootstrapSynthesizer) refuses assets and adds no BootstrapVersion
 * parameter or rule, so the template depends on nothing a member account lacks. Path metadata and
 * version reporting are off, so the body is the same wherever it is synthesized (tests, `cdk synth`,
 * another machine): a changed body updates the stack in every member account.
 *
 * @param context the parent app's context (feature flags), so both apps synthesize alike
 */
export function spokeTemplate(
  spoke: GlacierSweeperSpokeStackSpokeProps,
  context: Record<string, unknown> = {},
): Record<string, unknown> {
  // An explicit directory: under the CLI a new App would otherwise write into CDK_OUTDIR, the real
  // app's cdk.out, and overwrite its manifest.
  const outdir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-spoke-template-'));
  try {
    const app = new App({
      outdir,
      autoSynth: false,
      context,
      postCliContext: { [PATH_METADATA_ENABLE_CONTEXT]: false, [ANALYTICS_REPORTING_ENABLED_CONTEXT]: false },
      analyticsReporting: false,
      treeMetadata: false,
      // CloudFormation's schema check compiles a WebAssembly engine (seconds); the same template is
      // checked where the spoke stack is synthesized as a stack of the app (test/infra/spoke.test.ts).
      builtinCloudFormationValidation: false,
    });
    const stack = new GlacierSweeperSpokeStack(app, SPOKE_STACK_NAME, { spoke });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Adds to `scope` (the hub's stack) a service-managed StackSet that deploys the spoke stack to every
 * account of `organizationalUnitIds`, in one region, and to accounts that join those OUs later.
 * The template body is {@link spokeTemplate}: the same construct, the same role, the same checks, and
 * the same `HubAccountId` parameter as the spoke stack without `-c hubAccountId`; the StackSet's
 * Parameters set it to `props.hubAccountId` for every stack instance, those auto-deployment creates
 * included.
 *
 * A StackSet never deploys to the organization's management account
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html):
 * deploy the spoke stack there directly when its vaults are swept.
 */
export function addSpokeStackSet(
  scope: Construct,
  props: SpokeStackSetProps,
  id = 'SpokeStackSet',
): CfnStackSet {
  const spoke = resolveSpokeProps(props);
  const organizationalUnitIds = resolveOrganizationalUnits(props.organizationalUnitIds);
  const region = literal('region', props.region);
  if (!isRegionName(region)) {
    throw invalidProp('region', `region = ${quote(region)}: is not a region name such as eu-west-1`);
  }
  const callAs = props.callAs ?? 'SELF';
  if (!CALL_AS.includes(callAs)) {
    throw invalidProp('callAs', `callAs = ${quote(String(callAs))}: must be one of ${CALL_AS.join(', ')}`);
  }
  const stackSetName = literal('stackSetName', props.stackSetName ?? SPOKE_STACK_NAME);
  if (!STACK_SET_NAME_RE.test(stackSetName)) {
    throw invalidProp(
      'stackSetName',
      `stackSetName = ${quote(stackSetName)}: must start with a letter and hold only letters, digits and hyphens, at most 128`,
    );
  }

  // No hubAccountId: the body takes it as a parameter, so it holds nothing of the hub stack's and the
  // hub account may be a token there (Aws.ACCOUNT_ID of an environment-agnostic hub).
  const template = spokeTemplate(
    { organizationId: spoke.organizationId, vaultRegions: spoke.vaultRegions },
    scope.node.getAllContext(),
  );
  return new CfnStackSet(scope, id, {
    stackSetName,
    description: `glacier-sweeper fleet: the spoke role ${SPOKE_ROLE_NAME} the hub ${spoke.hubAccountId} assumes in each member account`,
    permissionModel: 'SERVICE_MANAGED',
    // Accounts that join the OUs get the role; accounts that leave them lose it: an account outside
    // the OUs (or the organization) is not the hub's to sweep, so no role of the hub's should stay.
    autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
    callAs,
    // The spoke role has a fixed name (SPOKE_ROLE_NAME), so the hub can build its ARN in any account.
    capabilities: ['CAPABILITY_NAMED_IAM'],
    operationPreferences: props.operationPreferences,
    stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds }, regions: [region] }],
    // The body's only parameter; CloudFormation checks the value against its AllowedPattern in each
    // stack instance.
    parameters: [{ parameterKey: HUB_ACCOUNT_ID_PARAMETER, parameterValue: spoke.hubAccountId }],
    templateBody: JSON.stringify(template),
  });
}

function resolveOrganizationalUnits(given: readonly string[] | undefined): string[] {
  if (given === undefined || given.length === 0) {
    throw invalidProp(
      'organizationalUnitIds',
      'organizationalUnitIds is required: list the OUs (ou-…) or the root (r-…) whose accounts get the spoke role',
    );
  }
  const ids = given.map((id) => literal('organizationalUnitIds', id));
  for (const id of ids) {
    if (!OU_OR_ROOT_ID_RE.test(id)) {
      throw invalidProp(
        'organizationalUnitIds',
        `organizationalUnitIds entry ${quote(id)}: is not an OU id (ou-…) nor a root id (r-…)`,
      );
    }
  }
  if (new Set(ids).size !== ids.length) {
    throw invalidProp(
      'organizationalUnitIds',
      `organizationalUnitIds = ${quote(ids.join(','))}: an OU is listed twice`,
    );
  }
  return ids;
}
