/**
 * The package as users get it: `npm pack` (which builds dist/ through prepack), the tarball installed
 * into two fresh CDK apps (ESM TypeScript run by tsx, plain CommonJS), each synthesized offline with
 * cdk-nag (the sweeper and a spoke in both, the fleet hub in the ESM app); the packaged CLI run; the
 * shipped bundles checked against the current sources.
 * scripts/release-check.ts runs this file before a release.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_HANDLERS } from '../../infra/constructs/lambda-bundling';
import { type FleetStep, GlacierSweeper, GlacierSweeperFleet, GlacierSweeperSpoke } from '../../infra/index';
import { daysAgo, makeUploads, startEmulator } from '../../local/emulator';
import { bundle } from '../../scripts/build';
import { BUNDLES, LIB_BUNDLE } from '../../scripts/bundles';
import { SOURCE_HASH_FILE } from '../../scripts/source-hash';
import {
  APP_STACKS,
  type AppKind,
  type CfnResource,
  type CfnTemplate,
  CONSUMER_ENV,
  CONSUMER_PROPS,
  CONSUMER_STACK,
  FLEET_PROPS,
  FLEET_STACK,
  installApp,
  type NagReport,
  ROOT,
  run,
  SPOKE_ENV,
  SPOKE_PROPS,
  SPOKE_STACK,
  synthApp,
  writeApp,
} from './consumer-apps';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

let work: string;
let packed: PackResult;
const apps = {} as Record<AppKind, { dir: string; templates: Record<string, CfnTemplate>; nag: NagReport }>;
const timings: string[] = [];

async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'glacier-sweeper-pack-'));
  // prepack builds dist/ first; its output comes before npm's JSON on stdout.
  const { stdout } = await timed('npm pack (with the build)', () =>
    run('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }),
  );
  [packed] = JSON.parse(stdout.slice(stdout.search(/^\[/m))) as [PackResult];
  const tarball = join(work, packed.filename);
  await Promise.all(
    (['esm', 'cjs'] as const).map(async (kind) => {
      const dir = join(work, kind);
      writeApp(dir, kind, tarball);
      await timed(`${kind}: npm install`, () => installApp(dir));
      const { templates, nag } = await timed(`${kind}: cdk synth`, () => synthApp(dir));
      apps[kind] = { dir, templates, nag };
    }),
  );
}, 180_000);

afterAll(() => {
  process.stdout.write(`package test steps: ${timings.join(', ')}\n`);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const installed = (kind: AppKind, ...path: string[]) =>
  join(apps[kind].dir, 'node_modules/glacier-sweeper', ...path);

const resourcesOf = (kind: AppKind, stack: string, type: string): [string, CfnResource][] =>
  Object.entries(apps[kind].templates[stack]?.Resources ?? {}).filter(
    ([, resource]) => resource.Type === type,
  );

/** The function's staged asset is the package's directory as it is (with its SOURCE_HASH), file for file. */
function expectPrebuiltAsset(kind: AppKind, fn: CfnResource, bundleDir: string): void {
  const assetDir = join(apps[kind].dir, 'cdk.out', String(fn.Metadata?.['aws:asset:path']));
  const prebuilt = installed(kind, bundleDir);
  expect(readdirSync(assetDir).sort(), bundleDir).toEqual(readdirSync(prebuilt).sort());
  for (const file of readdirSync(prebuilt)) {
    expect(readFileSync(join(assetDir, file)).equals(readFileSync(join(prebuilt, file))), file).toBe(true);
  }
}

/**
 * A template's resources without what depends on where the code came from or on the CLI: functions'
 * Code, resource Metadata (asset paths) and the CDK::Metadata resource `cdk synth` adds.
 */
const withoutCode = (resources: Record<string, CfnResource>) =>
  Object.fromEntries(
    Object.entries(resources)
      .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
      .map(([id, { Metadata: _metadata, ...resource }]) => {
        const { Code: _code, ...properties } = resource.Properties ?? {};
        return [id, { ...resource, Properties: properties }];
      }),
  );

