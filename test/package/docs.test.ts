import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlacierSweeperFleet } from '../../infra/constructs/glacier-sweeper-fleet';
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

/** The members of an exported props interface whose @default starts with a value, with that text. */
function literalDefaults(name: string): [string, string][] {
  const props = api.find((entry) => entry.name === name);
  if (props?.kind !== 'interface') throw new Error(`${name} is not an interface`);
  return props.members
    .map((member): [string, string] => [
      member.name,
      member.doc?.tags.find((tag) => tag.tag === 'default')?.text ?? '',
    ])
    .filter(([, text]) => !text.startsWith('- '));
}

/** A @default that starts with a value (not "- a description"), read as the value applied. */
function literal(text: string): unknown {
  const value = /^('[^']*'|\S+)/.exec(text)?.[1] ?? '';
  if (value.startsWith("'")) return value.slice(1, -1);
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const duration = /^Duration\.(minutes|hours)\((\d+)\)$/.exec(value);
  if (duration) return Duration[duration[1] as 'minutes' | 'hours'](Number(duration[2])).toSeconds();
  const retention = /^(?:logs\.)?RetentionDays\.(\w+)$/.exec(value);
  if (retention) return RetentionDays[retention[1] as keyof typeof RetentionDays];
  throw new Error(`no reading of the default ${text}`);
}

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
      'FleetStep',
      'GlacierSweeper',
      'FleetAlarmKey',
      'GlacierSweeperFleet',
      'GlacierSweeperFleetProps',
      'GlacierSweeperProps',
      'GlacierSweeperSpoke',
      'GlacierSweeperSpokeProps',
    ]);
    expect(missingDocs(api)).toEqual([]);
  });

  it('gives the defaults the construct applies', () => {
    const resolved = resolveProps({}, '123456789012');
    const applied: Record<string, unknown> = { ...resolved, ...resolved.ssmValues };
    const normal = (value: unknown): unknown =>
      value instanceof Duration ? value.toSeconds() : Array.isArray(value) ? value.join(',') : value;
    const checked: string[] = [];
    for (const [name, text] of literalDefaults('GlacierSweeperProps')) {
      const expected = literal(text);
      // SSM values are strings in the template; grantNamedVaultsOnly leaves grantedVaultNames unset.
      const actual =
        name === 'grantNamedVaultsOnly' ? resolved.grantedVaultNames !== undefined : applied[name];
      expect(String(normal(actual)), name).toBe(String(expected));
      checked.push(name);
    }
    expect(checked.length).toBeGreaterThanOrEqual(17);
  });

  it("gives the fleet hub's defaults as its template applies them", () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Hub', { env: { account: '111111111111', region: 'eu-west-1' } });
    new GlacierSweeperFleet(stack, 'Fleet');
    const template = Template.fromStack(stack);
    const all = (type: string) =>
      Object.values(template.findResources(type)).map(
        (resource) => resource.Properties as Record<string, unknown> & { Name: string },
      );
    const parameters = all('AWS::SSM::Parameter');
    const [schedule] = all('AWS::Scheduler::Schedule');
    const functions = all('AWS::Lambda::Function');
    type Props = (typeof functions)[number];
    const env = (fn: Props | undefined): Record<string, string> =>
      (fn?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
    const worker = functions.find((fn) => env(fn).SWEEPER_FLEET_STEP === 'sweep-vault');
    const [bucket] = all('AWS::S3::Bucket');
    const lifecycle = bucket?.LifecycleConfiguration as
      | { Rules: { Id: string; ExpirationInDays: number }[] }
      | undefined;
    const rules = lifecycle?.Rules ?? [];
    const camel = (name: string) => name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
    const applied: Record<string, unknown> = {
      // The initial settings, by prop name (`older-than` → olderThan); their values are strings.
      ...Object.fromEntries(
        parameters.map((p) => [camel(p.Name.slice(p.Name.lastIndexOf('/') + 1)), p.Value]),
      ),
      ssmPrefix: [...new Set(parameters.map((p) => p.Name.slice(0, p.Name.lastIndexOf('/'))))].join(' '),
      schedule: schedule?.ScheduleExpression,
      timezone: schedule?.ScheduleExpressionTimezone,
      workerTimeout: worker?.Timeout,
      workerMaxPages: env(worker).SWEEPER_WORKER_MAX_PAGES,
      vaultsPerBatch: env(worker).SWEEPER_VAULT_BATCH_SIZE,
      perVaultMetrics: env(worker).SWEEPER_VAULT_METRICS === 'on',
      accountMessages: env(worker).SWEEPER_ACCOUNT_MESSAGES === 'on',
      accountMetrics: env(worker).SWEEPER_ACCOUNT_METRICS !== 'off',
      runDataDays: rules.find((rule) => rule.Id === 'ExpireRunChunks')?.ExpirationInDays,
      logRetention: all('AWS::Logs::LogGroup')[0]?.RetentionInDays,
    };
    // In the state machine's definition, or a synth-time check only (accountConcurrencyLimit).
    const unchecked = [
      'stateMachineTimeout',
      'maxConcurrency',
      'vaultConcurrency',
      'accountConcurrencyLimit',
    ];
    const checked: string[] = [];
    for (const [name, text] of literalDefaults('GlacierSweeperFleetProps')) {
      if (unchecked.includes(name)) continue;
      expect(name in applied, `${name}: not read from the template`).toBe(true);
      expect(String(applied[name]), name).toBe(String(literal(text)));
      checked.push(name);
    }
    expect(checked).toHaveLength(18);
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
