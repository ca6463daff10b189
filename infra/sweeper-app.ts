import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSweeperContext } from './context';
import { GlacierSweeperStack } from './sweeper-stack';

export const STACK_NAME = 'GlacierSweeper';

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
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const stacks =
    context.regions.length === 0
      ? [
          new GlacierSweeperStack(app, STACK_NAME, {
            env: { account, region: process.env.CDK_DEFAULT_REGION },
            sweeper: context.props,
          }),
        ]
      : context.regions.map(
          (region) =>
            new GlacierSweeperStack(app, `${STACK_NAME}-${region}`, {
              env: { account, region },
              sweeper: context.props,
            }),
        );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}