/** The feature flags the consumer apps synthesize with (consumer-apps.ts writes them into cdk.json). */
const { context: FLAGS } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The same stack synthesized in this checkout, from source (not bundled: only the code differs). */
function fromSource(name: string, env: { account: string; region: string }, build: (stack: Stack) => void) {
  const app = new App({ context: { ...FLAGS, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, name, { env });
  build(stack);
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

describe('the tarball', () => {
  it('holds the compiled package, its declarations, bundles and docs, and no sources, tests or tools', () => {
    const paths = packed.files.map((file) => file.path).sort();
    process.stdout.write(
      `${packed.filename}: ${(packed.size / 1024).toFixed(0)} KB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked, ${paths.length} files\n${packed.files
        .map((file) => `  ${String(file.size).padStart(9)}  ${file.path}`)
        .sort((a, b) => a.slice(11).localeCompare(b.slice(11)))
        .join('\n')}\n`,
    );
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'docs/API.md',
        'bin/glacier-sweeper.mjs',
        'dist/lib/index.cjs',
        'dist/types/infra/index.d.ts',
        'dist/types/package.json',
        'dist/cli/main.mjs',
        ...BUNDLES.map((spec) => `${spec.outdir}/${SOURCE_HASH_FILE}`),
        ...Object.keys(LAMBDA_HANDLERS).flatMap((name) => [
          `dist/lambda/${name}/index.mjs`,
          `dist/lambda/${name}/index.mjs.map`,
        ]),
      ]),
    );
    const misplaced = paths.filter(
      (path) =>
        /^(test|bench|local|lambda|infra|cli|scripts|types|\.ci)\//.test(path) ||
        (/\.(c|m)?tsx?$/.test(path) && !path.endsWith('.d.ts')),
    );
    expect(misplaced).toEqual([]);
    // The bundles dominate: each Lambda bundle (the AWS SDK clients inside, a source map with the
    // sources beside it) is 0.7 to 0.95 MB of the packed size, the CLI and the rest about 0.6 MB. A
    // stray directory would show here first.
    expect(packed.size).toBeLessThan(700_000 + 1_000_000 * Object.keys(LAMBDA_HANDLERS).length);
  });

  it('ships bundles built from the current sources (SOURCE_HASH against a fresh in-memory build)', async () => {
    const current = await Promise.all(BUNDLES.map((spec) => bundle(spec, { write: false })));
    for (const [index, spec] of BUNDLES.entries()) {
      const shipped = readFileSync(installed('esm', spec.outdir, SOURCE_HASH_FILE), 'utf8');
      // Compared whole, so a failure names the input that changed.
      expect(shipped, spec.name).toBe(current[index]?.manifest);
    }
  });

  it('declares as dependencies exactly the packages the constructs import at run time', async () => {
    const { metafile } = await bundle(LIB_BUNDLE, { write: false });
    const imported = new Set(
      Object.values(metafile.outputs)
        .flatMap((output) => output.imports)
        .filter((entry) => entry.external)
        .map((entry) => entry.path.replace(/^(@[^/]+\/[^/]+|[^@/][^/]*).*$/, '$1'))
        .filter((name) => !name.startsWith('node:') && !builtinModules.includes(name)),
    );
    expect([...imported].sort()).toEqual(
      [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)].sort(),
    );
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });
});

describe.each(['esm', 'cjs'] as const)('a %s CDK app with the package installed', (kind) => {
  const resources = (type: string) => resourcesOf(kind, CONSUMER_STACK, type);

  it('synthesizes its stacks with cdk-nag, which finds nothing', () => {
    expect(Object.keys(apps[kind].templates).sort()).toEqual([...APP_STACKS[kind]].sort());
    // The report is written because a validation plugin ran; it lists only plugins with findings
    // (an unacknowledged one also fails the synth).
    expect(apps[kind].nag.pluginReports).toEqual([]);
  });

  it('has a function whose code is the pre-built asset', () => {
    const [fn] = resources('AWS::Lambda::Function');
    expect(fn).toBeDefined();
    const [, resource] = fn ?? [];
    expect(resource?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) },
    });
    // Not an esbuild output: nothing was bundled in the app.
    if (resource !== undefined) expectPrebuiltAsset(kind, resource, 'dist/lambda/sweeper');
  });

  it('has the topic and the SSM parameters from the props', () => {
    expect(resources('AWS::SNS::Topic')).toHaveLength(1);
    const parameters = Object.fromEntries(
      resources('AWS::SSM::Parameter').map(([, resource]) => [
        resource.Properties?.Name,
        resource.Properties?.Value,
      ]),
    );
    expect(parameters).toMatchObject({
      '/glacier-sweeper/vaults': 'backups',
      '/glacier-sweeper/older-than': '14d',
      '/glacier-sweeper/max-aborts': '50',
      '/glacier-sweeper/action': 'report',
    });
    expect(resources('AWS::SNS::Subscription')).toHaveLength(1);
  });

  it('configures the function exactly as the construct does from source, but for the code', () => {
    const source = fromSource(CONSUMER_STACK, CONSUMER_ENV, (stack) => {
      new GlacierSweeper(stack, 'Sweeper', CONSUMER_PROPS);
    });
    const functions = (template: Record<string, CfnResource>) =>
      Object.fromEntries(Object.entries(template).filter(([, r]) => r.Type === 'AWS::Lambda::Function'));
    expect(withoutCode(Object.fromEntries(resources('AWS::Lambda::Function')))).toEqual(
      withoutCode(functions(source.Resources)),
    );
  });

  it('has the spoke stack a checkout synthesizes: the role GlacierSweeperSpoke, trusting the hub', () => {
    const template = apps[kind].templates[SPOKE_STACK];
    const roles = resourcesOf(kind, SPOKE_STACK, 'AWS::IAM::Role').map(([, role]) => role.Properties);
    expect(roles.map((role) => role?.RoleName)).toEqual(['GlacierSweeperSpoke']);
    const trust = JSON.stringify(roles[0]?.AssumeRolePolicyDocument);
    expect(trust).toContain(`:iam::${SPOKE_PROPS.hubAccountId}:root`);
    expect(trust).toContain(SPOKE_PROPS.organizationId);
    const source = fromSource(SPOKE_STACK, SPOKE_ENV, (stack) => {
      new GlacierSweeperSpoke(stack, 'Spoke', SPOKE_PROPS);
    });
    expect(withoutCode(template?.Resources ?? {})).toEqual(withoutCode(source.Resources));
  });
});

