/**
 * Marker chains that cycle, end to end: the real CLI process (no deadline) and the real handler, with
 * the real SDK, against the emulator through a proxy that bends one listing's markers into a loop
 * A → B → A: the answer to the request sent with the second marker carries the first one again. The
 * emulator's markers stay valid, so only the sweeper's own check can end the listing. The CLI runs
 * under a kill timer, so a listing that never ends fails the test instead of hanging it.
 */
import { execFile } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../lambda/core/types';
import { type Emulator, type SeedUpload, startEmulator } from '../../../local/emulator';
import { configure, reportOf, run, snapshot, vaultUploads, violations } from './harness';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const KILL_AFTER_MS = 20_000;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

/** Which listing the proxy bends: Glacier REST paths (`/-/vaults/alpha/multipart-uploads`, `/-/vaults`). */
const LISTINGS = {
  ListMultipartUploads: (path: string, vault: string) => path.endsWith(`/vaults/${vault}/multipart-uploads`),
  ListVaults: (path: string) => /^\/[^/]+\/vaults$/.test(path),
} as const;

interface MarkerLoop {
  readonly url: string;
  /** The markers the emulator answered the bent listing with, in order: [A, B, …]. */
  readonly answered: string[];
  close(): Promise<void>;
}

/**
 * Forwards every request to the emulator unchanged. For the bent listing it records each marker
 * answered, and rewrites the answer to the request sent with the second (B) to carry the first (A).
 */
async function markerLoop(listing: keyof typeof LISTINGS, vault = ''): Promise<MarkerLoop> {
  const target = new URL(emu.url);
  const answered: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = request(
        {
          hostname: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            let out = Buffer.concat(body);
            const url = new URL(req.url ?? '/', emu.url);
            if (req.method === 'GET' && answer.statusCode === 200 && LISTINGS[listing](url.pathname, vault)) {
              const json = JSON.parse(out.toString('utf8')) as { Marker?: string | null };
              const sent = url.searchParams.get('marker');
              if (answered.length >= 2 && sent === answered[1]) json.Marker = answered[0];
              else if (json.Marker) answered.push(json.Marker);
              out = Buffer.from(JSON.stringify(json));
            }
            res.writeHead(answer.statusCode ?? 502, {
              ...answer.headers,
              'content-length': String(out.length),
            });
            res.end(out);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let loop: MarkerLoop | undefined;
afterEach(async () => {
  await loop?.close();
  loop = undefined;
});

/** `glacier-sweeper scan … --json` as a child process, killed after KILL_AFTER_MS. */
async function scan(endpoint: string, args: string[]): Promise<{ code: number; report: SweepReport }> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const argv = ['bin/glacier-sweeper.mjs', 'scan', ...args, '--json', '--endpoint-url', endpoint];
  try {
    const { stdout } = await execFileAsync(process.execPath, argv, {
      cwd: ROOT,
      env,
      timeout: KILL_AFTER_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, report: JSON.parse(stdout) as SweepReport };
  } catch (error) {
    const failed = error as { code?: unknown; killed?: boolean; stdout?: string };
    if (failed.killed)
      throw new Error(`glacier-sweeper ${args.join(' ')} still ran after ${KILL_AFTER_MS} ms`);
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, report: JSON.parse(failed.stdout ?? '') as SweepReport };
  }
}

/** 180 uploads: four pages of 50 (the sweeper's page size), the last one never reached by the loop. */
const fourPages = (vault: string): SeedUpload[] => vaultUploads(vault, 120, 58);

const listRequests = (vault: string) =>
  emu.requests({ service: 'glacier', operation: 'ListMultipartUploads', vault });

describe('a marker chain that cycles (A → B → A)', () => {
  it('the CLI (no deadline) stops ListMultipartUploads at the repeated marker: a vault error, the pages before counted once', async () => {
    emu.seed({ vaults: [{ name: 'alpha', uploads: fourPages('alpha') }] });
    loop = await markerLoop('ListMultipartUploads', 'alpha');

    const { code, report } = await scan(loop.url, ['--vault', 'alpha']);

    expect(code).toBe(1);
    const [first] = loop.answered;
    expect(listRequests('alpha')).toHaveLength(3);
    const vault = report.vaults[0];
    expect(vault?.error).toBe(
      `Error: ListMultipartUploads repeated a marker it was already given (${first?.slice(0, 40)}); listing stopped`,
    );
    expect(vault).toMatchObject({ vault: 'alpha', scanned: 150, duplicates: 0, complete: false });
    expect(report.totals.vaultErrors).toBe(1);
  });

  it('the CLI stops ListVaults (--vault "*") at the repeated marker: one error entry, no vault listed', async () => {
    // 35 vaults: ListVaults answers 10 a page, so A, B and C lead on; B's answer is bent back to A.
    emu.seed({
      vaults: Array.from({ length: 35 }, (_, i) => ({ name: `v${String(i).padStart(2, '0')}`, uploads: [] })),
    });
    loop = await markerLoop('ListVaults');

    const { code, report } = await scan(loop.url, ['--vault', '*']);

    expect(code).toBe(1);
    expect(emu.requests({ service: 'glacier', operation: 'ListVaults' })).toHaveLength(3);
    expect(emu.requests({ service: 'glacier', operation: 'ListMultipartUploads' })).toHaveLength(0);
    expect(report.vaults).toHaveLength(1);
    expect(report.vaults[0]?.error).toContain(
      `ListVaults repeated a marker it was already given (${loop.answered[0]?.slice(0, 40)}); listing stopped`,
    );
  });

  it('the handler stops at once instead of spending its budget on the loop; the other vault is swept', async () => {
    emu.seed({
      vaults: [
        { name: 'alpha', uploads: fourPages('alpha') },
        { name: 'beta', uploads: vaultUploads('beta', 3, 1) },
      ],
    });
    const topicArn = configure(emu, { vaults: 'alpha,beta', action: 'abort', 'older-than': '7d' });
    const before = snapshot(emu, ['alpha', 'beta']);
    loop = await markerLoop('ListMultipartUploads', 'alpha');
    // An 8 s invocation: a listing that followed the loop would page until its deadline.
    const end = Date.now() + 8_000;
    const started = performance.now();

    const result = await run(emu, topicArn, { endpoint: loop.url, remainingMs: () => end - Date.now() });

    const report = reportOf(result);
    expect(listRequests('alpha')).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(4_000);
    const alpha = report.vaults.find((v) => v.vault === 'alpha');
    expect(alpha?.error).toContain('ListMultipartUploads repeated a marker it was already given');
    expect(alpha).toMatchObject({ scanned: 150, duplicates: 0, complete: false });
    expect(report.vaults.find((v) => v.vault === 'beta')).toMatchObject({ complete: true, error: null });
    expect(violations(emu, report, { before, mustComplete: ['beta'] })).toEqual([]);
  });
});
