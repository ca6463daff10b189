import { App } from 'aws-cdk-lib';
import { InvalidPropError } from './constructs/resolve-props';
import { flag } from './context';
import { buildFleetApp } from './fleet-app';
import { buildSweeperApp } from './sweeper-app';

try {
  const app = new App();
  // `-c fleet=true`: the fleet stacks (hub and spoke) instead of the single-account stack.
  if (flag('fleet', app.node.tryGetContext('fleet')) === true) buildFleetApp(app);
  else buildSweeperApp(app);
} catch (error) {
  // An operator's typo in -c deserves one line naming the prop, not a stack trace; exit before the
  // App's automatic synth runs on a half-built tree.
  if (error instanceof InvalidPropError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
