import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNREACHED_CREDENTIAL_PROVIDERS } from '../../infra/constructs/lambda-bundling';
import { GlacierSweeperStack } from '../../infra/sweeper-stack';
import { daysAgo, makeUploads, startEmulator } from '../../local/emulator';
import { bundle } from '../../scripts/build';
import { lambdaBundle } from '../../scripts/bundles';
import { ENV } from './helpers';

const run = promisify(execFile);

// The one synthesis with real bundling: the project's esbuild, no Docker.
let assetDir: string;
let template: Template;

beforeAll(() => {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new GlacierSweeperStack(app, 'Bundled', { env: ENV });
  template = Template.fromStack(stack);
  const assets = readdirSync(app.outdir).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  assetDir = join(app.outdir, assets[0] ?? '');
}, 120_000);

describe('real bundling', () => {
  it('bundles lambda/handler.ts into a minified ESM module with the createRequire banner', () => {
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(
      bundle.startsWith(
        "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      ),
    ).toBe(true);
    // Minified: a handful of very long lines (esbuild keeps legal comments and template literals).
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(2000);
    expect(/export\s*\{[^}]*\bas handler\b[^}]*\}/.test(bundle)).toBe(true);
  });

  it('ships the AWS SDK clients inside the bundle, with a source map beside it', () => {
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    // Asserted as booleans: a failing matcher would print the whole 470 KB bundle.
    expect(bundle.includes('x-amz-glacier-version')).toBe(true);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    // A bundle without mainFields ['module','main'] pulls the CommonJS builds: about 1.7x larger.
    // re2js (the linear-time pattern engine) adds about 155 KB to the 440 KB of the rest.
    expect(statSync(join(assetDir, 'index.mjs')).size).toBeLessThan(650_000);
  });

  it('leaves out only credential providers that are reached through dynamic import(), never statically', () => {
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    const staticImports = [...bundle.matchAll(/(?:from|import)\s*"(@aws-sdk\/[^"]+)"/g)].map((m) => m[1]);
    const dynamicImports = [...bundle.matchAll(/import\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]).sort();
    expect(staticImports).toEqual([]);
    expect(dynamicImports.length).toBeGreaterThan(0);
    expect(dynamicImports.every((name) => UNREACHED_CREDENTIAL_PROVIDERS.includes(name ?? ''))).toBe(true);
  });

  it('runs: the production bundle sweeps the emulator with credentials from the environment', async () => {
    // The vault pattern and exclude run re2js inside the bundle: one vault of two, one upload kept.
    const emu = await startEmulator({
      seed: {
        topics: ['t'],
        vaults: [
          {
            name: 'v',
            uploads: [
              ...makeUploads(3, { createdAt: daysAgo(30) }),
              { createdAt: daysAgo(30), description: 'keep: this one' },
            ],
          },
          { name: 'w', uploads: makeUploads(2, { createdAt: daysAgo(30) }) },
        ],
        parameters: [
          { name: '/glacier-sweeper/vaults', type: 'StringList', value: '*' },
          { name: '/glacier-sweeper/exclude', type: 'String', value: '^keep:' },
        ],
      },
    });
    try {
      const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(assetDir, 'index.mjs')).href)});
        const report = await handler({}, { getRemainingTimeInMillis: () => 60000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' });
        process.stdout.write(JSON.stringify(report.totals));`;
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL: emu.url,
        SWEEPER_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
        SWEEPER_VAULT_PATTERN: '^v$',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      };
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
      expect(JSON.parse(stdout)).toMatchObject({ vaults: 1, scanned: 4, stale: 4, reported: 3, skipped: 1 });
      expect(emu.published()).toHaveLength(1);
    } finally {
      await emu.stop();
    }
  });

  it('is byte for byte the pre-built bundle the package ships (scripts/build.ts, same LAMBDA_BUNDLING)', async () => {
    // NodejsFunction runs the esbuild CLI with the flags it derives from LAMBDA_BUNDLING; the build
    // script calls esbuild's API with the options lambdaEsbuildOptions derives from the same object.
    // Equal bytes mean the two derivations agree, so the package's asset is what a checkout deploys.
    const { outputFiles } = await bundle(lambdaBundle('sweeper'), { write: false });
    const prebuilt = outputFiles.find((file) => file.path.endsWith('/index.mjs'));
    expect(prebuilt).toBeDefined();
    const fromCdk = readFileSync(join(assetDir, 'index.mjs'));
    expect(Buffer.from(prebuilt?.contents ?? []).equals(fromCdk)).toBe(true);
  });

  it('points the function at the bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
  });
});
