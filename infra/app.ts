import { App } from 'aws-cdk-lib';
import { InvalidPropError } from './constructs/resolve-props';
import { buildSweeperApp } from './sweeper-app';

try {
  buildSweeperApp(new App());
} catch (error) {
  // An operator's typo in -c deserves one line naming the prop, not a stack trace; exit before the
  // App's automatic synth runs on a half-built tree.
  if (error instanceof InvalidPropError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
