import { PARAM } from './defaults';
import { formatAge } from './duration';
import { cleanText } from './sanitize';
import {
  accountLabel,
  type Column,
  count,
  formatBytes,
  jsonStringBytes,
  SEP,
  shortId,
  table,
  utcMinute,
} from './text-format';
import type { StaleUploadEntry, SweepReport, VaultReport } from './types';

/** What the email text needs besides the report. */
export interface TextContext {
  /** The vault owner account: 12 digits, or `-` for the caller's own. */
  readonly account: string;
  /** How the reader turns aborts on, said in report mode. @default the `action` parameter (the Lambda) */
  readonly enableAbort?: string;
  /**
   * Where the reader finds what the text leaves out, said after each "…and N more" and when the text
   * is cut. @default the JSON report of the SNS message and the function's log (the email); the CLI
   * says `--json`.
   */
  readonly moreHint?: string;
  /** Upload ids whole (the CLI's `--wide`). @default false: shortened to `first8…last10`, to keep the email narrow */
  readonly wideIds?: boolean;
}

/**
 * Bound on the email text, measured as it costs inside a JSON string (escapes included), because the
 * SNS message carries it twice next to the JSON report.
 */
export const MAX_TEXT_BYTES = 64 * 1024;
export const MAX_VAULT_ROWS = 100;
export const MAX_STALE_ROWS = 20;
export const MAX_ANOMALY_ROWS = 20;
export const MAX_ERROR_ROWS = 20;

const MAX_VAULT_NAME_CHARS = 48;
const MAX_STATUS_ERROR_CHARS = 60;
const MAX_ERROR_LINE_CHARS = 300;
/** Width of the DESCRIPTION column; the JSON report and the log carry the description in full. */
const DESCRIPTION_COLUMN_CHARS = 40;
/** Width of the REASON column (pending and failed rows); the JSON report and the log have it all. */
const REASON_COLUMN_CHARS = 60;
const MORE_HINT = "see the JSON report (SQS/Lambda/HTTPS subscribers) and the function's log";
const CUT_TAIL = '…(text cut to fit the message: see the JSON report and the log)';
/** A bound on a whole upload id in the text (Glacier's are 92 characters), as `shortId` bounds its input. */
const MAX_UPLOAD_ID_CHARS = 1000;

/**
 * The plain-text email (also the `default` entry of the SNS message). Everything that came from Glacier
 * goes through `cleanText`; every list is capped, so the text stays under `MAX_TEXT_BYTES` for any
 * report.
 */
export function renderText(report: SweepReport, ctx: TextContext): string {
  const t = report.totals;
  const lines: string[] = [];

  lines.push(
    [
      `Run ${utcMinute(report.startedAt)} UTC`,
      `account ${accountLabel(ctx.account)}`,
      cleanText(report.region, 40) || 'unknown region',
      `action ${cleanText(report.action, 20)}`,
      `older than ${cleanText(report.olderThan, 20)}`,
    ].join(SEP),
  );

  const summary = [
    count(t.vaults, 'vault', 'vaults'),
    `${count(t.scanned, 'upload', 'uploads')} scanned`,
    `${t.stale} stale`,
    `${t.aborted} aborted`,
    `${t.failed} failed`,
  ];
  if (t.gone > 0) summary.push(`${t.gone} gone`);
  if (t.skipped > 0) summary.push(`${t.skipped} skipped`);
  if (t.reported > 0) summary.push(`${t.reported} reported`);
  if (t.pending > 0) summary.push(`${t.pending} pending`);
  if (t.stale > t.unmeasured) {
    summary.push(`${formatBytes(t.bytesAtStake)} at stake`);
    if (report.action === 'abort' && t.aborted > 0) summary.push(`${formatBytes(bytesFreed(report))} freed`);
  }
  if (t.anomalies > 0) summary.push(count(t.anomalies, 'anomaly', 'anomalies'));
  if (t.duplicates > 0) summary.push(count(t.duplicates, 'repeated listing', 'repeated listings'));
  if (t.vaultErrors > 0) summary.push(count(t.vaultErrors, 'vault error', 'vault errors'));
  lines.push(summary.join(SEP));
  lines.push(...explanations(report, ctx));

  const hint = `${ctx.moreHint ?? MORE_HINT}.`;
  lines.push('', ...vaultSection(report, hint));
  const idCell = ctx.wideIds ? (id: string) => cleanText(id, MAX_UPLOAD_ID_CHARS) : shortId;
  lines.push(...staleSection(report, hint, idCell));
  lines.push(...anomalySection(report, hint, idCell));
  lines.push(...errorSection(report, hint));
  lines.push('', `Run id ${cleanText(report.runId, 100)}${SEP}finished ${utcMinute(report.finishedAt)} UTC`);

  return boundText(lines, ctx.moreHint === undefined ? CUT_TAIL : `…(text cut: ${ctx.moreHint})`);
}

