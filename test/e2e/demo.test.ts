/**
 * `npm run demo`: the README's first command. `runDemo` against an emulator this test owns, so that the
 * demo's claims (what SNS received, that young uploads are untouched) are checked against the
 * emulator's own state, not against the demo's word.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_HELP,
  demoMain,
  GARBAGE_DATE,
  ODD_DESCRIPTION,
  ODD_DESCRIPTION_CLEANED,
  runDemo,
} from '../../local/demo';
import { type Emulator, startEmulator } from '../../local/emulator';

const DAY_MS = 86_400_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});

afterAll(async () => {
  await emu.stop();
});

async function demo(options: { abort?: boolean; verbose?: boolean; quietPeriod?: string } = {}) {
  const chunks: string[] = [];
  const result = await runDemo({ ...options, emulator: emu, write: (s) => chunks.push(s) });
  return { result, output: chunks.join('') };
}

/** Every character below U+0020 except the newline, plus DEL and the C1 range. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('runDemo', () => {
  it('report mode prints what SNS received, the vault table, the vault error, the cleaned text and the anomaly', async () => {
    const { result, output } = await demo();

    expect(result.exitCode).toBe(0);
    const message = emu.published().at(-1);
    expect(message?.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.message?.messageId).toBe(message?.messageId);
    // The subject and the email text exactly as the emulator's SNS recorded them.
    expect(output).toContain(`Subject: ${message?.subject}`);
    expect(message?.subject).toBe('glacier-sweeper: 17 stale in 2 vaults, 1 vault error (us-east-1)');
    expect(output).toContain(message?.structured?.email as string);
    expect(message?.attributes).toEqual({ kind: 'report', action: 'report' });

    // The vault table of the email, with the per-vault threshold column.
    expect(output).toMatch(
      /^VAULT\s+OLDER THAN\s+SCANNED\s+STALE\s+ABORTED\s+FAILED\s+SKIPPED\s+REPORTED\s+AT STAKE\s+ANOMALIES\s+STATUS$/m,
    );
    expect(output).toMatch(/^backups\s+7d\s+120\s+15\s+0\s+0\s+1\s+14\s+17\.7 GiB\s+0\s+complete$/m);
    expect(output).toMatch(/^logs\s+14d\s+5\s+2\s+0\s+0\s+0\s+2\s+32 MiB\s+1\s+complete$/m);
    expect(output).toMatch(/^archive-2019\s+7d\s+0\s+0\s.*error: ResourceNotFoundException/m);
    expect(output).toMatch(/^archive-2019: ResourceNotFoundException: Vault not found/m);
    // The odd description, cleaned, and not a single escape or control character anywhere.
    expect(output).toContain(ODD_DESCRIPTION_CLEANED);
    expect(ODD_DESCRIPTION).toMatch(CONTROL);
    expect(output).not.toContain('\x1b');
    expect(output).not.toMatch(CONTROL);
    expect(output).not.toContain('pwned');
    // The anomaly, shown with the date as sent.
    expect(output).toMatch(new RegExp(`^logs\\s+${GARBAGE_DATE}\\s+upload with a garbage CreationDate`, 'm'));
    // The run summary: the emulator's counts.
    expect(output).toMatch(/^backups\s+7d\s+120\s+15\s+0\s+120\s+complete$/m);
    expect(output).toContain(
      'Requests the emulator saw: GetParameters 1 · ListTagsForVault 3 · ListMultipartUploads 4 · ListParts 16 · Publish 1 (25 in all)',
    );
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'backups' })).toHaveLength(3);
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(0);
    expect(emu.uploads('backups')).toHaveLength(120);
    expect(output).not.toContain('"level"');
  });

  it('--abort aborts the stale uploads; the young ones are all still in the emulator, as the demo says', async () => {
    const { result, output } = await demo({ abort: true });

    expect(result.exitCode).toBe(0);
    expect(result.report?.totals).toMatchObject({
      stale: 17,
      aborted: 16,
      skipped: 1,
      failed: 0,
      anomalies: 1,
    });
    // This test's own reading of the emulator: which uploads are young now, per vault threshold.
    const now = Date.now();
    const threshold: Record<string, number> = { backups: 7 * DAY_MS, logs: 14 * DAY_MS };
    const remaining = Object.keys(threshold).flatMap((vault) =>
      emu.uploads(vault).map((u) => ({ ...u, created: Date.parse(u.creationDate ?? '') })),
    );
    const young = remaining.filter(
      (u) => !Number.isNaN(u.created) && now - u.created < (threshold[u.vault] ?? 0),
    );
    // By construction: 120 − 15 stale in backups, and 2 of 5 in logs.
    expect(young).toHaveLength(105 + 2);
    expect(new Set(young.map((u) => u.uploadId))).toEqual(new Set(result.youngIds));
    // Everything else that remains is the excluded upload and the anomaly; nothing stale survived.
    const others = remaining.filter((u) => !young.includes(u));
    expect(others.map((u) => u.description).sort()).toEqual([
      'keep: legal hold 2025-Q3 (excluded)',
      'upload with a garbage CreationDate',
    ]);
    // Every DELETE went to an upload that is now gone and was not young.
    const deletes = emu.requests({ operation: 'AbortMultipartUpload' });
    expect(deletes).toHaveLength(16);
    expect(deletes.every((r) => r.status === 204)).toBe(true);
    const left = new Set(remaining.map((u) => u.uploadId));
    expect(deletes.some((r) => left.has(r.uploadId as string))).toBe(false);

    expect(output).toContain(
      'Young uploads: 107 before, 107 after: every young upload is untouched (checked by id in the emulator',
    );
    expect(output).toContain('16 DELETEs answered 204, report says 16 aborted');
    expect(output).toContain(
      'Also still there: 2 older uploads the sweeper must not touch (1 matched exclude, 1 with an untrustworthy CreationDate).',
    );
    expect(output).toMatch(/^backups\s+7d\s+120\s+15\s+14\s+106\s+complete$/m);
    expect(output).toMatch(/^logs\s+14d\s+5\s+2\s+2\s+3\s+complete$/m);
    expect(output).toContain(`Subject: ${emu.published().at(-1)?.subject}`);
    expect(emu.published().at(-1)?.subject).toBe(
      'glacier-sweeper: 17 stale, 16 aborted in 2 vaults, 1 vault error (us-east-1)',
    );
    expect(output).not.toContain('\x1b');
  });

  it('--abort --quiet-period 2d: run 1 only records, run 2 aborts the idle uploads and keeps the live one', async () => {
    const before = Date.now();
    const { result, output } = await demo({ abort: true, quietPeriod: '2d' });
    const after = Date.now();
    expect(result.exitCode).toBe(0);
    expect(output).toMatch(/Run 1 \(now\): 17 stale, 16 pending, 0 aborted/);
    expect(output).toContain('that upload is alive');
    const report = result.report;
    const backups = report?.vaults.find((v) => v.vault === 'backups');
    // The uploads stale in both runs: the one that got a new part between runs is pending, the rest aborted.
    const staleTwice = backups?.staleUploads.filter((u) => u.ageHours >= 9 * 24) ?? [];
    const live = staleTwice.filter((u) => u.outcome === 'pending');
    expect(live).toHaveLength(1);
    // Its parts changed, so a whole quiet period counts from run 2, whose clock is 2d + 1h ahead.
    const eligibleAt = Date.parse(live[0]?.eligibleAt ?? '');
    const ahead = 2 * DAY_MS + 3_600_000 + 2 * DAY_MS;
    expect(eligibleAt).toBeGreaterThanOrEqual(before + ahead);
    expect(eligibleAt).toBeLessThanOrEqual(after + ahead);
    expect(staleTwice.filter((u) => u.outcome === 'aborted')).toHaveLength(13);
    // What the emulator saw: the live upload was never aborted and is still there with its new part.
    const liveId = live[0]?.uploadId ?? '';
    expect(emu.requests({ operation: 'AbortMultipartUpload', uploadId: liveId })).toEqual([]);
    expect(emu.uploads('backups').find((u) => u.uploadId === liveId)?.parts.length).toBe(4);
    // Uploads that only became stale because the clock moved are seen for the first time: pending.
    expect(
      backups?.staleUploads.filter((u) => u.ageHours < 9 * 24).every((u) => u.outcome === 'pending'),
    ).toBe(true);
    expect(result.young?.missing).toEqual([]);
    expect(output).toMatch(/pending until \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  });

  it('--verbose prints the handler log after the report, one JSON object per line, still escape-free', async () => {
    const { output } = await demo({ abort: true, verbose: true });

    const [report, log] = output.split(/^── Handler log .*$/m);
    expect(report).toContain('Young uploads: 107 before, 107 after');
    const lines = (log ?? '').trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { level: string; message: string });
    expect(parsed.filter((l) => l.message === 'aborting upload')).toHaveLength(16);
    expect(parsed.filter((l) => l.message === 'stale upload')).toHaveLength(17);
    expect(parsed.at(-1)?.message).toBe('run finished');
    expect(parsed.some((l) => l.level === 'ERROR' && l.message === 'vault swept')).toBe(true);
    // The audit log carries the description cleaned, as the email shows it: the escape and its payload go.
    expect(log).toContain('"description":"web-3 access logs URGENT week 12"');
    expect(log).not.toContain('pwned');
    expect(output).not.toContain('\x1b');
  });

  it('--help and bad arguments, through the script entry', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(
      await demoMain(
        ['--help'],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(0);
    expect(out.join('')).toBe(`${DEMO_HELP}\n`);
    expect(
      await demoMain(
        ['--abrot'],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join('')).toContain("Unknown option '--abrot'");
  });

  it('`npm run demo` (tsx local/demo.ts) runs as a script and prints a report, in seconds', async () => {
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/demo.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^Subject: glacier-sweeper: 17 stale in 2 vaults, 1 vault error/m);
    expect(stdout).toContain('Report mode: nothing was aborted.');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
