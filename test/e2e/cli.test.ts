/**
 * `glacier-sweeper scan` against the emulator: `main()` in-process with injected io, then the real
 * `bin/glacier-sweeper.mjs` as a subprocess (and through `npx`, as the README runs it).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CliIo, EXIT_FINDINGS_FAILED, EXIT_OK, EXIT_USAGE, main } from '../../cli/main';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../local/emulator';
import { parseReport } from './helpers/report-schema';

const run = promisify(execFile);
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_AWS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };

let emu: Emulator;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  emu = await startEmulator();
  // main() takes credentials and region from the SDK's standard chain, i.e. this process's environment.
  for (const [key, value] of Object.entries(FAKE_AWS)) {
    savedEnv[key] = process.env[key];
    process.env[key] = value;
  }
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await emu.stop();
});

beforeEach(() => {
  emu.reset();
});

interface Captured {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

function capture(isTTY?: boolean): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s), ...(isTTY === undefined ? {} : { isTTY }) },
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

async function cli(
  args: string[],
  isTTY?: boolean,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture(isTTY);
  const code = await main(args, c.io);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

const at = (): string[] => ['--endpoint-url', emu.url];

/** 70 uploads (2 pages): the odd ones 9 days old (stale under 7d), the even ones a day old. */
function seedMixed(name = 'photos'): string[] {
  return (
    emu.seed({
      vaults: [
        {
          name,
          uploads: makeUploads(70, {
            createdAt: (i) => daysAgo(i % 2 === 1 ? 9 : 1),
            description: (i) => `photo batch ${i}`,
          }),
        },
      ],
    }).uploadIds[name] ?? []
  );
}