function explanations(report: SweepReport, ctx: TextContext): string[] {
  const t = report.totals;
  const out: string[] = [];
  if (!report.complete) {
    const partial = report.vaults.filter((v) => !v.complete).length;
    out.push(
      partial > 0
        ? `Incomplete run: ${partial} of ${count(report.vaults.length, 'vault', 'vaults')} ${partial === 1 ? 'was' : 'were'} not fully listed (time budget or error), so stale uploads there may be missing from this report.`
        : 'Incomplete run: the time budget ran out before every vault was swept.',
    );
  }
  if (report.planComplete === false) {
    const early = report.vaults.filter((v) => !v.planComplete).length;
    out.push(
      `Planning stopped early: its share of the time budget ran out before ${early} of ${count(report.vaults.length, 'vault', 'vaults')} ${early === 1 ? 'was' : 'were'} fully planned (listed and measured); the run acted on what it had planned, and the next run sees the rest.`,
    );
  }
  if (report.capped && report.action === 'abort') {
    out.push(
      `max-aborts reached: ${count(t.reported, 'stale upload was', 'stale uploads were')} only reported (the oldest eligible ones were aborted first); the next run continues.`,
    );
  }
  if (report.action === 'report' && t.stale > 0) {
    const enable = ctx.enableAbort ?? `set the ${PARAM.action} parameter to abort`;
    const cap = report.capped ? ', the oldest eligible first, up to max-aborts' : '';
    out.push(
      `Report mode: nothing was aborted; abort mode with these settings would abort ${count(t.wouldAbort, 'upload', 'uploads')}${previewBytes(report)}${cap}. To clean up, ${enable}.`,
    );
  }
  if (t.pending > 0) {
    out.push(
      `Quiet period: ${count(t.pending, 'stale upload is', 'stale uploads are')} pending, not yet proven idle (unchanged parts since an earlier run); each is aborted once it stays unchanged past its eligible time.`,
    );
  }
  const waiting = report.action === 'report' ? wouldWait(report) : 0;
  if (waiting > 0) {
    out.push(
      `Quiet period: ${count(waiting, 'stale upload is', 'stale uploads are')} not yet proven idle; abort mode would keep ${waiting === 1 ? 'it' : 'them'} pending until the time shown.`,
    );
  }
  if (t.unmeasured > 0 && t.stale > t.unmeasured) {
    const figures =
      report.action === 'abort' && t.aborted > 0 ? 'bytes at stake and freed' : 'bytes at stake';
    out.push(
      `${count(t.unmeasured, 'stale upload was', 'stale uploads were')} not measured (max-list-parts, time budget or a failed part listing): ${figures} leave them out.`,
    );
  }
  if (t.failed > 0) {
    out.push(
      `${count(t.failed, 'abort', 'aborts')} failed after retries: those uploads are still there; the next run tries again.`,
    );
  }
  return out;
}

