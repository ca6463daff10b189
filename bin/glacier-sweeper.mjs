#!/usr/bin/env node
// Runs the TypeScript CLI from the checkout (the package is not published): tsx compiles on the fly.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
