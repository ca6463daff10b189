import {
  type App,
  CfnOutput,
  type DockerImageAssetLocation,
  type FileAssetLocation,
  LegacyStackSynthesizer,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SPOKE_STACK_NAME } from '../lambda/fleet/names';
import { GlacierSweeperSpoke, type GlacierSweeperSpokeProps } from './constructs/glacier-sweeper-spoke';

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

export interface GlacierSweeperSpokeStackProps extends StackProps {
  readonly spoke: GlacierSweeperSpokeProps;
}

/**
 * The spoke role of one member account, as a stack of its own: deployed per account with
 * `cdk deploy GlacierSweeperSpoke -c fleet=true …`, or to whole OUs by the StackSet of
 * addSpokeStackSet, which deploys this same stack's template.
 *
 * Its synthesizer is {@link NoBootstrapSynthesizer}: no assets, no bootstrap parameter, rule or
 * role, so the template deploys wherever a StackSet puts it, and `cdk deploy` uses the CLI's own
 * credentials in the member account, with the template inline (it is a few kilobytes).
 */
export class GlacierSweeperSpokeStack extends Stack {
  readonly spoke: GlacierSweeperSpoke;

  constructor(scope: Construct, id: string, props: GlacierSweeperSpokeStackProps) {
    super(scope, id, {
      description:
        "glacier-sweeper fleet spoke: the role the hub assumes to sweep this account's Glacier vault uploads",
      stackName: SPOKE_STACK_NAME,
      synthesizer: new NoBootstrapSynthesizer(),
      ...props,
    });
    this.spoke = new GlacierSweeperSpoke(this, 'GlacierSweeperSpoke', props.spoke);

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
 * CloudFormation keeps the stack. The app's cdk-nag plugin checks it with the rest of the app.
 */
export function buildSpokeStack(app: App, spoke: GlacierSweeperSpokeProps): GlacierSweeperSpokeStack {
  return new GlacierSweeperSpokeStack(app, SPOKE_STACK_NAME, { spoke });
}
