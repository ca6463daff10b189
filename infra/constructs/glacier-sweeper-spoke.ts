import { Arn, ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { hubWorkerRoleArn, SKIP_TAG_KEY, SKIP_TAG_VALUE, SPOKE_ROLE_NAME } from '../../lambda/fleet/names';
import type { GlacierSweeperSpokeProps } from './glacier-sweeper-spoke-props';
import { resolveSpokeProps } from './glacier-sweeper-spoke-props';
import { acknowledgeWildcardResources } from './nag';

export type { GlacierSweeperSpokeProps } from './glacier-sweeper-spoke-props';

/**
 * The spoke side of fleet mode, in one member account: the IAM role `GlacierSweeperSpoke` that the
 * hub's worker role assumes to sweep this account's vaults. It trusts only that role, and only while
 * the hub belongs to the organization; it may list vaults, list and measure their multipart uploads,
 * read their tags (the `glacier-sweeper=skip` opt-out) and abort uploads, and nothing else.
 *
 * The role has a fixed name so the hub can build its ARN for any account (`spokeRoleArn`), and it
 * names the hub's worker role by ARN in a condition, so spokes and hub can be deployed in either order.
 * IAM is global: one role per account serves every region the hub sweeps.
 */
export class GlacierSweeperSpoke extends Construct {
  /**
   * The spoke role, named `GlacierSweeperSpoke` in every account (the hub builds its ARN from the
   * account id). Its trust policy admits only the hub's worker role, from inside the organization;
   * its permissions are the Glacier calls of a sweep on this account's vaults. Add nothing to it: every
   * grant here is reachable from the hub.
   */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GlacierSweeperSpokeProps) {
    super(scope, id);
    const config = resolveSpokeProps(props);

    this.role = new iam.Role(this, 'Role', {
      roleName: SPOKE_ROLE_NAME,
      description: `glacier-sweeper fleet: the hub ${config.hubAccountId} sweeps this account's Glacier vault uploads`,
      // The Principal is the hub account, not the worker role: IAM resolves a role ARN in a trust
      // policy's Principal to the role's unique id when the policy is saved, and refuses the policy
      // ("Invalid principal in policy") when that role does not exist yet
      // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
      // https://repost.aws/knowledge-center/iam-trust-policy-error): a spoke deployed before the hub
      // would fail.
      // Naming the worker role in an aws:PrincipalArn condition instead is a plain comparison: a
      // spoke deploys before the hub, and a hub whose worker role is deleted and created again under
      // the same name keeps working (a principal would keep the old unique id).
      assumedBy: new iam.AccountPrincipal(config.hubAccountId).withConditions({
        // aws:PrincipalArn is the ARN of the role itself, not of its session, for a caller with
        // role credentials; its data type is ARN, and AWS recommends ARN operators for it
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
        ArnEquals: { 'aws:PrincipalArn': hubWorkerRoleArn(Aws.PARTITION, config.hubAccountId) },
        // aws:PrincipalOrgID is the organization of the caller's account
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid):
        // the hub must still belong to this organization.
        StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
      }),
      // The worker assumes this role from a Lambda function's role, which is role chaining: STS caps
      // such a session at one hour whatever the role allows, and each invocation (15 minutes at most)
      // assumes it afresh. One hour is also IAM's default; it is written out so the template says so.
      maxSessionDuration: Duration.hours(1),
    });

    this.grantSweep(config.vaultRegions);
  }

  private grantSweep(vaultRegions: readonly string[] | undefined): void {
    const stack = Stack.of(this);
    // IAM is global and the hub sweeps the regions of its own `regions` setting, which changes without
    // redeploying any spoke: the grant covers this account's vaults in every region, or in vaultRegions.
    const vaults = (vaultRegions ?? ['*']).map((region) =>
      Arn.format(
        {
          service: 'glacier',
          region,
          resource: 'vaults',
          resourceName: '*',
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        },
        stack,
      ),
    );
    // ListMultipartUploads, ListParts and AbortMultipartUpload take the vault resource type
    // (Service Authorization Reference,
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3glacier.html).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListMeasureAndAbortUploads',
        // ListParts measures each stale upload (bytes at stake, activity fingerprint).
        actions: ['glacier:ListMultipartUploads', 'glacier:ListParts', 'glacier:AbortMultipartUpload'],
        resources: vaults,
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSkipTag',
        // The hub never touches a vault tagged glacier-sweeper=skip; it reads the tags to know.
        actions: ['glacier:ListTagsForVault'],
        resources: vaults,
      }),
    );
    acknowledgeWildcardResources(
      this.role,
      vaults,
      `The hub's vault list lives in its SSM settings ('*' = every vault) and changes without redeploying any spoke, so the grant spans every vault of this account${vaultRegions === undefined ? ' in every region (IAM is global, and the hub sweeps the regions its regions setting lists)' : ` in ${vaultRegions.join(', ')}`}. The hub's settings decide at run time which vaults are touched; a vault tagged ${SKIP_TAG_KEY}=${SKIP_TAG_VALUE} never is (hence ListTagsForVault on the same vaults). Only the hub's worker role may use this role (trust policy).`,
    );

    // glacier:ListVaults has no resource type (Service Authorization Reference,
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3glacier.html):
    // it is authorised only on `*`. It lists only the vault names of the caller's own account, here
    // this member account. It sits in a policy of its own so that its `*` acknowledgement cannot cover
    // a later `*` grant on the role.
    const listVaults = new iam.Policy(this, 'ListVaultsPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ sid: 'ListVaults', actions: ['glacier:ListVaults'], resources: ['*'] }),
      ],
    });
    acknowledgeWildcardResources(
      listVaults,
      ['*'],
      "glacier:ListVaults has no resource type (Service Authorization Reference), so '*' is the only resource it can be granted on; it lists only the vault names of this account (the caller's own), and the hub calls it only to expand vaults = '*' in each region it sweeps.",
    );
  }
}
