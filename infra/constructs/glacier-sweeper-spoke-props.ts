import { Token } from 'aws-cdk-lib';
import { quote } from '../../lambda/core/settings';
import { invalidProp } from './resolve-props';

/**
 * Props of {@link GlacierSweeperSpoke}: who may assume the spoke role, and where its grant reaches.
 *
 * Each literal value is validated at synth: a bad value fails synth with
 * `GlacierSweeper: invalid prop <name>: …`. Only `hubAccountId` may also be a token (a parameter of
 * the spoke's stack, which a StackSet or `cdk deploy --parameters` fills in); the others must be
 * literals.
 */
export interface GlacierSweeperSpokeProps {
  /**
   * The 12-digit id of the hub account: the account of the fleet stack, whose worker role
   * (`GlacierSweeperFleetWorker`) is the only principal the spoke role trusts.
   *
   * A literal is validated at synth. A token (a `CfnParameter`'s `valueAsString`, `Aws.ACCOUNT_ID`)
   * is written into the trust policy as the reference it is, and synth cannot check it: its source
   * must, as the spoke stack's `HubAccountId` parameter does with `AllowedPattern` `^[0-9]{12}$`.
   * A token that resolves to anything but the hub's account id gives a role the hub cannot assume
   * (or, worse, one another account can).
   *
   * @default - none: required (a literal, or a token its source validates)
   */
  readonly hubAccountId: string;

  /**
   * The id of the AWS Organization the hub account belongs to (`o-` and 10 to 32 lowercase letters or
   * digits, as `aws organizations describe-organization` prints it). The trust policy requires the
   * caller to belong to it (`aws:PrincipalOrgID`): should the hub account ever leave the organization,
   * its worker role can no longer assume the spoke role.
   *
   * @default - none: required
   */
  readonly organizationId: string;

  /**
   * Narrows the Glacier grant to the vaults of these regions of the member account (one vault ARN
   * per region). Every region the hub sweeps (its `regions` setting) must be listed, or the hub's
   * calls there are denied: a vault error in the report for that account and region, nothing touched.
   *
   * @default - every region: the grant names `arn:PARTITION:glacier:*:ACCOUNT:vaults/*`, so the hub's
   * `regions` setting can grow without redeploying any spoke
   */
  readonly vaultRegions?: readonly string[];
}

/** The props, validated and trimmed. */
export interface ResolvedSpokeProps {
  /** A validated literal, or the token it was given. */
  readonly hubAccountId: string;
  readonly organizationId: string;
  /** undefined for every region. */
  readonly vaultRegions: readonly string[] | undefined;
}

/** A 12-digit account id; also the spoke stack's `HubAccountId` parameter's AllowedPattern. */
export const ACCOUNT_ID_PATTERN = '^[0-9]{12}$';
const ACCOUNT_ID_RE = new RegExp(ACCOUNT_ID_PATTERN);
// Organizations API Reference, Organization data type, Id: "The regex pattern for an organization
// ID string requires "o-" followed by from 10 to 32 lowercase letters or digits"
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html), which
// CDK's OrganizationPrincipal also quotes as ^o-[a-z0-9]{10,32}$.
const ORGANIZATION_ID_RE = /^o-[a-z0-9]{10,32}$/;
// The shape of a commercial, GovCloud or China region name (eu-west-1, us-gov-west-1, cn-north-1):
// the same check as the app's `regions` context key. Whether the region exists is IAM's business.
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export const isRegionName = (value: string): boolean => REGION_RE.test(value);

/**
 * A literal string prop, trimmed. A token (a CfnParameter, an attribute) is refused: the value must be
 * known at synth, both to be validated and to be written into a StackSet's template body.
 */
export function literal(prop: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw invalidProp(prop, `${prop} is required: expected a string, got ${typeof value}`);
  }
  if (Token.isUnresolved(value)) {
    throw invalidProp(
      prop,
      `${prop} is a token (a parameter or attribute): pass the literal value, which synth validates and writes into the template`,
    );
  }
  return value.trim();
}

/**
 * Validates the spoke props; throws an InvalidPropError naming the first bad one and its value. A token
 * hubAccountId passes through unchecked (its source validates it); every other token is refused.
 */
export function resolveSpokeProps(props: GlacierSweeperSpokeProps): ResolvedSpokeProps {
  const given: unknown = props.hubAccountId;
  const hubAccountId =
    typeof given === 'string' && Token.isUnresolved(given) ? given : literal('hubAccountId', given);
  if (!Token.isUnresolved(hubAccountId) && !ACCOUNT_ID_RE.test(hubAccountId)) {
    throw invalidProp(
      'hubAccountId',
      `hubAccountId = ${quote(hubAccountId)}: must be a 12-digit account id (the hub account's)`,
    );
  }
  const organizationId = literal('organizationId', props.organizationId);
  if (!ORGANIZATION_ID_RE.test(organizationId)) {
    throw invalidProp(
      'organizationId',
      `organizationId = ${quote(organizationId)}: must be an AWS Organizations id, "o-" and 10 to 32 lowercase letters or digits (aws organizations describe-organization)`,
    );
  }
  return { hubAccountId, organizationId, vaultRegions: resolveRegions(props.vaultRegions) };
}

function resolveRegions(given: readonly string[] | undefined): readonly string[] | undefined {
  if (given === undefined) return undefined;
  if (given.length === 0) {
    throw invalidProp(
      'vaultRegions',
      'vaultRegions is empty: list the regions the hub sweeps, or leave it out for every region',
    );
  }
  const regions = given.map((region) => literal('vaultRegions', region));
  for (const region of regions) {
    if (!isRegionName(region)) {
      throw invalidProp(
        'vaultRegions',
        `vaultRegions entry ${quote(region)}: is not a region name such as eu-west-1`,
      );
    }
  }
  if (new Set(regions).size !== regions.length) {
    throw invalidProp('vaultRegions', `vaultRegions = ${quote(regions.join(','))}: a region is listed twice`);
  }
  return regions;
}
