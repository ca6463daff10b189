import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestHash, sourceManifest } from '../../scripts/source-hash';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package root with one source file and one dependency. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'glacier-sweeper-hash-'));
  dirs.push(root);
  mkdirSync(join(root, 'lambda'));
  writeFileSync(join(root, 'lambda/handler.ts'), 'export const handler = 1;\n');
  mkdirSync(join(root, 'node_modules/@scope/dep/dist'), { recursive: true });
  writeFileSync(
    join(root, 'node_modules/@scope/dep/package.json'),
    '{"name":"@scope/dep","version":"1.2.3"}',
  );
  writeFileSync(join(root, 'node_modules/@scope/dep/dist/index.js'), 'export default 1;\n');
  return root;
}

const INPUTS = ['node_modules/@scope/dep/dist/index.js', 'lambda/handler.ts'];
const OPTIONS = { minify: true, format: 'esm' } as const;

describe('SOURCE_HASH', () => {
  it('lists each source file and each package with its version, and hashes the list', () => {
    const manifest = sourceManifest(project(), INPUTS, OPTIONS, '0.28.2');
    const lines = manifest.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines[1]).toBe('esbuild 0.28.2');
    expect(lines[2]).toMatch(/^options [0-9a-f]{64}$/);
    expect(lines[3]).toMatch(/^[0-9a-f]{64} {2}lambda\/handler\.ts$/);
    expect(lines[4]).toMatch(/^[0-9a-f]{64} {2}node_modules\/@scope\/dep \(@scope\/dep@1\.2\.3, 1 files\)$/);
  });

  it('changes with a source file, a dependency, its version, the options or esbuild', () => {
    const hash = (root: string, options: object = OPTIONS, esbuild = '0.28.2') =>
      manifestHash(sourceManifest(root, INPUTS, options, esbuild));
    const edits: Record<string, (root: string) => void> = {
      'a source file': (root) =>
        writeFileSync(join(root, 'lambda/handler.ts'), 'export const handler = 2;\n'),
      'a file of a dependency': (root) =>
        writeFileSync(join(root, 'node_modules/@scope/dep/dist/index.js'), 'export default 2;\n'),
      'the version of a dependency': (root) =>
        writeFileSync(
          join(root, 'node_modules/@scope/dep/package.json'),
          '{"name":"@scope/dep","version":"1.2.4"}',
        ),
    };
    for (const [what, edit] of Object.entries(edits)) {
      const root = project();
      const before = hash(root);
      edit(root);
      expect(hash(root), what).not.toBe(before);
    }
    const root = project();
    expect(hash(root, { ...OPTIONS, minify: false })).not.toBe(hash(root));
    expect(hash(root, OPTIONS, '0.28.3')).not.toBe(hash(root));
  });

  it('does not change with file times, the order of inputs or of option keys (a fresh clone agrees)', () => {
    const root = project();
    const before = sourceManifest(root, INPUTS, OPTIONS, '0.28.2');
    utimesSync(join(root, 'lambda/handler.ts'), new Date(0), new Date(0));
    expect(sourceManifest(root, [...INPUTS].reverse(), { format: 'esm', minify: true }, '0.28.2')).toBe(
      before,
    );
  });
});