/** Bytes of the uploads this run aborted (those measured). */
function bytesFreed(report: SweepReport): number {
  let bytes = 0;
  for (const v of report.vaults)
    for (const e of v.staleUploads) if (e.outcome === 'aborted') bytes += e.bytesUploaded ?? 0;
  return bytes;
}

/** ` (1.5 GiB; 3 not measured)`: what the uploads abort mode would abort hold, as far as measured. */
function previewBytes(report: SweepReport): string {
  const n = report.totals.wouldAbort;
  if (n === 0) return '';
  let bytes = 0;
  let measured = 0;
  for (const v of report.vaults) {
    for (const e of v.staleUploads) {
      if (!e.wouldAbort || e.bytesUploaded === null) continue;
      bytes += e.bytesUploaded;
      measured += 1;
    }
  }
  const parts: string[] = [];
  if (measured > 0) parts.push(formatBytes(bytes));
  if (n > measured) parts.push(`${n - measured} not measured`);
  return ` (${parts.join('; ')})`;
}

/** Report mode: stale uploads abort mode would keep pending (quiet-period). */
function wouldWait(report: SweepReport): number {
  let n = 0;
  for (const v of report.vaults) for (const e of v.staleUploads) if (e.eligibleAt !== undefined) n += 1;
  return n;
}

function vaultStatus(v: VaultReport): string {
  if (v.skippedByTag === true) return 'skipped: tagged glacier-sweeper=skip';
  if (v.error !== null && v.error !== undefined)
    return `error: ${cleanText(v.error, MAX_STATUS_ERROR_CHARS)}`;
  return v.complete ? 'complete' : 'incomplete';
}

/** Vaults an operator must look at come first when not every vault fits in the table. */
export function vaultPriority(v: VaultReport): number {
  if (v.error !== null && v.error !== undefined) return 0;
  if (v.failed > 0) return 1;
  if (v.stale > 0) return 2;
  if (v.anomalies.length + v.anomaliesOmitted > 0) return 3;
  if (!v.complete) return 4;
  return 5;
}

function vaultSection(report: SweepReport, hint: string): string[] {
  if (report.vaults.length === 0) return ['No vaults were swept.'];
  const t = report.totals;
  const shown =
    report.vaults.length <= MAX_VAULT_ROWS
      ? report.vaults
      : stablePriorityOrder(report.vaults).slice(0, MAX_VAULT_ROWS);
  const anomalyCount = (v: VaultReport) => v.anomalies.length + v.anomaliesOmitted;
  const showThreshold = report.vaults.some((v) => v.olderThan !== report.olderThan);
  const showAnomalies = t.anomalies > 0 || report.vaults.some((v) => anomalyCount(v) > 0);

  const columns: Column<VaultReport>[] = [{ title: 'VAULT', cell: (v) => vaultName(v.vault) }];
  if (showThreshold) columns.push({ title: 'OLDER THAN', cell: (v) => cleanText(v.olderThan, 12) });
  columns.push(
    { title: 'SCANNED', right: true, cell: (v) => String(v.scanned) },
    { title: 'STALE', right: true, cell: (v) => String(v.stale) },
    { title: 'ABORTED', right: true, cell: (v) => String(v.aborted) },
    { title: 'FAILED', right: true, cell: (v) => String(v.failed) },
  );
  if (t.gone > 0) columns.push({ title: 'GONE', right: true, cell: (v) => String(v.gone) });
  if (t.skipped > 0) columns.push({ title: 'SKIPPED', right: true, cell: (v) => String(v.skipped) });
  if (t.reported > 0) columns.push({ title: 'REPORTED', right: true, cell: (v) => String(v.reported) });
  if (t.pending > 0) columns.push({ title: 'PENDING', right: true, cell: (v) => String(v.pending) });
  if (t.stale > t.unmeasured) {
    columns.push({
      title: 'AT STAKE',
      right: true,
      cell: (v) => (v.stale > v.unmeasured ? formatBytes(v.bytesAtStake) : '-'),
    });
  }
  if (showAnomalies) columns.push({ title: 'ANOMALIES', right: true, cell: (v) => String(anomalyCount(v)) });
  // Entries the service listed again under an id already seen: counted once, never aborted twice.
  if (t.duplicates > 0) columns.push({ title: 'REPEATED', right: true, cell: (v) => String(v.duplicates) });
  columns.push({ title: 'STATUS', cell: vaultStatus });

  const out = table(columns, shown);
  const rest = report.vaults.length - shown.length;
  if (rest > 0) {
    out.push(
      `…and ${count(rest, 'more vault', 'more vaults')} (errors, failures and stale uploads listed first): ${hint}`,
    );
  }
  return out;
}