describe('the fleet hub in the ESM app', () => {
  const STEPS: FleetStep[] = ['plan', 'resolve', 'sweep-vault', 'select', 'act', 'report'];
  const resources = (type: string) => resourcesOf('esm', FLEET_STACK, type);

  it('has the state machine and six functions, each on the pre-built bundle of its step', () => {
    expect(resources('AWS::StepFunctions::StateMachine')).toHaveLength(1);
    const functions = resources('AWS::Lambda::Function');
    const byStep = new Map(
      functions.map(([, fn]) => [
        (fn.Properties?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
          ?.SWEEPER_FLEET_STEP,
        fn,
      ]),
    );
    expect([...byStep.keys()].sort()).toEqual([...STEPS].sort());
    for (const [step, fn] of byStep) {
      expect(fn.Properties, step).toMatchObject({
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Architectures: ['arm64'],
        Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) },
      });
      expectPrebuiltAsset('esm', fn, `dist/lambda/fleet-${step}`);
    }
  });

  it('is the fleet stack a checkout synthesizes, but for the code', () => {
    const source = fromSource(FLEET_STACK, CONSUMER_ENV, (stack) => {
      new GlacierSweeperFleet(stack, 'Fleet', FLEET_PROPS);
    });
    const fromPackage = apps.esm.templates[FLEET_STACK];
    expect(withoutCode(fromPackage?.Resources ?? {})).toEqual(withoutCode(source.Resources));
  });
});

describe('TypeScript users', () => {
  it('get real types from the declarations, and the README example compiles (tsc, nodenext)', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: apps.esm.dir }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    expect(result.stdout).toBe('');
  });
});

describe('the CLI from the package', () => {
  const bin = (kind: AppKind) => installed(kind, 'bin/glacier-sweeper.mjs');

  it('prints the package version, on the Node.js that runs it (no tsx, no TypeScript)', async () => {
    const { stdout } = await run(process.execPath, [bin('cjs'), '--version'], { cwd: apps.cjs.dir });
    expect(stdout.trim()).toBe(`glacier-sweeper ${manifest.version} (Node.js ${process.version})`);
  });

  it('runs as `npx --no-install glacier-sweeper`, as the README says', async () => {
    const { stdout } = await run('npx', ['--no-install', 'glacier-sweeper', '--help'], { cwd: apps.esm.dir });
    expect(stdout).toContain('Usage: glacier-sweeper scan');
  });

  it('scans a vault with the SDK bundled inside it', async () => {
    const emu = await startEmulator({
      seed: { vaults: [{ name: 'backups', uploads: makeUploads(2, { createdAt: daysAgo(30) }) }] },
    });
    try {
      const { stdout } = await run(
        process.execPath,
        [
          bin('esm'),
          'scan',
          '--vault',
          'backups',
          '--endpoint-url',
          emu.url,
          '--region',
          'us-east-1',
          '--json',
        ],
        {
          cwd: apps.esm.dir,
          env: {
            PATH: process.env.PATH ?? '',
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
        },
      );
      expect(JSON.parse(stdout)).toMatchObject({ totals: { vaults: 1, scanned: 2, stale: 2, aborted: 0 } });
    } finally {
      await emu.stop();
    }
  });
});
