import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bundledFunction,
  findPackageRoot,
  lambdaCode,
  prebuiltDir,
} from '../../infra/constructs/bundled-function';
import { LAMBDA_HANDLERS, type LambdaHandlerName } from '../../infra/constructs/lambda-bundling';

const ROOT = join(import.meta.dirname, '../..');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package root laid out as a checkout (`sources`) or as the installed package (`prebuilt`). */
function fakePackage(layout: { sources?: boolean; prebuilt?: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'glacier-sweeper-code-'));
  dirs.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'glacier-sweeper' }));
  if (layout.sources) {
    mkdirSync(join(root, 'lambda'));
    writeFileSync(join(root, LAMBDA_HANDLERS.sweeper.entry), 'export const handler = async () => ({});\n');
  }
  if (layout.prebuilt) {
    mkdirSync(join(root, prebuiltDir('sweeper')), { recursive: true });
    writeFileSync(
      join(root, prebuiltDir('sweeper'), 'index.mjs'),
      'export const handler = async () => ({});\n',
    );
  }
  return root;
}

describe('where the function code comes from', () => {
  it('bundles from source when the package root has lambda/ (a checkout), even with a build in dist/', () => {
    const root = fakePackage({ sources: true, prebuilt: true });
    expect(lambdaCode(root, 'sweeper')).toEqual({ kind: 'source', entry: join(root, 'lambda/handler.ts') });
  });

  it('takes the pre-built bundle when there is no lambda/ (the installed package)', () => {
    const root = fakePackage({ prebuilt: true });
    expect(lambdaCode(root, 'sweeper')).toEqual({ kind: 'prebuilt', dir: join(root, 'dist/lambda/sweeper') });
  });

  it('fails, naming the file, in a checkout whose entry is missing: no fallback to an old build', () => {
    const root = fakePackage({ prebuilt: true });
    mkdirSync(join(root, 'lambda'));
    expect(() => lambdaCode(root, 'sweeper')).toThrow("the entry of handler 'sweeper', lambda/handler.ts");
  });

  it('fails, naming the file, in a package without its bundle', () => {
    const root = fakePackage({});
    expect(() => lambdaCode(root, 'sweeper')).toThrow(
      "the pre-built bundle of handler 'sweeper', dist/lambda/sweeper/index.mjs, is missing",
    );
  });

  it('finds this checkout as the package root, and every handler entry in it', () => {
    expect(join(findPackageRoot(join(ROOT, 'infra/constructs')), '/')).toBe(join(ROOT, '/'));
    for (const name of Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]) {
      expect(lambdaCode(ROOT, name).kind, name).toBe('source');
    }
  });

  it('passes over package.json files of other names on the way up (dist/types has one)', () => {
    const root = fakePackage({ prebuilt: true });
    mkdirSync(join(root, 'dist/types'), { recursive: true });
    writeFileSync(join(root, 'dist/types/package.json'), JSON.stringify({ type: 'commonjs' }));
    expect(findPackageRoot(join(root, 'dist/types'))).toBe(root);
  });
});

describe('bundledFunction', () => {
  const synth = (root: string) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'S');
    const fn = bundledFunction(stack, 'Fn', 'sweeper', { memorySize: 256 }, root);
    return { fn, template: Template.fromStack(stack) };
  };

  it('from the pre-built bundle: a plain function on the shared runtime, index.handler, an asset', () => {
    const { fn, template } = synth(fakePackage({ prebuilt: true }));
    expect(fn).not.toBeInstanceOf(NodejsFunction);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      MemorySize: 256,
    });
  });

  it('from source: a NodejsFunction with the same handler and runtime', () => {
    const { fn, template } = synth(ROOT);
    expect(fn).toBeInstanceOf(NodejsFunction);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      MemorySize: 256,
    });
  });
});
