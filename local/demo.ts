/**
 * `npm run demo`: the README's first command. Starts the local emulator, seeds vaults with fresh and
 * stale uploads, writes the SSM parameters the stack would, runs the REAL Lambda handler against it
 * and prints what an operator gets: the SNS subject and email text as SNS received them, then a short
 * run summary. `--abort` aborts, then proves from the emulator's state that young uploads are untouched.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GlacierClient, UploadMultipartPartCommand } from '@aws-sdk/client-glacier';
import { DEFAULT_MAX_ABORTS, DEFAULT_NOTIFY, DEFAULT_SSM_PREFIX } from '../lambda/core/defaults';
import { parseDuration } from '../lambda/core/duration';
import { ssmParameterName } from '../lambda/core/ssm-names';
import type { SweepReport } from '../lambda/core/types';
import {
  daysAgo,
  type Emulator,
  type PublishedMessage,
  type SeedUpload,
  startEmulator,
  type UploadView,
} from './emulator';
import { invokeLocally, MemoryLogger } from './invoke';
import { type LocalStateTable, startStateTable } from './state-table';

export const DEMO_HELP = `Usage: npm run demo [-- --abort] [--quiet-period DURATION] [--verbose]

Runs the real glacier-sweeper Lambda handler against a local emulator of Glacier, SNS and SSM
(nothing leaves this machine, no AWS account needed) and prints what an operator would receive.

Seeded: vault 'backups' (120 uploads, 3 pages, mixed ages), vault 'logs' (its own 14d threshold, one
description full of control characters and a terminal escape, one upload with a garbage
CreationDate), and a configured vault 'archive-2019' that does not exist.

Options:
  --fleet     fleet mode instead: the synthesized Step Functions state machine of the fleet hub
              on aws-local-stepfunctions, its tasks bound to the real handlers, against the
              emulator with 3 accounts × 2 regions (one account's spoke role denied, one vault
              tagged glacier-sweeper=skip, one vault of 20,000 uploads swept over 3 worker
              invocations); prints the fleet email and a summary (with --abort: aborts, max-aborts 50)
  --abort     abort the stale uploads (default: report only), then check from the emulator's
              state that every young upload is still there
  --quiet-period DURATION
              activity-aware abort (e.g. 2d): a local DynamoDB (dynalite) keeps the upload
              history; two runs are simulated with the clock moved past the quiet period, and a
              client uploads a part to one stale upload in between, so that one stays pending
  --verbose   print the handler's structured log lines (JSON, one per line) after the report
  -h, --help  show this help`;

export const DEMO_TOPIC = 'glacier-sweeper-reports';
export const DEMO_PREFIX = DEFAULT_SSM_PREFIX;
/** The vault list as an operator would write it: a per-vault threshold and a vault that does not exist. */
export const DEMO_VAULTS = 'backups,logs=14d,archive-2019';
export const DEMO_OLDER_THAN = '7d';
export const DEMO_EXCLUDE = '^keep:';
/** The odd description as uploaded: control characters, an OSC title escape, CSI colours, a bell. */
export const ODD_DESCRIPTION =
  'web-3 access logs\r\n\t\x1b]0;pwned\x07\x1b[31;1mURGENT\x1b[0m\x07 week 12\x00';
/** What the email shows of it. */
export const ODD_DESCRIPTION_CLEANED = 'web-3 access logs URGENT week 12';
export const GARBAGE_DATE = 'not-a-date';

export interface DemoOptions {
  abort?: boolean;
  verbose?: boolean;
  /** Activity-aware abort: a DURATION such as `2d`; the demo then simulates two runs. */
  quietPeriod?: string;
  /** Where the output goes; default process.stdout. */
  write?: (s: string) => void;
  /** Run against this emulator (tests inspect its state afterwards); it is reset, seeded and left running. */
  emulator?: Emulator;
}

export interface YoungCheck {
  before: number;
  after: number;
  /** Young upload ids missing after the run: must be empty. */
  missing: string[];
}

export interface DemoResult {
  exitCode: number;
  report?: SweepReport;
  error?: Error;
  /** What the emulator's SNS received. */
  message?: PublishedMessage;
  /** Upload ids by vault, in seed order. */
  uploadIds: Record<string, string[]>;
  /** Ids of the uploads younger than their vault's threshold when seeded. */
  youngIds: string[];
  /** Set in abort mode. */
  young?: YoungCheck;
}

const MIB = 1024 * 1024;

/** `count` whole parts of `partSize` from the start: what ListParts shows of an interrupted upload. */
function partsOf(count: number, partSize: number): { range: string }[] {
  return Array.from({ length: count }, (_, k) => ({ range: `${k * partSize}-${(k + 1) * partSize - 1}` }));
}

