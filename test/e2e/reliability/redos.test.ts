/**
 * ReDoS end to end: the real CLI process against the emulator, with `--exclude` and `--vault-pattern`
 * patterns that make a backtracking engine take exponential time on the descriptions and vault names
 * seeded here. The child runs under a kill timer: no timer fires inside a process whose event loop a
 * regular expression is blocking, so only a kill from outside can end it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SSM_PREFIX } from '../../../lambda/core/defaults';
import type { SweepReport } from '../../../lambda/core/types';
import { daysAgo, type Emulator, startEmulator } from '../../../local/emulator';
import { configure, run as invoke, vaultUploads } from './harness';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const KILL_AFTER_MS = 20_000;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

async function scan(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const argv = ['bin/glacier-sweeper.mjs', 'scan', ...args, '--json', '--endpoint-url', emu.url];
  try {
    const { stdout, stderr } = await run(process.execPath, argv, {
      cwd: ROOT,
      env,
      timeout: KILL_AFTER_MS,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stdout, stderr, ms: performance.now() - started };
  } catch (error) {
    const failed = error as { code?: unknown; killed?: boolean; stdout?: string; stderr?: string };
    if (failed.killed)
      throw new Error(`glacier-sweeper ${args.join(' ')} still ran after ${KILL_AFTER_MS} ms`);
    if (typeof failed.code !== 'number') throw error;
    return {
      code: failed.code,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
      ms: performance.now() - started,
    };
  }
}

describe('the CLI with patterns that backtrack exponentially', () => {
  it("--exclude '(a+)+$' over a 37-character description returns and judges every upload", async () => {
    const adversarial = `${'a'.repeat(36)}!`;
    const seeded = emu.seed({
      vaults: [
        {
          name: 'photos',
          uploads: [
            { createdAt: daysAgo(30), description: adversarial },
            { createdAt: daysAgo(30), description: 'keep: aaaa' },
          ],
        },
      ],
    });
    const [hostile, kept] = seeded.uploadIds.photos ?? [];

    const { code, stdout } = await scan(['--vault', 'photos', '--exclude', '(a+)+$', '--abort']);

    expect(code).toBe(0);
    const outcomes = Object.fromEntries(
      (JSON.parse(stdout) as SweepReport).vaults[0]?.staleUploads.map((u) => [u.uploadId, u.outcome]) ?? [],
    );
    // The adversarial description does not end in a run of a's: it is not excluded.
    expect(outcomes).toEqual({ [hostile as string]: 'aborted', [kept as string]: 'skipped' });
  });

  it("--vault-pattern '^(a+)+$' over ListVaults names returns and sweeps only the matching vault", async () => {
    // Vault names allow neither '!' nor spaces; a trailing '-' fails the pattern just as well.
    const adversarial = `${'a'.repeat(40)}-`;
    emu.seed({
      vaults: [
        { name: adversarial, uploads: [{ createdAt: daysAgo(30) }] },
        { name: 'aaaa', uploads: [{ createdAt: daysAgo(30) }] },
      ],
    });

    const { code, stdout } = await scan(['--vault', '*', '--vault-pattern', '^(a+)+$']);

    expect(code).toBe(0);
    expect((JSON.parse(stdout) as SweepReport).vaults.map((v) => v.vault)).toEqual(['aaaa']);
  });
});

describe('patterns whose meaning differs between the engines are configuration errors', () => {
  it('the CLI exits 2 naming --exclude, the pattern and why, and sends no request', async () => {
    const { code, stdout, stderr } = await scan(['--vault', 'photos', '--exclude', '\\Akeep', '--abort']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      '--exclude = "\\\\Akeep": is not an accepted RE2 pattern: \\A at character 1: RE2 reads \\A as the start of the text',
    );
    expect(emu.requests()).toHaveLength(0);
  });

  it('the Lambda fails naming the SSM parameter, alerts once and touches no vault', async () => {
    emu.seed({ vaults: [{ name: 'alpha', uploads: vaultUploads('alpha', 3, 1) }] });
    const topicArn = configure(emu, { vaults: 'alpha', action: 'abort', exclude: '^(?!tmp-)' });

    const result = await invoke(emu, topicArn);

    const setting = `${DEFAULT_SSM_PREFIX}/exclude`;
    expect(result.error?.name).toBe('ConfigError');
    expect(result.error?.message).toBe(
      `${setting} = "^(?!tmp-)": is not an accepted RE2 pattern: lookahead (?!…) at character 2: RE2 has no lookaround`,
    );
    expect(emu.requests({ service: 'glacier' })).toEqual([]);
    const published = emu.published();
    expect(published.map((m) => m.attributes.kind)).toEqual(['alert']);
    expect(published[0]?.message).toContain(setting);
  });
});
