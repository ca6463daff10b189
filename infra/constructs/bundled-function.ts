import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { handlerBundling, LAMBDA_HANDLERS, LAMBDA_RUNTIME, type LambdaHandlerName } from './lambda-bundling';

export const PACKAGE_NAME = 'glacier-sweeper';

/** Where the package carries the pre-built bundle of a handler, relative to the package root. */
export const prebuiltDir = (name: LambdaHandlerName): string => `dist/lambda/${name}`;

/**
 * The nearest directory at or above `from` whose package.json names this package: the checkout when
 * the constructs run from source, `node_modules/glacier-sweeper` when they run from the package.
 * Nested package.json files without that name (dist/types/ has one) are passed over.
 */
export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === PACKAGE_NAME) return dir;
    }
    if (dirname(dir) === dir)
      throw new Error(`${PACKAGE_NAME}: no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

export type LambdaCode =
  | { readonly kind: 'source'; readonly entry: string }
  | { readonly kind: 'prebuilt'; readonly dir: string };

/** The directory of the handlers' sources: in every checkout, in no package (package.json "files"). */
export const SOURCE_DIR = 'lambda';

/**
 * Where a handler's code comes from. The rule: when the package root has the handlers' sources
 * (`lambda/`), as a checkout has, the handler's TypeScript entry is bundled at synth with the
 * project's esbuild, as before; when it has not, as the installed package has not, the bundle the
 * package carries is the asset, so the consumer's synth needs neither esbuild nor Docker. Decided
 * for the whole package, not per handler: a checkout with a mistyped or moved entry fails here
 * rather than quietly deploying an old build from dist/.
 */
export function lambdaCode(root: string, name: LambdaHandlerName): LambdaCode {
  if (existsSync(join(root, SOURCE_DIR))) {
    const entry = join(root, LAMBDA_HANDLERS[name].entry);
    if (!existsSync(entry)) {
      throw new Error(
        `${PACKAGE_NAME}: the entry of handler '${name}', ${LAMBDA_HANDLERS[name].entry}, does not exist under ${root}`,
      );
    }
    return { kind: 'source', entry };
  }
  const dir = join(root, prebuiltDir(name));
  if (!existsSync(join(dir, 'index.mjs'))) {
    throw new Error(
      `${PACKAGE_NAME}: the pre-built bundle of handler '${name}', ${prebuiltDir(name)}/index.mjs, is missing under ${root}`,
    );
  }
  return { kind: 'prebuilt', dir };
}

let ownRoot: string | undefined;
const packageRoot = (): string => {
  ownRoot ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return ownRoot;
};

/**
 * A Lambda function running the handler `name` on the shared runtime, bundled from source or taken
 * pre-built by {@link lambdaCode}'s rule; `options` are everything else (memory, role, environment…).
 * Either way the function is `index.handler` in an `index.mjs` bundle built with handlerBundling(name).
 */
export function bundledFunction(
  scope: Construct,
  id: string,
  name: LambdaHandlerName,
  options: lambda.FunctionOptions,
  root: string = packageRoot(),
): lambda.Function {
  const code = lambdaCode(root, name);
  if (code.kind === 'source') {
    return new NodejsFunction(scope, id, {
      ...options,
      entry: code.entry,
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      bundling: handlerBundling(name),
    });
  }
  return new lambda.Function(scope, id, {
    ...options,
    runtime: LAMBDA_RUNTIME,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(code.dir),
  });
}
