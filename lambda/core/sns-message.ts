import { type AlertContext, type ConfigErrorInfo, renderAlert } from './alert-text';
import { GLACIER_MAX_DESCRIPTION_CHARS } from './defaults';
import { renderSubject } from './report-subject';
import { renderText, type TextContext, vaultPriority } from './report-text';
import { cleanText } from './sanitize';
import type { Action, AnomalyEntry, StaleUploadEntry, SweepReport } from './types';

/** SNS Publish: the whole message, every protocol entry of a `MessageStructure: json` body together. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** Lambda's synchronous response limit is 6 MB; this leaves room for the runtime's envelope. */
export const DEFAULT_RESPONSE_MAX_BYTES = 5_000_000;
/** Fields Glacier does not bound (error messages, an anomaly's raw date) get the descriptions' cap. */
const MAX_PUBLISHED_FIELD_CHARS = GLACIER_MAX_DESCRIPTION_CHARS;
/** Fields written by this app (run id, region, dates, thresholds): bounded so no input breaks the limit. */
const MAX_PUBLISHED_META_CHARS = 256;

/**
 * The report as published over SNS and returned by the function: a `SweepReport` whose lists may be
 * trimmed (oldest first kept; `staleUploadsOmitted` and `anomaliesOmitted` count what was cut) and,
 * only in runs with thousands of vaults, whose `vaults` array may be shortened.
 *
 * Counts and `totals` are always exact, whatever was trimmed. `vaultsOmitted` (see SweepReport) is set
 * only when vault entries were dropped.
 */
export type PublishedReport = SweepReport;

export interface ReportMessage {
  subject: string;
  /** The `MessageStructure: json` body: `default`/`email` carry the text, `sqs`/`lambda`/`https` the JSON. */
  message: string;
  messageStructure: 'json';
  attributes: { kind: 'report'; action: Action };
  /** What subscribers of the JSON protocols receive (parse of the `sqs` entry yields exactly this). */
  published: PublishedReport;
}

export interface AlertMessage {
  subject: string;
  /** Plain text, sent without `MessageStructure`. */
  message: string;
  /** `action` is always `report`: a run stopped by a configuration error aborts nothing. */
  attributes: { kind: 'alert'; action: 'report' };
}

/**
 * Builds the SNS message of a run. The text is rendered from the full report (it is bounded by its own
 * caps); the JSON copy is trimmed until the whole body is at most `SNS_MAX_MESSAGE_BYTES` UTF-8 bytes.
 */
export function buildReportMessage(report: SweepReport, ctx: TextContext): ReportMessage {
  const text = renderText(report, ctx);
  const attributes = { kind: 'report', action: report.action } as const;
  const envelope = (json: string) =>
    JSON.stringify({ default: text, email: text, sqs: json, lambda: json, https: json });
  // SNS counts each message attribute's name, type and value against the same 262,144 bytes.
  const attributeCost = attributeBytes(attributes);
  // message = envelope without the JSON + three escaped copies of it; `cost` is exactly the latter.
  const fixed = Buffer.byteLength(envelope(''), 'utf8') + attributeCost;
  const cost = (fragment: string) => 3 * escapedBytes(fragment);
  const published = fitReport(report, SNS_MAX_MESSAGE_BYTES - fixed, cost);
  const message = envelope(JSON.stringify(published));
  const size = Buffer.byteLength(message, 'utf8') + attributeCost;
  if (size > SNS_MAX_MESSAGE_BYTES) {
    // Only a bug in the size arithmetic could get here; publishing would fail anyway, so say why.
    throw new Error(`report message is ${size} bytes, over the SNS limit of ${SNS_MAX_MESSAGE_BYTES}`);
  }
  return {
    subject: renderSubject(report),
    message,
    messageStructure: 'json',
    attributes,
    published,
  };
}

/** What SNS charges for String message attributes: name + data type + value, in UTF-8 bytes. */
export function attributeBytes(attributes: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(attributes))
    total += Buffer.byteLength(`${name}String${value}`, 'utf8');
  return total;
}

/** The configuration alert, with the same message attributes as a report so subscribers can filter. */
export function buildAlertMessage(error: ConfigErrorInfo, ctx: AlertContext): AlertMessage {
  const { subject, text } = renderAlert(error, ctx);
  return { subject, message: text, attributes: { kind: 'alert', action: 'report' } };
}

/**
 * The report the Lambda returns. Returned untouched when its JSON fits in `maxBytes`; otherwise
 * normalised like the published copy and trimmed by the same rule (oldest entries of each vault kept,
 * omitted counts set, counts exact).
 */
