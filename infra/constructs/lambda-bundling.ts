import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** One Lambda handler the package ships. */
export interface LambdaHandler {
  /** The TypeScript entry, relative to the package root; it exports `handler`. */
  readonly entry: string;
  /**
   * For this handler alone, in a checkout and in its pre-built bundle: each key given replaces
   * LAMBDA_BUNDLING's (a shallow merge, so `externalModules` is the whole list).
   */
  readonly bundling?: BundlingOptions;
}

/**
 * Every Lambda handler the package ships, by name. In a checkout the function bundles the entry when
 * synthesized; the package carries the same entry pre-bundled in `dist/lambda/<name>/`
 * (scripts/build.ts). A new handler joins with one line here and
 * `bundledFunction(scope, id, '<name>', options)` in its construct.
 */
export const LAMBDA_HANDLERS = {
  sweeper: { entry: 'lambda/handler.ts' },
  // The fleet hub's steps (GlacierSweeperFleet): one function, and one bundle, per step.
  'fleet-plan': { entry: 'lambda/fleet/plan.ts' },
  'fleet-resolve': { entry: 'lambda/fleet/resolve.ts' },
  'fleet-sweep-vault': { entry: 'lambda/fleet/sweep-vault.ts' },
  'fleet-select': { entry: 'lambda/fleet/select.ts' },
  'fleet-act': { entry: 'lambda/fleet/act.ts' },
  'fleet-report': { entry: 'lambda/fleet/report.ts' },
} satisfies Record<string, LambdaHandler>;

export type LambdaHandlerName = keyof typeof LAMBDA_HANDLERS;

/** The runtime every handler runs on; the bundle's esbuild target (node24) follows from it. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Credential providers the default chain imports dynamically, after fromEnv: never reached in Lambda. */
export const UNREACHED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
];

/**
 * How every handler is bundled: the `bundling` of the NodejsFunction in a checkout, and what
 * scripts/build.ts turns into esbuild options for the pre-built bundles. One object, so the two
 * cannot drift; the build refuses a key it does not know how to pass on, and
 * test/infra/bundling.test.ts checks both produce the same bytes.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  // The maps give stack traces their files and lines (--enable-source-maps) without carrying the
  // sources' text, which would double each bundle's share of the package (3.5 MB a map with it).
  sourcesContent: false,
  // Ship the SDK version the tests ran against, not whatever the runtime carries.
  bundleAwsSDK: true,
  // Lambda hands the function its credentials in environment variables, so the default chain
  // stops at fromEnv: the providers after it (and the STS/SSO clients they carry, ~90 KB of the
  // bundle) are only ever reached through dynamic import() and are left out.
  externalModules: UNREACHED_CREDENTIAL_PROVIDERS,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  // Local esbuild only: there is no Docker to fall back to.
  forceDockerBundling: false,
};

/** The bundling of one handler: LAMBDA_BUNDLING with the handler's own overrides. */
export function handlerBundling(name: LambdaHandlerName): BundlingOptions {
  const handler: LambdaHandler = LAMBDA_HANDLERS[name];
  return { ...LAMBDA_BUNDLING, ...handler.bundling };
}
