import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlacierSweeperStack } from '../../infra/sweeper-stack';
import { ENV } from './helpers';

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
    expect(statSync(join(assetDir, 'index.mjs')).size).toBeLessThan(700_000);
  });

  it('points the function at the bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
    });
  });
});
