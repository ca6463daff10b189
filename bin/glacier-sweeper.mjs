#!/usr/bin/env node
// The glacier-sweeper command. The rule is the constructs' (infra/constructs/bundled-function.ts):
// in a checkout, where cli/main.ts exists, it runs the TypeScript through tsx, with no build; the
// installed package ships no TypeScript and runs the bundle `npm run build` made (no tsx needed).
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/cli/main.mjs');
}
process.exitCode = await cli.main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