interface StaleRow {
  vault: string;
  entry: StaleUploadEntry;
}

function staleSection(report: SweepReport, hint: string, idCell: (id: string) => string): string[] {
  const t = report.totals;
  const listed = report.vaults.reduce((n, v) => n + v.staleUploads.length + v.staleUploadsOmitted, 0);
  const total = Math.max(t.stale, listed);
  if (total === 0) return [];
  const rows = oldestStale(report.vaults, MAX_STALE_ROWS);
  const out = ['', 'Oldest stale uploads'];
  out.push(
    ...table<StaleRow>(
      [
        { title: 'VAULT', cell: (r) => vaultName(r.vault) },
        { title: 'AGE', cell: (r) => formatAge(r.entry.ageHours * 3_600_000) },
        { title: 'CREATED (UTC)', cell: (r) => utcMinute(r.entry.createdAt) },
        { title: 'PART SIZE', cell: (r) => formatBytes(r.entry.partSizeBytes) },
        ...(t.stale > t.unmeasured
          ? [{ title: 'UPLOADED', cell: (r: StaleRow) => formatBytes(r.entry.bytesUploaded ?? null) }]
          : []),
        { title: 'OUTCOME', cell: (r) => outcomeCell(r.entry) },
        ...(rows.some((r) => r.entry.reason !== undefined)
          ? [{ title: 'REASON', cell: (r: StaleRow) => cleanText(r.entry.reason, REASON_COLUMN_CHARS) }]
          : []),
        { title: 'DESCRIPTION', cell: (r) => cleanText(r.entry.description, DESCRIPTION_COLUMN_CHARS) },
        { title: 'UPLOAD ID', cell: (r) => idCell(r.entry.uploadId) },
      ],
      rows,
    ),
  );
  const more = total - rows.length;
  if (more > 0) out.push(`…and ${more} more: ${hint}`);
  return out;
}

/**
 * A pending upload says when it may be aborted, so the operator knows what to expect; in report mode
 * each row says what abort mode would do with it.
 */
function outcomeCell(entry: StaleUploadEntry): string {
  const outcome = cleanText(entry.outcome, 12);
  if (entry.outcome === 'pending' && entry.eligibleAt)
    return `${outcome} until ${utcMinute(entry.eligibleAt)}`;
  if (entry.outcome !== 'reported') return outcome;
  if (entry.wouldAbort) return `${outcome}, would abort`;
  if (entry.eligibleAt) return `${outcome}, would wait until ${utcMinute(entry.eligibleAt)}`;
  return outcome;
}

/**
 * The `limit` oldest stale uploads across vaults. Each vault's list is oldest first, so only the head of
 * each list can make the cut; sorting those heads keeps this cheap with 50,000 entries.
 */
function oldestStale(vaults: readonly VaultReport[], limit: number): StaleRow[] {
  const heads: StaleRow[] = [];
  for (const v of vaults) {
    // The order is the core's promise; one pass checks it so a broken promise cannot hide the oldest.
    const list = v.staleUploads;
    const head = list.length <= limit || !oldestFirst(list) ? list : list.slice(0, limit);
    for (const entry of head) heads.push({ vault: v.vault, entry });
  }
  heads.sort((a, b) => b.entry.ageHours - a.entry.ageHours || compare(a.entry.createdAt, b.entry.createdAt));
  return heads.slice(0, limit);
}

