import { join } from 'node:path';
import type { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import { prebuiltDir } from '../infra/constructs/bundled-function';
import {
  handlerBundling,
  LAMBDA_BUNDLING,
  LAMBDA_HANDLERS,
  LAMBDA_RUNTIME,
  type LambdaHandlerName,
} from '../infra/constructs/lambda-bundling';

/** One esbuild output the package ships, in a directory of its own with its SOURCE_HASH beside it. */
export interface BundleSpec {
  readonly name: string;
  /** Relative to the package root. */
  readonly outdir: string;
  readonly outfile: string;
  /** Without absWorkingDir, outfile, metafile and write, which the caller adds. */
  readonly options: BuildOptions;
}

/** BundlingOptions keys whose effect on esbuild lambdaEsbuildOptions reproduces. */
const UNDERSTOOD = new Set([
  'format',
  'minify',
  'sourceMap',
  'sourcesContent',
  'bundleAwsSDK',
  'externalModules',
  'mainFields',
  'banner',
  'forceDockerBundling', // CDK's choice of where to run esbuild, not how
]);

/**
 * The esbuild options aws-cdk-lib's NodejsFunction derives from `bundling` and `runtime` when it
 * bundles locally (aws-lambda-nodejs/lib/bundling.ts, buildEsbuildArgs: `--bundle entry --target
 * --platform=node --format --outfile --minify --sourcemap --external… --banner:js --main-fields`,
 * run in projectRoot). Options it does not reproduce are refused rather than dropped, so a new key in
 * LAMBDA_BUNDLING fails the build until this function learns it.
 */
export function lambdaEsbuildOptions(
  entry: string,
  bundling: BundlingOptions = LAMBDA_BUNDLING,
  runtime: Runtime = LAMBDA_RUNTIME,
): BuildOptions {
  const unknown = Object.keys(bundling).filter((key) => !UNDERSTOOD.has(key));
  if (unknown.length > 0) {
    throw new Error(
      `scripts/bundles.ts: no esbuild equivalent for LAMBDA_BUNDLING ${unknown.join(', ')}; map it as aws-cdk-lib does`,
    );
  }
  const version = /^nodejs(\d+)/.exec(runtime.name)?.[1];
  if (version === undefined)
    throw new Error(`scripts/bundles.ts: no Node.js version in runtime ${runtime.name}`);
  if (bundling.externalModules === undefined && bundling.bundleAwsSDK !== true) {
    throw new Error(
      'scripts/bundles.ts: the default externals depend on a feature flag; list externalModules',
    );
  }
  return {
    entryPoints: [entry],
    bundle: true,
    target: `node${version}`,
    platform: 'node',
    ...(bundling.format === undefined ? {} : { format: bundling.format }),
    minify: bundling.minify === true,
    sourcemap: bundling.sourceMap === true,
    // aws-cdk-lib passes --sources-content=false only when it is false; esbuild's default is true.
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [...(bundling.externalModules ?? [])],
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: [...bundling.mainFields] }),
  };
}

/** The ESM bundle's file name NodejsFunction writes, and `index.handler` names. */
const LAMBDA_OUTFILE = 'index.mjs';

export const lambdaBundle = (name: LambdaHandlerName): BundleSpec => ({
  name: `lambda/${name}`,
  outdir: prebuiltDir(name),
  outfile: LAMBDA_OUTFILE,
  options: lambdaEsbuildOptions(LAMBDA_HANDLERS[name].entry, handlerBundling(name)),
});

/**
 * The constructs, as one CommonJS file: `require` works from CommonJS apps (and jest), and Node.js
 * hands ESM apps its named exports. Every package import stays an import: aws-cdk-lib and constructs
 * are the app's own (peer dependencies), the rest are the package's dependencies.
 */
export const LIB_BUNDLE: BundleSpec = {
  name: 'lib',
  outdir: 'dist/lib',
  outfile: 'index.cjs',
  options: {
    entryPoints: ['infra/index.ts'],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    // bundled-function.ts finds its package from import.meta.url, which CommonJS lacks.
    inject: ['scripts/import-meta-url-shim.ts'],
    define: { 'import.meta.url': 'import_meta_url' },
  },
};

/**
 * The CLI, with the AWS SDK inside, so the package needs no SDK dependency: the whole credential
 * chain (profiles, SSO) stays in, as a person at a terminal uses it. Node.js 22 is the oldest the
 * CLI supports. Not minified and without a source map: a stack trace stays readable as it is, and the
 * tarball is 450 KB smaller than minified code with its map.
 */
export const CLI_BUNDLE: BundleSpec = {
  name: 'cli',
  outdir: 'dist/cli',
  outfile: 'main.mjs',
  options: {
    entryPoints: ['cli/main.ts'],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  },
};

export const BUNDLES: readonly BundleSpec[] = [
  ...(Object.keys(LAMBDA_HANDLERS) as LambdaHandlerName[]).map(lambdaBundle),
  LIB_BUNDLE,
  CLI_BUNDLE,
];

export const outfilePath = (root: string, spec: BundleSpec): string => join(root, spec.outdir, spec.outfile);