export function trimForResponse(
  report: SweepReport,
  maxBytes: number = DEFAULT_RESPONSE_MAX_BYTES,
): PublishedReport {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (jsonFits(report, maxBytes, bytes)) return report;
  return fitReport(report, maxBytes, bytes);
}

// ---------------------------------------------------------------------------------------------
// Trimming

type Cost = (fragment: string) => number;

/**
 * Whether `cost(JSON.stringify(report)) <= budget`, without building the whole string: a 50,000-entry
 * report is tens of megabytes of JSON, and the answer is known as soon as the running sum passes the
 * budget. Exact, because JSON.stringify of an array is its entries joined by commas inside brackets.
 */
function jsonFits(report: SweepReport, budget: number, cost: Cost): boolean {
  let total = cost(
    JSON.stringify({
      ...report,
      vaults: report.vaults.map((v) => ({ ...v, staleUploads: [], anomalies: [] })),
    }),
  );
  const comma = cost(',');
  for (const v of report.vaults) {
    for (const list of [v.staleUploads, v.anomalies] as const) {
      for (let i = 0; i < list.length; i++) {
        total += cost(JSON.stringify(list[i])) + (i > 0 ? comma : 0);
        if (total > budget) return false;
      }
    }
  }
  return total <= budget;
}

/** The first entries of one list, normalised, with `sums[j]` = cost of the first j inside a JSON array. */
interface PricedList<T> {
  entries: T[];
  sums: number[];
  /** Set when pricing stopped early: keeping this many entries alone would overflow the budget. */
  overflowAt: number | undefined;
}

/**
 * Returns the largest version of `report` whose JSON costs at most `budget`, where `cost` is additive
 * over concatenation (bytes, or bytes once escaped into a JSON string).
 *
 * 1. The report with every list emptied (omitted counts at their largest) is priced once: `base`.
 * 2. Each vault's lists are normalised and priced entry by entry, oldest first, into prefix sums. Pricing
 *    stops once a list alone passes `budget - base`: no cap can reach that far, so a 50,000-entry vault
 *    costs only the few hundred entries that could ever be published.
 * 3. base + prefix sums is an upper bound on the real cost for a per-vault cap k (the omitted counts
 *    only shrink as k grows). A binary search finds the largest k whose bound fits.
 * 4. The result is stringified and measured for real; should it not fit, k shrinks until it does.
 * 5. If k = 0 does not fit, vaults are dropped (least interesting first) and counted in `vaultsOmitted`.
 */
