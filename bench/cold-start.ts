import { execFile } from 'node:child_process';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './stats';

export interface ColdStart {
  synthMs: number;
  bundlePath: string;
  bundleBytes: number;
  /** Median wall time of `node -e 0`, the floor every Node process pays. */
  nodeBaselineMs: number;
  /** Median wall time of a node process that only imports the bundle. */
  nodeImportMs: number;
  /** Median of the import alone, timed inside that process (no process start, no loader set-up). */
  inProcessImportMs: number;
  /** Peak RSS of a process that imported the bundle: the production floor, without tsx. */
  importRssBytes: number;
  runs: number;
  /** For the breakdown only: the same esbuild options run directly, with a metafile. */
  breakdown: { name: string; bytes: number }[];
  breakdownTotalBytes: number;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1' },
      },
      (error, _stdout, stderr) => {
        if (error)
          reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr.slice(-3000)}`));
        else resolve();
      },
    );
  });
}

function output(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr.slice(-3000)}`));
      else resolve(stdout);
    });
  });
}

async function timed(command: string, args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  await run(command, args, cwd, 30_000);
  return performance.now() - started;
}

interface TemplateResource {
  Type?: string;
  Properties?: { Description?: string; Handler?: string; Code?: { S3Key?: unknown } };
}

/** The asset directory of the sweeper function in a synthesized cloud assembly. */
async function functionAsset(outdir: string): Promise<string> {
  const templates = (await readdir(outdir)).filter((f) => f.endsWith('.template.json'));
  for (const file of templates) {
    const template = JSON.parse(await readFile(join(outdir, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    for (const resource of Object.values(template.Resources ?? {})) {
      const description = resource.Properties?.Description ?? '';
      const key = resource.Properties?.Code?.S3Key;
      if (resource.Type !== 'AWS::Lambda::Function' || !description.startsWith('Reports or aborts')) continue;
      if (typeof key === 'string') return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    }
  }
  throw new Error(`no sweeper function asset found in ${outdir}`);
}

/** Groups a metafile's output bytes by npm package (scoped packages by scope for the SDK's many). */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match === null) return 'glacier-sweeper (lambda/)';
  const name = match[1] as string;
  if (name.startsWith('@smithy/')) return '@smithy/* (SDK runtime)';
  if (name.startsWith('@aws-crypto/')) return '@aws-crypto/*';
  return name;
}

async function esbuildBreakdown(root: string): Promise<{ name: string; bytes: number }[]> {
  const esbuild = await import('esbuild');
  // The options NodejsFunction passes for infra/constructs/glacier-sweeper.ts's bundling block.
  const result = await esbuild.build({
    entryPoints: [join(root, 'lambda/handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    outfile: 'index.mjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const totals = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, info] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + info.bytesInOutput);
    }
  }
  return [...totals.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Synthesizes the real stack with the real bundling (the CDK CLI, as `npm run synth` does) into
 * `outdir`, then times importing the bundle against `node -e 0`, alternating so drift hits both.
 */
export async function measureColdStart(root: string, outdir: string, runs: number): Promise<ColdStart> {
  await rm(outdir, { recursive: true, force: true });
  const synthStarted = performance.now();
  await run(join(root, 'node_modules/.bin/cdk'), ['synth', '--quiet', '-o', outdir], root, 180_000);
  const synthMs = performance.now() - synthStarted;
  const bundlePath = join(await functionAsset(outdir), 'index.mjs');
  const bundleBytes = (await stat(bundlePath)).size;
  const url = JSON.stringify(pathToFileURL(bundlePath).href);
  const importScript = `await import(${url})`;
  const selfTimedScript =
    `const t = performance.now(); await import(${url}); ` +
    'console.log(JSON.stringify({ ms: performance.now() - t, rss: process.resourceUsage().maxRSS * 1024 }))';
  const node = process.execPath;
  // One warm-up of each: the first start pays for cold file caches.
  await timed(node, ['-e', '0'], root);
  await timed(node, ['--input-type=module', '-e', importScript], root);
  const baseline: number[] = [];
  const imports: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    baseline.push(await timed(node, ['-e', '0'], root));
    imports.push(await timed(node, ['--input-type=module', '-e', importScript], root));
  }
  const selfTimed: { ms: number; rss: number }[] = [];
  for (let i = 0; i < runs; i += 1) {
    selfTimed.push(JSON.parse(await output(node, ['--input-type=module', '-e', selfTimedScript], root)));
  }
  const breakdown = await esbuildBreakdown(root);
  return {
    synthMs,
    bundlePath,
    bundleBytes,
    nodeBaselineMs: median(baseline),
    nodeImportMs: median(imports),
    inProcessImportMs: median(selfTimed.map((t) => t.ms)),
    importRssBytes: median(selfTimed.map((t) => t.rss)),
    runs,
    breakdown,
    breakdownTotalBytes: breakdown.reduce((n, b) => n + b.bytes, 0),
  };
}
