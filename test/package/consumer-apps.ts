// Throwaway CDK apps that use the packed glacier-sweeper as a user's app would: written by hand, as
// small as a README example, one ESM TypeScript app run with tsx and one CommonJS app. Both hold the
// GlacierSweeper stack and a GlacierSweeperSpoke stack; the ESM app also holds a GlacierSweeperFleet
// stack (six pre-built functions: one app is enough to check them, and keeps the test fast).
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {
  GlacierSweeperFleetProps,
  GlacierSweeperProps,
  GlacierSweeperSpokeProps,
} from '../../infra/index';

export const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '../..');

export const CONSUMER_ENV = { account: '123456789012', region: 'eu-west-1' } as const;
export const CONSUMER_STACK = 'ConsumerStack';
export const CONSUMER_PROPS = {
  vaults: ['backups'],
  olderThan: '14d',
  alertEmails: ['ops@example.com'],
  maxAborts: 50,
} as const satisfies GlacierSweeperProps;

export const FLEET_STACK = 'ConsumerFleetStack';
export const FLEET_PROPS = {
  accounts: ['111111111111', '222222222222'],
  regions: ['eu-west-1', 'us-east-1'],
  alertEmails: ['ops@example.com'],
} as const satisfies GlacierSweeperFleetProps;

/** The spoke of a member account, trusting the fleet stack's account. */
export const SPOKE_STACK = 'ConsumerSpokeStack';
export const SPOKE_ENV = { account: '111111111111', region: 'eu-west-1' } as const;
export const SPOKE_PROPS = {
  hubAccountId: CONSUMER_ENV.account,
  organizationId: 'o-exampleorg1',
} as const satisfies GlacierSweeperSpokeProps;

/** What the apps take from this repository's node_modules instead of installing: the app's own kit. */
const LINKED = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'tsx', '@types/node'] as const;

// Both apps turn off CDK's built-in CloudFormation validation, on by default: it compiles a
// WebAssembly engine (5 to 7 s per synth here), and test/infra/nag.test.ts already runs it on the
// construct's template.
const ESM_APP = `import { App, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  type FleetStep,
  GlacierSweeper,
  GlacierSweeperFleet,
  type GlacierSweeperFleetProps,
  type GlacierSweeperProps,
  GlacierSweeperSpoke,
  type GlacierSweeperSpokeProps,
} from 'glacier-sweeper';

const props: GlacierSweeperProps = ${JSON.stringify(CONSUMER_PROPS)};
// The declarations are real types, not any: a wrong action and a wrong member fail the typecheck.
// @ts-expect-error 'delete' is not an action
const wrong: GlacierSweeperProps = { action: 'delete' };

const app = new App({ builtinCloudFormationValidation: false });
const stack = new Stack(app, '${CONSUMER_STACK}', { env: ${JSON.stringify(CONSUMER_ENV)} });
const sweeper = new GlacierSweeper(stack, 'Sweeper', props);
const fn: lambda.Function = sweeper.function;
// @ts-expect-error no such alarm
sweeper.alarms.noSuchAlarm;

const fleetProps: GlacierSweeperFleetProps = ${JSON.stringify(FLEET_PROPS)};
// @ts-expect-error 'delete' is not an action
const wrongFleet: GlacierSweeperFleetProps = { action: 'delete' };
const fleetStack = new Stack(app, '${FLEET_STACK}', { env: ${JSON.stringify(CONSUMER_ENV)} });
const fleet = new GlacierSweeperFleet(fleetStack, 'Fleet', fleetProps);
const step: FleetStep = 'sweep-vault';
const worker: lambda.Function = fleet.functions[step];
// @ts-expect-error no such step
fleet.functions.noSuchStep;
// @ts-expect-error no such alarm
fleet.alarms.noSuchAlarm;

const spokeProps: GlacierSweeperSpokeProps = ${JSON.stringify(SPOKE_PROPS)};
// @ts-expect-error organizationId is required
const wrongSpoke: GlacierSweeperSpokeProps = { hubAccountId: '${CONSUMER_ENV.account}' };
const spokeStack = new Stack(app, '${SPOKE_STACK}', { env: ${JSON.stringify(SPOKE_ENV)} });
new GlacierSweeperSpoke(spokeStack, 'Spoke', spokeProps);

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
export { fn, worker, wrong, wrongFleet, wrongSpoke };
`;