/** 120 uploads: every eighth is stale (8 to 290 days), the rest 0–6 days old; one stale one is excluded. */
function backupUploads(now: Date): SeedUpload[] {
  const hosts = ['db-01', 'db-02', 'files', 'mail'];
  const sizes = [64 * MIB, 128 * MIB, 1024 * MIB];
  return Array.from({ length: 120 }, (_, i) => {
    const stale = i % 8 === 0;
    const ageDays = stale ? 8 + i * 2.5 + (i % 24) / 24 : (i % 7) * 0.9 + 0.1;
    const created = daysAgo(ageDays, now);
    return {
      createdAt: created,
      description:
        i === 40
          ? 'keep: legal hold 2025-Q3 (excluded)'
          : `${hosts[Math.floor(i / 8) % hosts.length]} nightly ${created.slice(0, 10)}`,
      partSizeBytes: sizes[i % sizes.length] ?? MIB,
      parts: partsOf((i % 5) + 1, sizes[i % sizes.length] ?? MIB),
    };
  });
}

function logUploads(now: Date): SeedUpload[] {
  return [
    { createdAt: daysAgo(1, now), description: 'app logs 2 (young)', partSizeBytes: 8 * MIB },
    {
      createdAt: daysAgo(10, now),
      description: 'app logs 10 days: young under logs=14d',
      partSizeBytes: 8 * MIB,
    },
    {
      createdAt: daysAgo(20, now),
      description: 'app logs 20 days',
      partSizeBytes: 8 * MIB,
      parts: partsOf(2, 8 * MIB),
    },
    {
      createdAt: daysAgo(400, now),
      description: ODD_DESCRIPTION,
      partSizeBytes: 16 * MIB,
      parts: partsOf(1, 16 * MIB),
    },
    { createdAt: GARBAGE_DATE, description: 'upload with a garbage CreationDate', partSizeBytes: 8 * MIB },
  ];
}

/** The threshold of each seeded vault, as DEMO_VAULTS configures it. */
const THRESHOLD_MS: Record<string, number> = {
  backups: durationMs(DEMO_OLDER_THAN),
  logs: durationMs('14d'),
};

function durationMs(text: string): number {
  const parsed = parseDuration(text);
  if ('error' in parsed) throw new Error(`demo: bad duration ${text}: ${parsed.error}`);
  return parsed.ms;
}

function youngUploads(emu: Emulator, now: number): UploadView[] {
  return Object.entries(THRESHOLD_MS).flatMap(([vault, threshold]) =>
    emu.uploads(vault).filter((u) => {
      const created = Date.parse(u.creationDate ?? '');
      return !Number.isNaN(created) && created <= now && now - created < threshold;
    }),
  );
}

function pad(rows: string[][], rightFrom: number): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) =>
        i >= rightFrom && i < r.length - 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