function anomalySection(report: SweepReport, hint: string, idCell: (id: string) => string): string[] {
  const listed = report.vaults.reduce((n, v) => n + v.anomalies.length + v.anomaliesOmitted, 0);
  const total = Math.max(report.totals.anomalies, listed);
  if (total === 0) return [];
  const rows: { vault: string; createdAt: string | null; description: string; uploadId: string }[] = [];
  for (const v of report.vaults) {
    for (const a of v.anomalies) {
      if (rows.length >= MAX_ANOMALY_ROWS) break;
      rows.push({ vault: v.vault, ...a });
    }
  }
  const out = [
    '',
    `Anomalies: ${count(total, 'upload', 'uploads')} with a missing, unparseable or future creation date (never aborted)`,
  ];
  out.push(
    ...table(
      [
        { title: 'VAULT', cell: (r) => vaultName(r.vault) },
        {
          title: 'CREATION DATE (AS SENT)',
          cell: (r) => (r.createdAt === null ? '(missing)' : cleanText(r.createdAt, 30) || '(blank)'),
        },
        { title: 'DESCRIPTION', cell: (r) => cleanText(r.description, DESCRIPTION_COLUMN_CHARS) },
        { title: 'UPLOAD ID', cell: (r) => idCell(r.uploadId) },
      ],
      rows,
    ),
  );
  const more = total - rows.length;
  if (more > 0) out.push(`…and ${count(more, 'more anomaly', 'more anomalies')}: ${hint}`);
  return out;
}

function errorSection(report: SweepReport, hint: string): string[] {
  const failed = report.vaults.filter((v) => v.error !== null && v.error !== undefined);
  const total = Math.max(report.totals.vaultErrors, failed.length);
  if (total === 0) return [];
  const swept = report.totals.vaults - total;
  const out = ['', `Vault errors (${swept > 0 ? 'the other vaults were swept' : 'no vault could be swept'})`];
  for (const v of failed.slice(0, MAX_ERROR_ROWS)) {
    out.push(`${vaultName(v.vault)}: ${cleanText(v.error, MAX_ERROR_LINE_CHARS)}`);
  }
  const more = total - Math.min(failed.length, MAX_ERROR_ROWS);
  if (more > 0) out.push(`…and ${count(more, 'more vault error', 'more vault errors')}: ${hint}`);
  return out;
}

/** Belt and braces over the caps above: never let the text crowd the JSON out of the SNS message. */
function boundText(lines: string[], tail: string): string {
  const text = lines.join('\n');
  if (jsonStringBytes(text) <= MAX_TEXT_BYTES) return text;
  let used = jsonStringBytes(tail) + 1;
  const kept: string[] = [];
  for (const line of lines) {
    // The two quote bytes stand in for the escaped newline (`\\n`) that joins the line.
    const cost = jsonStringBytes(line);
    if (used + cost > MAX_TEXT_BYTES) break;
    kept.push(line);
    used += cost;
  }
  kept.push(tail);
  return kept.join('\n');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function oldestFirst(list: readonly StaleUploadEntry[]): boolean {
  for (let i = 1; i < list.length; i++) {
    if ((list[i]?.ageHours ?? 0) > (list[i - 1]?.ageHours ?? 0)) return false;
  }
  return true;
}

function stablePriorityOrder(vaults: readonly VaultReport[]): VaultReport[] {
  return vaults
    .map((v, i) => ({ v, i, p: vaultPriority(v) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.v);
}

function vaultName(name: string): string {
  return cleanText(name, MAX_VAULT_NAME_CHARS) || '(unnamed)';
}