describe('glacier-sweeper scan, in-process', () => {
  it('report mode prints the table, exits 0, aborts nothing and writes nothing to a non-terminal stderr', async () => {
    seedMixed();
    const { code, stdout, stderr } = await cli(['scan', '--vault', 'photos', ...at()]);

    expect(code).toBe(EXIT_OK);
    expect(stderr).toBe('');
    expect(stdout).toContain('1 vault · 70 uploads scanned · 35 stale · 0 aborted · 0 failed');
    expect(stdout).toMatch(/^VAULT\s+SCANNED\s+STALE\s+ABORTED\s+FAILED\s+REPORTED\s+AT STAKE\s+STATUS$/m);
    expect(stdout).toMatch(/^photos\s+70\s+35\s+0\s+0\s+35\s+0 B\s+complete$/m);
    expect(stdout).toContain('Oldest stale uploads');
    expect(stdout).toContain('photo batch');
    // The hint speaks the CLI's language, not the Lambda's SSM parameters.
    expect(stdout).toContain('Report mode: nothing was aborted (run again with --abort to clean up).');
    expect(emu.requests({ operation: 'ListMultipartUploads' })).toHaveLength(2);
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(0);
    // The CLI reads no SSM and publishes nothing.
    expect(emu.requests({ service: 'ssm' })).toHaveLength(0);
    expect(emu.published()).toHaveLength(0);
  });

  it('--json prints the report as JSON with exact counts and per-vault thresholds', async () => {
    seedMixed('photos');
    emu.seed({ vaults: [{ name: 'logs', uploads: makeUploads(4, { createdAt: daysAgo(9) }) }] });
    const { code, stdout } = await cli([
      'scan',
      '--vault',
      'photos',
      '--vault',
      'logs=14d',
      '--older-than',
      '8d',
      '--json',
      ...at(),
    ]);

    expect(code).toBe(EXIT_OK);
    const report = parseReport(stdout);
    expect(report).toMatchObject({ action: 'report', olderThan: '8d', region: 'us-east-1', complete: true });
    expect(report.totals).toMatchObject({ vaults: 2, scanned: 74, stale: 35, reported: 35, aborted: 0 });
    expect(report.vaults.map((v) => [v.vault, v.olderThan, v.stale])).toEqual([
      ['photos', '8d', 35],
      ['logs', '14d', 0],
    ]);
  });

  it('--json escapes C1 controls and bidi controls, so the output is safe on a terminal and parses back the same', async () => {
    const hostile = [
      ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)),
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u007f',
      '\u2028',
    ].map((ch, i) => `file ${i} ${ch}gpj.exe`);
    emu.seed({
      vaults: [
        {
          name: 'photos',
          uploads: [
            ...hostile.map((description, i) => ({ uploadId: `h${i}`, createdAt: daysAgo(9), description })),
            { uploadId: 'odd', createdAt: '2020\u202e-01-01', description: '\u009b2J' },
          ],
        },
      ],
    });
    const { code, stdout } = await cli(['scan', '--vault', 'photos', '--json', ...at()]);

    expect(code).toBe(EXIT_OK);
    const raw = [...stdout].filter((ch) => {
      const cp = ch.codePointAt(0) ?? 0;
      return (
        (cp >= 0x7f && cp <= 0x9f) ||
        (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) ||
        cp === 0x2028
      );
    });
    expect(raw).toEqual([]);
    expect(stdout).toContain('\\u009b');
    const report = parseReport(stdout);
    const byId = new Map(report.vaults[0]?.staleUploads.map((u) => [u.uploadId, u.description]));
    expect(hostile.map((_, i) => byId.get(`h${i}`))).toEqual(hostile);
    expect(report.vaults[0]?.anomalies).toEqual([
      { uploadId: 'odd', createdAt: '2020\u202e-01-01', description: '\u009b2J' },
    ]);
  });

  it('--abort aborts the stale uploads and leaves the young ones', async () => {
    const ids = seedMixed();
    const { code, stdout } = await cli(['scan', '--vault', 'photos', '--abort', '--json', ...at()]);

    expect(code).toBe(EXIT_OK);
    const report = parseReport(stdout);
    expect(report.totals).toMatchObject({ stale: 35, aborted: 35, failed: 0 });
    expect(emu.requests({ operation: 'AbortMultipartUpload', status: 204 })).toHaveLength(35);
    expect(
      emu
        .uploads('photos')
        .map((u) => u.uploadId)
        .sort(),
    ).toEqual(ids.filter((_, i) => i % 2 === 0).sort());
  });

  it('exits 1 when one abort fails (a fault rule), and the failed upload is still there', async () => {
    const ids = seedMixed();
    const victim = ids[1] as string;
    // A non-retryable 400: the SDK gives up at once, so the test needs no backoff.
    emu.addFaultRule({
      operation: 'AbortMultipartUpload',
      uploadId: victim,
      fault: 'error',
      status: 400,
      code: 'InvalidParameterValueException',
      message: 'injected',
    });
    const { code, stdout } = await cli(['scan', '--vault', 'photos', '--abort', '--json', ...at()]);

    expect(code).toBe(EXIT_FINDINGS_FAILED);
    const report = parseReport(stdout);
    expect(report.totals).toMatchObject({ stale: 35, aborted: 34, failed: 1 });
    expect(report.vaults[0]?.staleUploads.find((u) => u.uploadId === victim)?.outcome).toBe('failed');
    expect(emu.uploads('photos').some((u) => u.uploadId === victim)).toBe(true);
  });

  it('exits 1 for a vault error and still sweeps the other vault; the table names the error', async () => {
    seedMixed();
    const { code, stdout } = await cli(['scan', '--vault', 'photos', '--vault', 'archive-2019', ...at()]);

    expect(code).toBe(EXIT_FINDINGS_FAILED);
    expect(stdout).toMatch(/^photos\s+70\s+35\s/m);
    expect(stdout).toMatch(/^archive-2019\s+0\s+0\s.*error: ResourceNotFoundException/m);
    expect(stdout).toContain('archive-2019: ResourceNotFoundException');
  });

  it.each([
    { args: ['scan', '--vault', 'photos', '--older-than', '3h'], names: '--older-than' },
    { args: ['scan', '--vault', 'photos', '--older-than', '7 days'], names: '--older-than' },
    { args: ['scan'], names: '--vault' },
    { args: ['scan', '--vault', 'a,a=3d'], names: '--vault' },
    { args: ['scan', '--vault', 'bad/name'], names: '--vault' },
    { args: ['scan', '--vault', '*=3d'], names: '--vault' },
    { args: ['scan', '--vault', 'photos', '--max-aborts', '-1'], names: '--max-aborts' },
    { args: ['scan', '--vault', 'photos', '--exclude', '('], names: '--exclude' },
    { args: ['scan', '--vault', 'photos', '--account-id', '12345'], names: '--account-id' },
    { args: ['scan', '--vault', 'photos', '--vault-concurrency', '0'], names: '--vault-concurrency' },
    { args: ['scan', '--vault', 'photos', '--abort-concurrency', 'lots'], names: '--abort-concurrency' },
    { args: ['scan', '--vault', '*', '--vault-pattern', '['], names: '--vault-pattern' },
    { args: ['scan', '--vault', 'photos', '--bogus'], names: '--bogus' },
    { args: ['scan', '--vault'], names: '--vault' },
    { args: ['sweep', '--vault', 'photos'], names: "'scan'" },
    { args: [], names: "'scan'" },
  ])('exits 2 naming $names for $args', async ({ args, names }) => {
    seedMixed();
    const { code, stdout, stderr } = await cli([...args, ...at()]);

    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^glacier-sweeper: /);
    expect(stderr).toContain(names);
    // Arguments are checked before any request.
    expect(emu.requests()).toHaveLength(0);
  });

  it('exits 2 for a --vault outside --vault-pattern, naming both, before any request', async () => {
    seedMixed('prod-db');
    seedMixed('backup-1');
    const { code, stdout, stderr } = await cli([
      'scan',
      '--vault',
      'backup-1',
      '--vault',
      'prod-db',
      '--vault-pattern',
      '^(backup|logs)-',
      '--abort',
      ...at(),
    ]);

    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toContain('vault "prod-db" does not match --vault-pattern = "^(backup|logs)-"');
    expect(stderr).toContain('--vault');
    expect(emu.requests()).toHaveLength(0);
    expect(emu.uploads('prod-db')).toHaveLength(70);
  });

  it('writes progress to stderr only when stderr is a terminal, and clears the line at the end', async () => {
    seedMixed('photos');
    seedMixed('videos');
    const args = ['scan', '--vault', 'photos', '--vault', 'videos', '--json', ...at()];

    const tty = await cli(args, true);
    expect(tty.code).toBe(EXIT_OK);
    expect(tty.stderr).toContain('vaults 0/2 · uploads scanned 0');
    expect(tty.stderr).toContain('vaults 2/2 · uploads scanned 140');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    // stdout stays clean JSON.
    expect(parseReport(tty.stdout).totals.scanned).toBe(140);

    for (const isTTY of [false, undefined]) {
      const piped = await cli(args, isTTY);
      expect(piped.code).toBe(EXIT_OK);
      expect(piped.stderr).toBe('');
      expect(parseReport(piped.stdout)).toMatchObject({ totals: { scanned: 140 } });
    }
  });

  it('--help prints the usage with the exit codes and exits 0 without touching AWS', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout, stderr } = await cli([flag]);
      expect(code).toBe(EXIT_OK);
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^Usage: glacier-sweeper scan --vault NAME\[=DURATION\]/);
      expect(stdout).toContain('--endpoint-url URL');
      expect(stdout).toContain('Exit codes: 0 ran');
    }
    expect(emu.requests()).toHaveLength(0);
  });
});

