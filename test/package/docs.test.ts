import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveProps } from '../../infra/constructs/resolve-props';
import { API_DOC, type ApiEntry, missingDocs, readApi, renderApi } from '../../scripts/api-docs';
import { emitDeclarations } from '../../scripts/build';
import { readChangelog, releaseProblems } from '../../scripts/changelog';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

let typesDir: string;
let api: ApiEntry[];
beforeAll(async () => {
  typesDir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-types-'));
  await emitDeclarations(typesDir);
  api = readApi(typesDir);
});
afterAll(() => rmSync(typesDir, { recursive: true, force: true }));

describe('docs/API.md', () => {
  it('is what npm run docs:api generates from the current declarations', () => {
    // On failure: npm run docs:api, and commit docs/API.md. (generateApiDocs is emit, readApi,
    // missingDocs, renderApi; the declarations are already emitted above.)
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(read(API_DOC)).toBe(renderApi(api, version));
  });

  it('documents every export of the entry point, every public member, every prop with a @default', () => {
    expect(api.map((entry) => entry.name)).toEqual([
      'ParamKey',
      'Action',
      'Notify',
      'AlarmKey',
      'GlacierSweeper',
      'GlacierSweeperProps',
    ]);
    expect(missingDocs(api)).toEqual([]);
  });

  it('gives the defaults the construct applies', () => {
    const props = api.find((entry) => entry.name === 'GlacierSweeperProps');
    if (props?.kind !== 'interface') throw new Error('GlacierSweeperProps is not an interface');
    const resolved = resolveProps({}, '123456789012');
    const applied: Record<string, unknown> = { ...resolved, ...resolved.ssmValues };
    // A @default that starts with a value (not "- a description") must be the value applied.
    const literal = (text: string): unknown => {
      const value = /^('[^']*'|\S+)/.exec(text)?.[1] ?? '';
      if (value.startsWith("'")) return value.slice(1, -1);
      if (value === 'true' || value === 'false') return value === 'true';
      if (/^\d+$/.test(value)) return Number(value);
      const minutes = /^Duration\.minutes\((\d+)\)$/.exec(value);
      if (minutes) return Duration.minutes(Number(minutes[1])).toSeconds();
      const retention = /^RetentionDays\.(\w+)$/.exec(value);
      if (retention) return RetentionDays[retention[1] as keyof typeof RetentionDays];
      throw new Error(`no reading of the default ${text}`);
    };
    const normal = (value: unknown): unknown =>
      value instanceof Duration ? value.toSeconds() : Array.isArray(value) ? value.join(',') : value;
    const checked: string[] = [];
    for (const member of props.members) {
      const text = member.doc?.tags.find((tag) => tag.tag === 'default')?.text ?? '';
      if (text.startsWith('- ')) continue;
      const expected = literal(text);
      // SSM values are strings in the template; grantNamedVaultsOnly leaves grantedVaultNames unset.
      const actual =
        member.name === 'grantNamedVaultsOnly'
          ? resolved.grantedVaultNames !== undefined
          : applied[member.name];
      expect(String(normal(actual)), member.name).toBe(String(expected));
      checked.push(member.name);
    }
    expect(checked.length).toBeGreaterThanOrEqual(17);
  });

  it('reports a public member without a description and a prop without a @default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-api-'));
    try {
      mkdirSync(join(dir, 'infra'));
      writeFileSync(join(dir, 'infra/index.d.ts'), "export type { P } from './p';\n");
      writeFileSync(
        join(dir, 'infra/p.d.ts'),
        '/** Props. */\nexport interface P {\n    /** Documented. */\n    readonly a?: string;\n    readonly b?: number;\n}\n',
      );
      expect(missingDocs(readApi(dir))).toEqual([
        'P.a: no @default',
        'P.b: no description',
        'P.b: no @default',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the generator', () => {
  it('documents getters as properties and methods by their signature, and skips private members', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glacier-sweeper-api-'));
    try {
      mkdirSync(join(dir, 'infra'));
      writeFileSync(join(dir, 'infra/index.d.ts'), "export { C } from './c';\n");
      writeFileSync(
        join(dir, 'infra/c.d.ts'),
        [
          "import { Construct } from 'constructs';",
          '/** A construct. */',
          'export declare class C extends Construct {',
          '    /** The answer. */',
          '    get answer(): number;',
          '    /** Grants reading. */',
          '    grantRead(grantee: string): void;',
          '    private hidden;',
          '}',
          '',
        ].join('\n'),
      );
      const parsed = readApi(dir);
      expect(parsed).toMatchObject([
        {
          kind: 'class',
          name: 'C',
          extends: 'Construct',
          members: [
            { kind: 'property', name: 'answer', type: 'number' },
            { kind: 'method', name: 'grantRead(grantee: string)', type: 'void' },
          ],
        },
      ]);
      expect(renderApi(parsed, '0.0.0')).toContain(
        '| `grantRead(grantee: string)` | `void` | Grants reading. |',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI invocations in the docs', () => {
  it('never run a bare `npx glacier-sweeper`, which would fetch a package from the registry', () => {
    const docs = [
      'README.md',
      'CHANGELOG.md',
      ...readdirSync(join(ROOT, 'docs')).map((name) => `docs/${name}`),
    ];
    const bare = docs.flatMap((path) =>
      read(path)
        .split('\n')
        .map((line, index) => ({ line, where: `${path}:${index + 1}` }))
        .filter(
          ({ line }) => /\bnpx\s+(?:-\S+\s+)*glacier-sweeper\b/.test(line) && !line.includes('--no-install'),
        )
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    expect(bare).toEqual([]);
  });
});

describe('CHANGELOG.md', () => {
  it('is in Keep a Changelog form, with a dated section for the package version', () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(releaseProblems(read('CHANGELOG.md'), version)).toEqual([]);
  });

  it('refuses headings outside the form, repeats, a missing date or link', () => {
    const { problems } = readChangelog(
      '# Changelog\n\n## [Unreleased]\n\n## [1.0.0]\n### Breaking\n### Fixed\n### Added\n### Fixed\n\n[Unreleased]: x\n',
    );
    expect(problems).toEqual([
      'CHANGELOG.md:5: [1.0.0] has no date',
      'CHANGELOG.md:6: "Breaking" is not one of Added, Changed, Deprecated, Removed, Fixed, Security',
      'CHANGELOG.md:9: a second "Fixed" in [1.0.0]',
      'CHANGELOG.md: no link reference "[1.0.0]: …" at the bottom',
      'CHANGELOG.md: [1.0.0] has its sections out of the order Added, Changed, Deprecated, Removed, Fixed, Security',
    ]);
  });
});