function logLine(line: { level: string; message: string; extra: Record<string, unknown> }): string {
  return JSON.stringify({
    level: line.level.toUpperCase(),
    message: line.message,
    service: 'glacier-sweeper',
    ...line.extra,
  });
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((s: string) => void process.stdout.write(s));
  const out = (s = '') => write(`${s}\n`);
  const action = options.abort ? 'abort' : 'report';
  const emu = options.emulator ?? (await startEmulator());
  const started = performance.now();
  let stateTable: LocalStateTable | undefined;
  try {
    emu.reset();
    const now = new Date();
    const seeded = emu.seed({
      vaults: [
        { name: 'backups', uploads: backupUploads(now) },
        { name: 'logs', uploads: logUploads(now) },
      ],
      // What the stack creates, with this demo's values.
      parameters: [
        { name: ssmParameterName(DEMO_PREFIX, 'vaults'), type: 'StringList', value: DEMO_VAULTS },
        { name: ssmParameterName(DEMO_PREFIX, 'olderThan'), value: DEMO_OLDER_THAN },
        { name: ssmParameterName(DEMO_PREFIX, 'action'), value: action },
        { name: ssmParameterName(DEMO_PREFIX, 'accountId'), value: '-' },
        { name: ssmParameterName(DEMO_PREFIX, 'maxAborts'), value: String(DEFAULT_MAX_ABORTS) },
        { name: ssmParameterName(DEMO_PREFIX, 'exclude'), value: DEMO_EXCLUDE },
        { name: ssmParameterName(DEMO_PREFIX, 'notify'), value: DEFAULT_NOTIFY },
        ...(options.quietPeriod
          ? [{ name: ssmParameterName(DEMO_PREFIX, 'quietPeriod'), value: options.quietPeriod }]
          : []),
      ],
      topics: [DEMO_TOPIC],
    });
    const topicArn = seeded.topicArns[DEMO_TOPIC] as string;
    const youngBefore = youngUploads(emu, Date.now());
    const youngIds = youngBefore.map((u) => u.uploadId);
    const seededCounts = Object.fromEntries(emu.vaults().map((v) => [v.name, v.uploads]));

    out(`glacier-sweeper demo: the real Lambda handler against a local emulator at ${emu.url}`);
    out(
      `Seeded: backups (${seededCounts.backups} uploads), logs (${seededCounts.logs} uploads); ` +
        "'archive-2019' is configured but does not exist.",
    );
    out(
      `SSM ${DEMO_PREFIX}: vaults=${DEMO_VAULTS} · older-than=${DEMO_OLDER_THAN} · action=${action} · exclude=${DEMO_EXCLUDE}` +
        (options.quietPeriod ? ` · quiet-period=${options.quietPeriod}` : ''),
    );
    out();

    let clock: (() => number) | undefined;
    if (options.quietPeriod) {
      stateTable = await startStateTable();
      clock = await simulateFirstRun(emu, topicArn, stateTable, options.quietPeriod, out);
    }
    const logger = new MemoryLogger();
    const result = await invokeLocally({
      endpoint: emu.url,
      topicArn,
      logger,
      ...(stateTable ? { stateTable } : {}),
      ...(clock ? { clock } : {}),
    });
    const requests = emu.requests();
    const message = emu.published().at(-1);

    if (result.error || !result.report) {
      out(`The handler failed: ${result.error?.message ?? 'no report'}`);
      if (options.verbose) for (const line of logger.lines) out(logLine(line));
      return {
        exitCode: 1,
        uploadIds: seeded.uploadIds,
        youngIds,
        ...(result.error ? { error: result.error } : {}),
      };
    }
    const report = result.report;

    const rule = (title: string) => out(`── ${title} ${'─'.repeat(Math.max(3, 72 - title.length))}`);
    rule('What SNS received (the email subscribers get)');
    if (message === undefined) {
      out('Nothing was published (notify=findings and nothing to report).');
    } else {
      const email = message.structured?.email;
      out(`Subject: ${message.subject ?? ''}`);
      out();
      out(typeof email === 'string' ? email : message.message);
    }
    out();

    rule('Run summary');
    const rows = [['VAULT', 'OLDER THAN', 'SCANNED', 'STALE', 'ABORTED', 'LEFT', 'STATUS']];
    const existing = new Set(emu.vaults().map((v) => v.name));
    for (const v of report.vaults) {
      rows.push([
        v.vault,
        v.olderThan,
        String(v.scanned),
        String(v.stale),
        String(v.aborted),
        existing.has(v.vault) ? String(emu.uploads(v.vault).length) : '-',
        v.error === null ? (v.complete ? 'complete' : 'incomplete') : 'error (see above)',
      ]);
    }
    for (const line of pad(rows, 2)) out(line);
    out('LEFT = in-progress uploads still in the vault, read from the emulator after the run.');
    const byOperation = new Map<string, number>();
    for (const r of requests) byOperation.set(r.operation, (byOperation.get(r.operation) ?? 0) + 1);
    out(
      `Requests the emulator saw: ${[...byOperation].map(([op, n]) => `${op} ${n}`).join(' · ')} (${requests.length} in all)`,
    );
    if (message !== undefined) {
      const attributes = Object.entries(message.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out(
        `SNS message: ${Buffer.byteLength(message.message, 'utf8')} bytes (limit 262,144), MessageStructure=json, attributes ${attributes}`,
      );
    }

    let young: YoungCheck | undefined;
    let exitCode = 0;
    if (options.abort) {
      const present = new Set(
        Object.keys(THRESHOLD_MS).flatMap((vault) => emu.uploads(vault).map((u) => u.uploadId)),
      );
      const after = youngUploads(emu, Date.now());
      const missing = youngIds.filter((id) => !present.has(id));
      young = { before: youngBefore.length, after: after.length, missing };
      const deletes = requests.filter((r) => r.operation === 'AbortMultipartUpload');
      const accepted = deletes.filter((r) => r.status === 204).length;
      if (missing.length === 0 && after.length === youngBefore.length) {
        out(
          `Young uploads: ${youngBefore.length} before, ${after.length} after: every young upload is untouched ` +
            `(checked by id in the emulator's state; ${accepted} DELETEs answered 204, report says ${report.totals.aborted} aborted).`,
        );
        const outcome = new Map(
          report.vaults.flatMap((v) => v.staleUploads.map((u) => [u.uploadId, u.outcome] as const)),
        );
        const anomalous = new Set(report.vaults.flatMap((v) => v.anomalies.map((a) => a.uploadId)));
        const young = new Set(youngIds);
        const kept = [...present].filter((id) => !young.has(id));
        const skipped = kept.filter((id) => outcome.get(id) === 'skipped').length;
        const pending = kept.filter((id) => outcome.get(id) === 'pending').length;
        const odd = kept.filter((id) => anomalous.has(id)).length;
        out(
          `Also still there: ${kept.length} older uploads the sweeper must not touch (${skipped} matched exclude` +
            (options.quietPeriod ? `, ${pending} not proven idle` : '') +
            `, ${odd} with an untrustworthy CreationDate).`,
        );
      } else {
        exitCode = 1;
        out(`SAFETY CHECK FAILED: ${missing.length} young uploads are gone: ${missing.join(', ')}`);
      }
    } else {
      out(
        `Report mode: nothing was aborted. Run \`npm run demo -- --abort\` to abort the ${report.totals.stale - report.totals.skipped} stale uploads.`,
      );
    }
    out(`Finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);

    if (options.verbose) {
      out();
      rule(`Handler log (${logger.lines.length} structured lines)`);
      for (const line of logger.lines) out(logLine(line));
    }
    return {
      exitCode,
      report,
      ...(message ? { message } : {}),
      uploadIds: seeded.uploadIds,
      youngIds,
      ...(young ? { young } : {}),
    };
  } finally {
    await stateTable?.stop();
    if (options.emulator === undefined) await emu.stop();
  }
}

/**
 * Quiet-period mode, run 1: every stale upload is seen for the first time, so it is only recorded
 * (pending). Then a slow client uploads one more part to the oldest stale backup: it is alive. Returns
 * the clock of run 2, moved past the quiet period.
 */
async function simulateFirstRun(
  emu: Emulator,
  topicArn: string,
  stateTable: LocalStateTable,
  quietPeriod: string,
  out: (s?: string) => void,
): Promise<() => number> {
  const first = await invokeLocally({ endpoint: emu.url, topicArn, stateTable });
  if (!first.report) throw first.error ?? new Error('run 1 returned no report');
  const t = first.report.totals;
  out(
    `Run 1 (now): ${t.stale} stale, ${t.pending} pending, ${t.aborted} aborted: a first sighting proves nothing,`,
  );
  out(
    `  so each stale upload's parts fingerprint goes to the history table (${(await stateTable.items()).length} items).`,
  );
  const backups = first.report.vaults.find((v) => v.vault === 'backups');
  const alive = backups?.staleUploads.find((u) => u.outcome === 'pending');
  const upload = emu.uploads('backups').find((u) => u.uploadId === alive?.uploadId);
  if (alive && upload?.partSizeBytes) {
    const start = upload.parts.length * upload.partSizeBytes;
    const client = new GlacierClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await client.send(
      new UploadMultipartPartCommand({
        accountId: '-',
        vaultName: 'backups',
        uploadId: alive.uploadId,
        range: `bytes ${start}-${start + 1023}/*`,
        body: Buffer.alloc(1024, 7),
      }),
    );
    client.destroy();
    out(
      `Between runs: a slow client uploads part ${upload.parts.length + 1} of '${alive.description}': that upload is alive.`,
    );
  }
  const moved = durationMs(quietPeriod) + 3_600_000;
  out(
    `Run 2: the clock moves ${quietPeriod} + 1h ahead. Unchanged uploads are now proven idle; the live one is not.`,
  );
  out();
  return () => Date.now() + moved;
}

/** The script entry: parses arguments, runs, sets the exit code. */
export async function demoMain(
  argv: string[],
  write: (s: string) => void,
  writeError: (s: string) => void,
): Promise<number> {
  let values: {
    abort?: boolean;
    verbose?: boolean;
    help?: boolean;
    fleet?: boolean;
    'quiet-period'?: string;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        abort: { type: 'boolean', default: false },
        fleet: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        'quiet-period': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    writeError(`demo: ${error instanceof Error ? error.message : String(error)}\n${DEMO_HELP}\n`);
    return 2;
  }
  if (values.help) {
    write(`${DEMO_HELP}\n`);
    return 0;
  }
  if (values.fleet) {
    const { runFleetDemo } = await import('./fleet/demo');
    const { exitCode, emulator } = await runFleetDemo({ abort: values.abort ?? false, write });
    await emulator.stop();
    return exitCode;
  }
  const quietPeriod = values['quiet-period'];
  if (quietPeriod !== undefined && 'error' in parseDuration(quietPeriod)) {
    writeError(
      `demo: --quiet-period ${JSON.stringify(quietPeriod)}: expected a DURATION such as 2d (24h to 3650d)\n`,
    );
    return 2;
  }
  const { exitCode } = await runDemo({
    abort: values.abort ?? false,
    verbose: values.verbose ?? false,
    ...(quietPeriod ? { quietPeriod } : {}),
    write,
  });
  return exitCode;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await demoMain(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