function fitReport(report: SweepReport, budget: number, cost: Cost): PublishedReport {
  const shell = normalizeShell(report);
  const base = cost(JSON.stringify(shell));
  if (base > budget) return dropVaults(shell, budget, cost);

  const room = budget - base;
  const comma = cost(',');
  const stale = report.vaults.map((v) => priceList(v.staleUploads, normalizeStale, room, cost, comma));
  const odd = report.vaults.map((v) => priceList(v.anomalies, normalizeAnomaly, room, cost, comma));
  let hi = 0;
  for (const v of report.vaults) hi = Math.max(hi, v.staleUploads.length, v.anomalies.length);
  for (const list of [...stale, ...odd]) {
    if (list.overflowAt !== undefined) hi = Math.min(hi, list.overflowAt - 1);
  }
  const bound = (k: number) => {
    let total = base;
    for (let i = 0; i < stale.length; i++) total += at(stale[i], k) + at(odd[i], k);
    return total;
  };
  let lo = 0;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (bound(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  for (let k = lo; k >= 0; k = k === 0 ? -1 : Math.floor(k * 0.9)) {
    const candidate = withCap(shell, stale, odd, k);
    if (cost(JSON.stringify(candidate)) <= budget) return candidate;
  }
  return shell;
}

function priceList<T>(
  list: readonly T[],
  normalize: (entry: T) => T,
  room: number,
  cost: Cost,
  comma: number,
): PricedList<T> {
  const entries: T[] = [];
  const sums = [0];
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    const entry = normalize(list[i] as T);
    total += cost(JSON.stringify(entry)) + (i > 0 ? comma : 0);
    if (total > room) return { entries, sums, overflowAt: i + 1 };
    entries.push(entry);
    sums.push(total);
  }
  return { entries, sums, overflowAt: undefined };
}

function at<T>(list: PricedList<T> | undefined, k: number): number {
  if (list === undefined) return 0;
  return list.sums[Math.min(k, list.sums.length - 1)] ?? 0;
}

/** The shell with the first k priced entries of every list put back and the omitted counts lowered. */
function withCap(
  shell: SweepReport,
  stale: PricedList<StaleUploadEntry>[],
  odd: PricedList<AnomalyEntry>[],
  k: number,
): SweepReport {
  return {
    ...shell,
    vaults: shell.vaults.map((v, i) => {
      const keptStale = stale[i]?.entries.slice(0, k) ?? [];
      const keptOdd = odd[i]?.entries.slice(0, k) ?? [];
      return {
        ...v,
        staleUploads: keptStale,
        staleUploadsOmitted: v.staleUploadsOmitted - keptStale.length,
        anomalies: keptOdd,
        anomaliesOmitted: v.anomaliesOmitted - keptOdd.length,
      };
    }),
  };
}

function dropVaults(shell: SweepReport, budget: number, cost: Cost): PublishedReport {
  const all = shell.vaults;
  const comma = cost(',');
  // Priced with the largest possible `vaultsOmitted`, so the running sum is an upper bound.
  let used = cost(JSON.stringify({ ...shell, vaults: [], vaultsOmitted: all.length }));
  const order = all.map((v, i) => ({ i, p: vaultPriority(v) })).sort((a, b) => a.p - b.p || a.i - b.i);
  const kept: number[] = [];
  for (const { i } of order) {
    const extra = cost(JSON.stringify(all[i])) + (kept.length > 0 ? comma : 0);
    if (used + extra > budget) break;
    kept.push(i);
    used += extra;
  }
  for (;;) {
    const keep = new Set(kept);
    const published: PublishedReport = {
      ...shell,
      vaults: all.filter((_, i) => keep.has(i)),
      vaultsOmitted: all.length - keep.size,
    };
    if (cost(JSON.stringify(published)) <= budget || kept.length === 0) return published;
    kept.pop();
  }
}

/**
 * The report with untrusted strings cleaned and capped, so that no single field can outgrow the
 * message, and with every list emptied into its omitted count. Upload ids are kept exactly (an operator
 * may need them to act); an absurd one only shortens its vault's list.
 */
function normalizeShell(report: SweepReport): SweepReport {
  return {
    ...report,
    runId: meta(report.runId),
    startedAt: meta(report.startedAt),
    finishedAt: meta(report.finishedAt),
    region: meta(report.region),
    olderThan: meta(report.olderThan),
    totals: { ...report.totals },
    vaults: report.vaults.map((v) => ({
      ...v,
      vault: meta(v.vault),
      olderThan: meta(v.olderThan),
      error: v.error === null ? null : cleanText(v.error, MAX_PUBLISHED_FIELD_CHARS),
      staleUploads: [],
      staleUploadsOmitted: v.staleUploadsOmitted + v.staleUploads.length,
      anomalies: [],
      anomaliesOmitted: v.anomaliesOmitted + v.anomalies.length,
    })),
  };
}

function meta(s: string): string {
  return cleanText(s, MAX_PUBLISHED_META_CHARS);
}

function normalizeStale(e: StaleUploadEntry): StaleUploadEntry {
  return {
    ...e,
    createdAt: meta(e.createdAt),
    description: cleanText(e.description, GLACIER_MAX_DESCRIPTION_CHARS),
    // A failed abort's reason quotes the service's error message: outside text, cleaned like the rest.
    ...(e.reason === undefined ? {} : { reason: cleanText(e.reason, MAX_PUBLISHED_FIELD_CHARS) }),
    ...(e.eligibleAt === undefined ? {} : { eligibleAt: meta(e.eligibleAt) }),
  };
}

function normalizeAnomaly(a: AnomalyEntry): AnomalyEntry {
  return {
    ...a,
    createdAt: a.createdAt === null ? null : cleanText(a.createdAt, MAX_PUBLISHED_FIELD_CHARS),
    description: cleanText(a.description, GLACIER_MAX_DESCRIPTION_CHARS),
  };
}

/**
 * Bytes `fragment` adds when it sits inside a JSON string literal: JSON.stringify escapes only `"`,
 * `\`, control characters and lone surrogates, and a fragment that is itself JSON output has none of
 * the last two raw. So this equals `byteLength(JSON.stringify(fragment)) - 2` without the copy.
 */
function escapedBytes(fragment: string): number {
  let extra = 0;
  for (let i = 0; i < fragment.length; i++) {
    const c = fragment.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) extra++;
  }
  return Buffer.byteLength(fragment, 'utf8') + extra;
}
