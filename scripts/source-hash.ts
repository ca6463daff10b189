import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

/** The file beside each bundle that says what it was built from. */
export const SOURCE_HASH_FILE = 'SOURCE_HASH';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** `node_modules/@scope/name/dist/x.js` → `node_modules/@scope/name` (the innermost package). */
function packageDirOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const rest = path.slice(at + 'node_modules/'.length).split('/');
  const depth = rest[0]?.startsWith('@') ? 2 : 1;
  return path.slice(0, at) + ['node_modules', ...rest.slice(0, depth)].join('/');
}

/** Stable JSON: keys sorted at every level, so the options hash does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What a bundle was built from, as text: the esbuild version, a hash of the options, a sha256 per
 * source file esbuild read (paths relative to the package root, from its metafile) and one per
 * package under node_modules (over its files that were read, named with the version its
 * package.json gives, which is the version the lockfile resolved). The first line is the sha256 of
 * the rest. File contents, not times: a fresh clone has new times and the same hash.
 */
export function sourceManifest(
  root: string,
  inputs: readonly string[],
  options: BuildOptions,
  esbuildVersion: string,
): string {
  const own: string[] = [];
  const packages = new Map<string, string[]>();
  for (const input of [...inputs].sort()) {
    const file = join(root, input);
    // esbuild names virtual modules (`<define:…>`, `(disabled):…`) too; they have no content.
    const digest = existsSync(file) ? sha256(readFileSync(file)) : 'virtual';
    const dir = packageDirOf(input);
    if (dir === undefined) own.push(`${digest}  ${input}`);
    else packages.set(dir, [...(packages.get(dir) ?? []), `${digest}  ${input.slice(dir.length + 1)}`]);
  }
  const packageLines = [...packages.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([dir, files]) => {
      const { name, version } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      return `${sha256(files.join('\n'))}  ${dir} (${name}@${version}, ${files.length} files)`;
    });
  const body = [
    `esbuild ${esbuildVersion}`,
    `options ${sha256(canonical(options))}`,
    ...own,
    ...packageLines,
  ].join('\n');
  return `sha256:${sha256(body)}\n${body}\n`;
}

export const metafileInputs = (metafile: Metafile): string[] => Object.keys(metafile.inputs);

/** The hash line of a manifest. */
export const manifestHash = (manifest: string): string => manifest.slice(0, manifest.indexOf('\n'));
