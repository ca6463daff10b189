import {
  type App,
  CfnOutput,
  CfnParameter,
  type DockerImageAssetLocation,
  type FileAssetLocation,
  LegacyStackSynthesizer,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  FLEET_STACK_NAME,
  HUB_WORKER_ROLE_NAME,
  SPOKE_ROLE_NAME,
  SPOKE_STACK_NAME,
} from '../lambda/fleet/names';
import { GlacierSweeperSpoke, type GlacierSweeperSpokeProps } from './constructs/glacier-sweeper-spoke';
import { ACCOUNT_ID_PATTERN } from './constructs/glacier-sweeper-spoke-props';

/** The spoke stack's parameter holding the hub account, when it is not given at synth. */
export const HUB_ACCOUNT_ID_PARAMETER = 'HubAccountId';

/**
 * The spoke's synthesizer: the template is deployed with the deployer's own credentials (`cdk deploy`
 * with the member account's, a StackSet with its execution role) and refers to nothing a bootstrap
 * creates. LegacyStackSynthesizer adds no BootstrapVersion parameter or rule and names no bootstrap
 * role (BootstraplessSynthesizer, despite its name, names the bootstrap deploy role); this one also
 * refuses assets, which a StackSet's template body could not carry.
 */
export class NoBootstrapSynthesizer extends LegacyStackSynthesizer {
  override addFileAsset(): FileAssetLocation {
    throw new Error(
      `${SPOKE_STACK_NAME}: the spoke stack cannot hold assets (its template is a StackSet's body)`,
    );
  }

  override addDockerImageAsset(): DockerImageAssetLocation {
    throw new Error(
      `${SPOKE_STACK_NAME}: the spoke stack cannot hold assets (its template is a StackSet's body)`,
    );
  }
}

/** The spoke's props in its own stack, where the hub account may be left to a stack parameter. */
export interface GlacierSweeperSpokeStackSpokeProps extends Omit<GlacierSweeperSpokeProps, 'hubAccountId'> {
  /**
   * The 12-digit id of the hub account, as {@link GlacierSweeperSpokeProps.hubAccountId}: a literal
   * is written into the template and validated at synth; a token is passed on unchecked.
   *
   * @default - the stack parameter `HubAccountId` (String, AllowedPattern `^[0-9]{12}$`), given at
   * deploy: `cdk deploy GlacierSweeperSpoke --parameters HubAccountId=…`, or a StackSet's Parameters.
   * A missing value is refused by the CDK CLI (or by CloudFormation), a value that is not 12 digits
   * by CloudFormation, before anything is created; synth never takes it from the CLI's credentials.
   */
  readonly hubAccountId?: string;
}

export interface GlacierSweeperSpokeStackProps extends StackProps {
  readonly spoke: GlacierSweeperSpokeStackSpokeProps;
}

/**
 * The spoke role of one member account, as a stack of its own: deployed per account with
 * `cdk deploy GlacierSweeperSpoke -c fleet=true …`, or to whole OUs by the StackSet of
 * addSpokeStackSet, which deploys this same stack's template. Without a hubAccountId in its props it
 * takes the hub account as the parameter `HubAccountId` (the StackSet's form).
 *
 * Its synthesizer is {@link NoBootstrapSynthesizer}: no assets, no bootstrap parameter, rule or
 * role, so the template deploys wherever a StackSet puts it, and `cdk deploy` uses the CLI's own
 * credentials in the member account, with the template inline (it is a few kilobytes).
 */
export class GlacierSweeperSpokeStack extends Stack {
  readonly spoke: GlacierSweeperSpoke;
  /** The `HubAccountId` parameter, when the props gave no hubAccountId; undefined otherwise. */
  readonly hubAccountIdParameter: CfnParameter | undefined;

  constructor(scope: Construct, id: string, props: GlacierSweeperSpokeStackProps) {
    super(scope, id, {
      description:
        "glacier-sweeper fleet spoke: the role the hub assumes to sweep this account's Glacier vault uploads",
      stackName: SPOKE_STACK_NAME,
      synthesizer: new NoBootstrapSynthesizer(),
      ...props,
    });
    // Without a literal, the hub account is a deploy-time value CloudFormation checks itself. Never the
    // CLI's account (CDK_DEFAULT_ACCOUNT): deployed with a member account's credentials, that is the
    // member account, and the role would trust itself instead of the hub.
    let hubAccountId = props.spoke.hubAccountId;
    if (hubAccountId === undefined) {
      this.hubAccountIdParameter = new CfnParameter(this, HUB_ACCOUNT_ID_PARAMETER, {
        type: 'String',
        allowedPattern: ACCOUNT_ID_PATTERN,
        // A value the pattern refuses fails with "Malformed input-Parameter HubAccountId <this>"
        // (CloudFormation does not repeat the value).
        constraintDescription: `must be the 12-digit id of the hub account (the account of the ${FLEET_STACK_NAME} stack), such as 123456789012`,
        description: `The 12-digit id of the hub account (the account of the ${FLEET_STACK_NAME} stack): only its worker role ${HUB_WORKER_ROLE_NAME} may assume the role ${SPOKE_ROLE_NAME}`,
      });
      hubAccountId = this.hubAccountIdParameter.valueAsString;
    }
    this.spoke = new GlacierSweeperSpoke(this, 'GlacierSweeperSpoke', { ...props.spoke, hubAccountId });

    new CfnOutput(this, 'RoleArn', {
      description: 'The role the hub assumes in this account (spokeRoleArn in lambda/fleet/names.ts)',
      value: this.spoke.role.roleArn,
    });
  }
}

/**
 * Adds the spoke stack to the fleet app under the construct id {@link SPOKE_STACK_NAME} (the CLI's
 * selector) and the same stack name. It is environment-agnostic, as the StackSet's copy is (the same
 * template, `AWS::AccountId` and `AWS::Partition` resolved at deploy): `cdk deploy` puts it into the
 * account and region of the CLI's credentials. The role is global; the region only says where
 * CloudFormation keeps the stack. Without `spoke.hubAccountId` (`-c hubAccountId`) the hub account is
 * the `HubAccountId` parameter (`cdk deploy GlacierSweeperSpoke --parameters HubAccountId=…`). The
 * app's cdk-nag plugin checks it with the rest of the app.
 */
export function buildSpokeStack(
  app: App,
  spoke: GlacierSweeperSpokeStackSpokeProps,
): GlacierSweeperSpokeStack {
  return new GlacierSweeperSpokeStack(app, SPOKE_STACK_NAME, { spoke });
}
