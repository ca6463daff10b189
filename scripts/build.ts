// npm run build (and prepack): dist/ as the package ships it. Declarations from tsc (TypeScript 7),
// JavaScript from esbuild: the pre-built Lambda bundles, the constructs and the CLI, each with the
// SOURCE_HASH of what it was built from. dist/ is not committed; see test/package/pack.test.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, version as esbuildVersion, type Metafile, type OutputFile } from 'esbuild';
import { BUNDLES, type BundleSpec, outfilePath } from './bundles';
import { metafileInputs, SOURCE_HASH_FILE, sourceManifest } from './source-hash';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TYPES_DIR = 'dist/types';

export interface BundleResult {
  readonly manifest: string;
  readonly metafile: Metafile;
  /** Only when not written to disk. */
  readonly outputFiles: readonly OutputFile[];
}

/** Runs one bundle; `write: false` keeps the output in memory (the tests compare it). */
export async function bundle(spec: BundleSpec, { write, root = ROOT }: { write: boolean; root?: string }) {
  const result = await build({
    ...spec.options,
    absWorkingDir: root,
    outfile: outfilePath(root, spec),
    metafile: true,
    write,
    logLevel: 'warning',
  });
  const manifest = sourceManifest(root, metafileInputs(result.metafile), spec.options, esbuildVersion);
  if (write) writeFileSync(join(root, spec.outdir, SOURCE_HASH_FILE), manifest);
  return {
    manifest,
    metafile: result.metafile,
    outputFiles: result.outputFiles ?? [],
  } satisfies BundleResult;
}

/** The .d.ts files, from tsconfig.build.json, into `outDir`. */
export async function emitDeclarations(outDir: string, root = ROOT): Promise<void> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(
    process.execPath,
    [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir],
    {
      cwd: root,
    },
  );
  // The declarations keep the sources' extensionless imports, which only CommonJS resolution
  // follows; the JavaScript they describe is CommonJS (dist/lib/index.cjs), and so are they.
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  for (const spec of BUNDLES) mkdirSync(join(ROOT, spec.outdir), { recursive: true });
  await Promise.all([
    emitDeclarations(join(ROOT, TYPES_DIR)),
    ...BUNDLES.map((spec) => bundle(spec, { write: true })),
  ]);
  for (const spec of BUNDLES) {
    const kb = Math.round(statSync(outfilePath(ROOT, spec)).size / 1024);
    process.stdout.write(`${spec.outdir}/${spec.outfile}  ${kb} KB\n`);
  }
  process.stdout.write(`${TYPES_DIR}/  declarations\nbuilt in ${Date.now() - started} ms\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
