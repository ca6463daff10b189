/**
 * `glacier-sweeper scan` against the emulator: `main()` in-process with injected io, then the real
 * `bin/glacier-sweeper.mjs` as a subprocess (and through `npx`, as the README runs it).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { UploadMultipartPartCommand } from '@aws-sdk/client-glacier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FLAGS } from '../../cli/args';
import { type CliIo, EXIT_FINDINGS_FAILED, EXIT_OK, EXIT_USAGE, main } from '../../cli/main';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../local/emulator';
import { type LocalStateTable, startStateTable } from '../../local/state-table';
import { parseReport } from './helpers/report-schema';
import { type SdkClients, sdkClients } from './helpers/sdk-clients';

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
    expect(stdout).toContain(
      'Report mode: nothing was aborted; abort mode with these settings would abort 35 uploads (0 B). To clean up, run again with --abort.',
    );
    expect(emu.requests({ operation: 'ListMultipartUploads' })).toHaveLength(2);
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(0);
    // The CLI reads no SSM and publishes nothing.
    expect(emu.requests({ service: 'ssm' })).toHaveLength(0);
    expect(emu.published()).toHaveLength(0);
  });

  it("points at --json for what the table leaves out, not at the Lambda's subscribers and log", async () => {
    seedMixed();
    const { code, stdout } = await cli(['scan', '--vault', 'photos', ...at()]);

    expect(code).toBe(EXIT_OK);
    // 35 stale uploads, 20 rows in the table.
    expect(stdout).toContain('…and 15 more: run with --json for the full report.');
    expect(stdout).not.toMatch(/SQS|subscribers|function's log/);
  });

  it('--wide prints upload ids whole in the table; without it they are shortened', async () => {
    const stale = seedMixed().filter((_, i) => i % 2 === 1);
    const narrow = await cli(['scan', '--vault', 'photos', ...at()]);
    const wide = await cli(['scan', '--vault', 'photos', '--wide', ...at()]);

    expect([narrow.code, wide.code]).toEqual([EXIT_OK, EXIT_OK]);
    const whole = (text: string) => stale.filter((id) => text.includes(id)).length;
    const shortened = (text: string) =>
      stale.filter((id) => text.includes(`${id.slice(0, 8)}…${id.slice(-10)}`)).length;
    // The table shows the 20 oldest of the 35 stale uploads.
    expect([whole(narrow.stdout), shortened(narrow.stdout)]).toEqual([0, 20]);
    expect([whole(wide.stdout), shortened(wide.stdout)]).toEqual([20, 0]);
    expect(wide.stdout).toMatch(/UPLOAD ID$/m);
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
    {
      args: ['scan', '--vault', 'photos', '--quiet-period', '3h', '--state-table', 't'],
      names: '--quiet-period',
    },
    { args: ['scan', '--vault', 'photos', '--state-table', ''], names: '--state-table' },
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

  it.each([
    { flag: '--older-than', value: '-1d', says: 'expected a whole number and a unit m, h, d or w' },
    { flag: '--max-aborts', value: '-5', says: 'must be a whole number of 0 or more' },
    { flag: '--vault-concurrency', value: '-2', says: 'must be a whole number from 1 to 32' },
  ])(
    '$flag $value: takes the value and says what $flag takes, as $flag=$value does',
    async ({ flag, value, says }) => {
      const spaced = await cli(['scan', '--vault', 'photos', flag, value, ...at()]);
      const joined = await cli(['scan', '--vault', 'photos', `${flag}=${value}`, ...at()]);

      expect([spaced.code, joined.code]).toEqual([EXIT_USAGE, EXIT_USAGE]);
      expect(spaced.stderr).toMatch(new RegExp(`^glacier-sweeper: ${flag} =? ?"${value}": ${says}`));
      expect(spaced.stderr).not.toContain('ambiguous');
      expect(spaced.stderr).toBe(joined.stderr);
      expect(emu.requests()).toHaveLength(0);
    },
  );

  it.each([
    { args: ['--vault', '--abort'], says: '--vault needs a value: NAME or NAME=DURATION' },
    { args: ['--vault', 'photos', '--older-than'], says: '--older-than needs a value: a duration' },
    { args: ['--vault', 'photos', '--exclude', '-h'], says: '--exclude needs a value: a pattern' },
  ])(
    '$args: a flag followed by another flag or nothing needs a value, and says what it takes',
    async ({ args, says }) => {
      const { code, stdout, stderr } = await cli(['scan', ...args]);

      expect(code).toBe(EXIT_USAGE);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^glacier-sweeper: ${says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(emu.requests()).toHaveLength(0);
    },
  );

  it('a value that starts with - is a value where the flag takes one: --exclude -tmp', async () => {
    emu.seed({
      vaults: [
        {
          name: 'photos',
          uploads: makeUploads(2, {
            createdAt: daysAgo(9),
            description: (i) => `batch ${i}${i ? '-tmp' : ''}`,
          }),
        },
      ],
    });
    const { code, stdout } = await cli(['scan', '--vault', 'photos', '--exclude', '-tmp', '--json', ...at()]);

    expect(code).toBe(EXIT_OK);
    expect(parseReport(stdout).totals).toMatchObject({ stale: 2, skipped: 1, reported: 1 });
  });

  it.each(['localhost:4566', 'http//x', '127.0.0.1:4566', 'ftp://127.0.0.1/', 'http://'])(
    '--endpoint-url %s is not a URL the SDK can send to: exit 2 naming the flag and the value',
    async (url) => {
      const { code, stdout, stderr } = await cli(['scan', '--vault', 'photos', '--endpoint-url', url]);

      expect(code).toBe(EXIT_USAGE);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `glacier-sweeper: --endpoint-url = "${url}": not a URL: give the scheme and the host, such as http://localhost:4566\n`,
      );
    },
  );

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
      for (const name of FLAGS) expect(stdout).toMatch(new RegExp(`^ +(-\\w, )?${name}\\b`, 'm'));
    }
    expect(emu.requests()).toHaveLength(0);
  });
});

describe('--quiet-period with --state-table: the history the Lambda keeps, across runs (dynalite)', () => {
  const DAY = 86_400_000;
  const MIB = 1_048_576;
  const partRange = (i: number) => ({
    range: `${i * MIB}-${(i + 1) * MIB - 1}`,
    treeHash: String(i).repeat(64).slice(0, 64),
  });
  let table: LocalStateTable;
  let glacier: SdkClients;
  let ids: { live: string; idle: string; young: string };
  const endpointVars = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB'] as const;

  beforeAll(async () => {
    table = await startStateTable();
    glacier = sdkClients(emu.url);
    // The documented way to send DynamoDB elsewhere than Glacier and STS: the SDK's own variables
    // (--endpoint-url would send every request, the history's too, to the emulator).
    process.env.AWS_ENDPOINT_URL = emu.url;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = table.url;
  });

  afterAll(async () => {
    for (const name of endpointVars) delete process.env[name];
    glacier.destroy();
    await table.stop();
  });

  beforeEach(async () => {
    const seeded = emu.seed({
      vaults: [
        {
          name: 'archive',
          uploads: [
            // A 20-day-old upload on a slow link: still receiving parts.
            { createdAt: daysAgo(20), description: 'slow link', partSizeBytes: MIB, parts: [partRange(0)] },
            { createdAt: daysAgo(15), description: 'abandoned', partSizeBytes: MIB, parts: [partRange(0)] },
            { createdAt: daysAgo(1), description: 'fresh', partSizeBytes: MIB },
          ],
        },
      ],
    });
    const [live, idle, young] = seeded.uploadIds.archive ?? [];
    ids = { live: live ?? '', idle: idle ?? '', young: young ?? '' };
    await table.drop().catch(() => undefined);
    await table.create();
  });

  const start = Date.now();
  async function scanAt(days: number, args: string[]) {
    const c = capture();
    const code = await main(['scan', '--vault', 'archive', '--json', ...args], c.io, {
      clock: () => start + days * DAY,
    });
    return { code, stdout: c.stdout(), stderr: c.stderr() };
  }
  const outcomes = (stdout: string) =>
    Object.fromEntries(parseReport(stdout).vaults[0]?.staleUploads.map((u) => [u.uploadId, u.outcome]) ?? []);
  const keyOf = (id: string) => `123456789012:us-east-1:archive#${id}`;

  it('a report run records; an abort run after the quiet period aborts the idle upload and keeps the one whose parts changed', async () => {
    const history = ['--quiet-period', '2d', '--state-table', table.tableName];
    const first = await scanAt(0, history);

    expect([first.code, first.stderr]).toEqual([EXIT_OK, '']);
    expect(outcomes(first.stdout)).toEqual({ [ids.live]: 'reported', [ids.idle]: 'reported' });
    // The key holds the caller's account, from STS, as the Lambda's holds its own.
    expect(emu.requests({ service: 'sts', operation: 'GetCallerIdentity' })).toHaveLength(1);
    expect((await table.items()).map((item) => item.pk).sort()).toEqual(
      [keyOf(ids.live), keyOf(ids.idle)].sort(),
    );
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(0);

    await glacier.glacier.send(
      new UploadMultipartPartCommand({
        accountId: '-',
        vaultName: 'archive',
        uploadId: ids.live,
        range: `bytes ${MIB}-${2 * MIB - 1}/*`,
        body: Buffer.alloc(MIB, 1),
      }),
    );
    const second = await scanAt(3, ['--abort', ...history]);

    expect([second.code, second.stderr]).toEqual([EXIT_OK, '']);
    expect(outcomes(second.stdout)).toEqual({ [ids.live]: 'pending', [ids.idle]: 'aborted' });
    expect(
      emu
        .uploads('archive')
        .map((u) => u.uploadId)
        .sort(),
    ).toEqual([ids.live, ids.young].sort());
    // The aborted upload's history is gone; the live one's restarted with its new part.
    const items = await table.items();
    expect(items.map((item) => [item.pk, item.partCount])).toEqual([[keyOf(ids.live), 2]]);
  });

  it('the text table says pending and until when', async () => {
    const history = ['--quiet-period', '2d', '--state-table', table.tableName, '--abort'];
    await scanAt(0, history);
    const c = capture();
    const code = await main(['scan', '--vault', 'archive', ...history], c.io, { clock: () => start + DAY });

    expect(code).toBe(EXIT_OK);
    expect(c.stdout()).toContain('account 123456789012');
    expect(c.stdout()).toContain('2 pending');
    expect(c.stdout()).toMatch(/pending until \d{4}-\d\d-\d\d \d\d:\d\d/);
  });

  it('--state-table exits 2 naming --account-id when STS cannot tell the account; --account-id needs no STS', async () => {
    emu.addFaultRule({
      service: 'sts',
      operation: 'GetCallerIdentity',
      fault: 'error',
      status: 403,
      code: 'AccessDenied',
      message: 'not authorized to perform sts:GetCallerIdentity',
    });
    const history = ['--abort', '--quiet-period', '2d', '--state-table', table.tableName];
    const refused = await scanAt(0, history);

    expect(refused.code).toBe(EXIT_USAGE);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^glacier-sweeper: --state-table /);
    expect(refused.stderr).toContain('--account-id');
    expect(refused.stderr).toContain('AccessDenied');
    expect(emu.requests({ service: 'glacier' })).toHaveLength(0);

    emu.clearRequests();
    const named = await scanAt(0, [...history, '--account-id', '123456789012']);
    expect(named.code).toBe(EXIT_OK);
    expect(emu.requests({ service: 'sts' })).toHaveLength(0);
    expect((await table.items()).map((item) => item.pk).sort()).toEqual(
      [keyOf(ids.live), keyOf(ids.idle)].sort(),
    );
  });

  it('a --state-table that cannot be read exits 2 before any vault, instead of keeping every upload pending', async () => {
    const { code, stdout, stderr } = await scanAt(0, [
      '--abort',
      '--quiet-period',
      '2d',
      '--state-table',
      'no-such-table',
    ]);

    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^glacier-sweeper: --state-table = "no-such-table": the upload-history table could not be read \(ResourceNotFoundException: .*\)/,
    );
    expect(emu.requests({ service: 'glacier' })).toHaveLength(0);
  });

  it('--quiet-period without --state-table exits 2 naming both, before any request', async () => {
    const { code, stdout, stderr } = await scanAt(0, ['--abort', '--quiet-period', '2d']);

    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^glacier-sweeper: --quiet-period needs --state-table/);
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

  async function bin(
    args: string[],
    env: NodeJS.ProcessEnv = childEnv(),
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/glacier-sweeper.mjs', ...args], {
        cwd: ROOT,
        env,
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

  /** No credentials anywhere: no variables, an empty home (no ~/.aws), no instance metadata. */
  function bareEnv(home: string): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: home,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  it('without credentials exits 2 with one message saying how to supply them, before any request', async () => {
    seedMixed();
    const home = mkdtempSync(join(tmpdir(), 'sweeper-home-'));
    try {
      for (const extra of [[], ['--profile', 'nosuch']]) {
        const { code, stdout, stderr } = await bin(
          ['scan', '--vault', 'photos', '--abort', ...extra, '--endpoint-url', emu.url],
          bareEnv(home),
        );

        expect(code).toBe(2);
        expect(stdout).toBe('');
        expect(stderr.endsWith('\n')).toBe(true);
        expect(stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(stderr).toMatch(/^glacier-sweeper: no AWS credentials \(CredentialsProviderError: .+\): /);
        for (const way of ['AWS_ACCESS_KEY_ID', '--profile', 'AWS_PROFILE', 'aws sso login', 'instance role'])
          expect(stderr).toContain(way);
      }
      expect(emu.requests()).toHaveLength(0);
      expect(emu.uploads('photos')).toHaveLength(70);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('--profile NAME takes the credentials of that profile of the shared files', async () => {
    seedMixed();
    const home = mkdtempSync(join(tmpdir(), 'sweeper-home-'));
    try {
      mkdirSync(join(home, '.aws'));
      writeFileSync(
        join(home, '.aws', 'credentials'),
        '[sandbox]\naws_access_key_id = test\naws_secret_access_key = test\n',
      );
      const { code, stdout, stderr } = await bin(
        ['scan', '--vault', 'photos', '--profile', 'sandbox', '--json', '--endpoint-url', emu.url],
        bareEnv(home),
      );

      expect([code, stderr]).toEqual([0, '']);
      expect(parseReport(stdout).totals).toMatchObject({ scanned: 70, stale: 35 });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
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