describe('bin/glacier-sweeper.mjs as a process', () => {
  /** A clean environment: fake credentials, no profile, no endpoint variables from this process. */
  const childEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...FAKE_AWS,
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  async function bin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/glacier-sweeper.mjs', ...args], {
        cwd: ROOT,
        env: childEnv(),
        timeout: 30_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  it('runs on the Node.js that started it, and --version says which', async () => {
    // CI runs this file once more under Node 22 (the oldest supported) and sets the major it expects,
    // so a child that silently ran on another Node (the pinned 24 on PATH) fails here.
    const expectedMajor = process.env.SWEEPER_EXPECT_NODE_MAJOR ?? process.versions.node.split('.')[0];
    const { code, stdout } = await bin(['--version']);
    expect(code).toBe(0);
    const match = /^glacier-sweeper (\d+\.\d+\.\d+) \(Node\.js v(\d+)\.\d+\.\d+\)\n$/.exec(stdout);
    expect(match?.[1]).toBe(PACKAGE_VERSION);
    expect(match?.[2]).toBe(expectedMajor);
  });

  it('scans and prints JSON on stdout, exit 0, nothing on stderr (not a terminal)', async () => {
    seedMixed();
    const { code, stdout, stderr } = await bin([
      'scan',
      '--vault',
      'photos',
      '--json',
      '--endpoint-url',
      emu.url,
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(parseReport(stdout).totals).toMatchObject({ scanned: 70, stale: 35 });
  });

  it('exits 1 with a vault error and prints the table', async () => {
    seedMixed();
    const { code, stdout } = await bin([
      'scan',
      '--vault',
      'photos',
      '--vault',
      'gone',
      '--endpoint-url',
      emu.url,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^gone\s+0\s+0\s.*error: ResourceNotFoundException/m);
  });

  it('exits 2 for a bad flag value and names it on stderr', async () => {
    const { code, stdout, stderr } = await bin([
      'scan',
      '--vault',
      'photos',
      '--older-than',
      '1h',
      '--endpoint-url',
      emu.url,
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--older-than');
    expect(emu.requests()).toHaveLength(0);
  });

  it('runs as `npx --no-install glacier-sweeper --help`, the README command', async () => {
    const { stdout } = await run('npx', ['--no-install', 'glacier-sweeper', '--help'], {
      cwd: ROOT,
      env: childEnv(),
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^Usage: glacier-sweeper scan/);
    expect(stdout).toContain('Exit codes');
  });
});
