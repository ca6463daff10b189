import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { invalidProp } from './constructs/resolve-props';
import { FLEET_KEYS, readSweeperContext } from './context';
import { GlacierSweeperStack } from './sweeper-stack';

/** The CloudFormation stack name, the same in every region, whichever way the app is deployed. */
export const STACK_NAME = 'GlacierSweeper';

/**
 * The construct id (and so the CLI's selector and the cdk.out file name) of a stack: `GlacierSweeper`
 * for the one stack of a deploy without `-c regions`, `GlacierSweeper-<region>` for each region of
 * `-c regions=…`. Only the id varies: the stack name stays {@link STACK_NAME}, so moving from a plain
 * deploy to `-c regions=…` (or back) updates the same stack instead of creating a second one that
 * would collide on the SSM parameter names.
 */
export function stackId(region?: string): string {
  return region === undefined ? STACK_NAME : `${STACK_NAME}-${region}`;
}

/**
 * Adds the sweeper stacks that the app's context asks for: one in the CLI's default account and
 * region, or one per entry of `-c regions=…`. cdk-nag's AWS Solutions checks run on every synth, so
 * an unacknowledged finding fails `cdk synth` and `cdk deploy`, not only the tests.
 */
export function buildSweeperApp(app: App): GlacierSweeperStack[] {
  const context = readSweeperContext(
    (key) => app.node.tryGetContext(key),
    Object.keys(app.node.getAllContext()),
  );
  for (const key of Object.keys(app.node.getAllContext())) {
    if (key !== 'fleet' && (FLEET_KEYS as readonly string[]).includes(key))
      throw invalidProp(key, `${key} is a fleet setting: add -c fleet=true, or leave it out`);
  }
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  // No regions: one stack in the CLI's default region (CDK_DEFAULT_REGION, possibly unset).
  const regions = context.regions.length === 0 ? [undefined] : context.regions;
  const stacks = regions.map(
    (region) =>
      new GlacierSweeperStack(app, stackId(region), {
        stackName: STACK_NAME,
        env: { account, region: region ?? process.env.CDK_DEFAULT_REGION },
        sweeper: context.props,
      }),
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}