const CJS_APP = `const { App, Stack, Validations } = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const { GlacierSweeper, GlacierSweeperSpoke } = require('glacier-sweeper');

const app = new App({ builtinCloudFormationValidation: false });
const stack = new Stack(app, '${CONSUMER_STACK}', { env: ${JSON.stringify(CONSUMER_ENV)} });
new GlacierSweeper(stack, 'Sweeper', ${JSON.stringify(CONSUMER_PROPS)});
const spokeStack = new Stack(app, '${SPOKE_STACK}', { env: ${JSON.stringify(SPOKE_ENV)} });
new GlacierSweeperSpoke(spokeStack, 'Spoke', ${JSON.stringify(SPOKE_PROPS)});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['app.ts', 'readme-example.ts'],
};

/** The TypeScript example of the README's "Use it in your own CDK app", which the ESM app type-checks. */
export function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it in your own CDK app'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (example === undefined)
    throw new Error('README.md: no TypeScript example under "Use it in your own CDK app"');
  return example;
}

export type AppKind = 'esm' | 'cjs';

/** Writes the app into `dir`: package.json naming the tarball, cdk.json, the app file. */
export function writeApp(dir: string, kind: AppKind, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  const { context } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: unknown };
  const node = JSON.stringify(process.execPath);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: `consumer-${kind}`,
      private: true,
      type: kind === 'esm' ? 'module' : 'commonjs',
      dependencies: { 'glacier-sweeper': `file:${tarball}` },
    }),
  );
  writeFileSync(
    join(dir, 'cdk.json'),
    JSON.stringify({
      // tsx/esm: the app is ESM, and tsx's CommonJS hook would only slow aws-cdk-lib's own requires.
      app: kind === 'esm' ? `${node} --import tsx/esm app.ts` : `${node} app.cjs`,
      notices: false,
      // The feature flags of `cdk init` (this repository's set), telemetry off.
      context,
    }),
  );
  if (kind === 'esm') {
    writeFileSync(join(dir, 'app.ts'), ESM_APP);
    writeFileSync(join(dir, 'readme-example.ts'), readmeExample());
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  } else {
    writeFileSync(join(dir, 'app.cjs'), CJS_APP);
  }
}

/**
 * Installs the tarball as a user would (`npm install`), offline from the cache `npm ci` filled, then
 * links aws-cdk-lib, constructs, cdk-nag and tsx from this repository: the app's own kit, which a
 * real app already has. Peers are not installed by npm (legacy-peer-deps) for that reason.
 */
export async function installApp(dir: string): Promise<void> {
  await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error'],
    {
      cwd: dir,
    },
  );
  for (const name of LINKED) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
}

/** The stacks each app holds. */
export const APP_STACKS: Record<AppKind, readonly string[]> = {
  esm: [CONSUMER_STACK, FLEET_STACK, SPOKE_STACK],
  cjs: [CONSUMER_STACK, SPOKE_STACK],
};

/**
 * `cdk synth` offline (every stack of the app), with the repository's CDK CLI: the template of each
 * stack, by name, and the violations of cdk-nag's report.
 */
export async function synthApp(dir: string): Promise<{
  templates: Record<string, CfnTemplate>;
  nag: NagReport;
  stderr: string;
}> {
  const { stderr } = await run(
    process.execPath,
    [join(ROOT, 'node_modules/aws-cdk/bin/cdk'), 'synth', '--quiet'],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CDK_DISABLE_CLI_TELEMETRY: '1' },
      timeout: 120_000,
    },
  );
  const out = join(dir, 'cdk.out');
  const templates = Object.fromEntries(
    readdirSync(out)
      .filter((name) => name.endsWith('.template.json'))
      .map((name) => [
        name.slice(0, -'.template.json'.length),
        JSON.parse(readFileSync(join(out, name), 'utf8')) as CfnTemplate,
      ]),
  );
  const nag = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as NagReport;
  return { templates, nag, stderr };
}

/** What CDK writes to cdk.out/validation-report.json from the app's validation plugins. */
export interface NagReport {
  pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}
