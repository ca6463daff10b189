import type {
  Action,
  AnomalyEntry,
  Outcome,
  OutcomeCounts,
  StaleUploadEntry,
  SweepReport,
  VaultReport,
} from '../../../lambda/core/types';

/** The instant every factory report is "now": ages and creation dates agree with it. */
export const NOW_MS = Date.parse('2026-11-27T03:00:00.000Z');
const HOUR_MS = 3_600_000;
const MIB = 1024 * 1024;

/** A Glacier-looking upload id (92 characters) whose head and tail say which vault and index it is. */
export function uploadId(vault: string, index: number): string {
  const head = `${vault.replace(/[^A-Za-z0-9]/g, '').slice(0, 4)}____`.slice(0, 8);
  return `${head}${'x'.repeat(74)}${String(index).padStart(10, '0')}`;
}

export interface StaleOptions {
  /** Age of the oldest entry, in hours (default 30 days). */
  oldestHours?: number;
  /** Hours between consecutive entries (default 1). */
  stepHours?: number;
  outcome?: Outcome | ((index: number) => Outcome);
  eligibleAt?: string;
  description?: (index: number) => string;
  partSizeBytes?: number | null;
  /** Bytes uploaded per entry; null (the default) = not measured. */
  bytesUploaded?: number | null;
  /** Why it was not aborted (pending) or its abort failed; none by default. */
  reason?: (index: number) => string;
  /** The preview (default: true for aborted ones). */
  wouldAbort?: boolean | ((index: number) => boolean);
}

/** `n` stale uploads of one vault, oldest first, as the sweep core lists them. */
export function staleUploads(vault: string, n: number, options: StaleOptions = {}): StaleUploadEntry[] {
  const oldest = options.oldestHours ?? 30 * 24;
  const step = options.stepHours ?? 1;
  const outcome = options.outcome ?? 'aborted';
  return Array.from({ length: n }, (_, i) => {
    const ageHours = oldest - i * step;
    const shown = typeof outcome === 'function' ? outcome(i) : outcome;
    const wouldAbort =
      typeof options.wouldAbort === 'function'
        ? options.wouldAbort(i)
        : (options.wouldAbort ?? ['aborted', 'gone', 'failed'].includes(shown));
    return {
      uploadId: uploadId(vault, i),
      createdAt: new Date(NOW_MS - ageHours * HOUR_MS).toISOString(),
      ageHours,
      description: options.description ? options.description(i) : `backup ${i}`,
      partSizeBytes: options.partSizeBytes === undefined ? 4 * MIB : options.partSizeBytes,
      bytesUploaded: options.bytesUploaded ?? null,
      partCount: options.bytesUploaded == null ? null : 3,
      outcome: shown,
      wouldAbort,
      ...(options.reason ? { reason: options.reason(i) } : {}),
      ...(options.eligibleAt ? { eligibleAt: options.eligibleAt } : {}),
    };
  });
}

export function anomalies(vault: string, n: number, createdAt: string | null = 'garbage'): AnomalyEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    uploadId: uploadId(`${vault}A`, i),
    createdAt,
    description: `odd ${i}`,
  }));
}

export interface VaultOptions {
  stale?: StaleUploadEntry[];
  anomalies?: AnomalyEntry[];
  /** Uploads listed besides the stale ones and the anomalies (default 10). */
  fresh?: number;
  olderThan?: string;
  complete?: boolean;
  error?: string | null;
  /** Listed entries that repeated an id (default 0). */
  duplicates?: number;
  /** Default true. */
  planComplete?: boolean;
}

/** A vault report whose counts agree with its lists (the core's invariant). */
export function vaultReport(vault: string, options: VaultOptions = {}): VaultReport {
  const stale = options.stale ?? [];
  const odd = options.anomalies ?? [];
  const counts: OutcomeCounts = { aborted: 0, gone: 0, failed: 0, skipped: 0, reported: 0, pending: 0 };
  for (const e of stale) counts[e.outcome]++;
  const error = options.error ?? null;
  return {
    vault,
    olderThan: options.olderThan ?? '7d',
    scanned: stale.length + odd.length + (options.fresh ?? 10),
    duplicates: options.duplicates ?? 0,
    stale: stale.length,
    ...counts,
    bytesAtStake: stale.reduce((n, e) => n + (e.bytesUploaded ?? 0), 0),
    unmeasured: stale.filter((e) => e.bytesUploaded === null).length,
    complete: options.complete ?? error === null,
    planComplete: options.planComplete ?? true,
    wouldAbort: stale.filter((e) => e.wouldAbort).length,
    error,
    staleUploads: stale,
    staleUploadsOmitted: 0,
    anomalies: odd,
    anomaliesOmitted: 0,
  };
}

export interface ReportOptions {
  action?: Action;
  region?: string;
  olderThan?: string;
  capped?: boolean;
  complete?: boolean;
  /** Default: every vault's planComplete. */
  planComplete?: boolean;
  runId?: string;
}

/** A run report with totals summed from its vaults. */
export function sweepReport(vaults: VaultReport[], options: ReportOptions = {}): SweepReport {
  const sum = (f: (v: VaultReport) => number) => vaults.reduce((n, v) => n + f(v), 0);
  return {
    runId: options.runId ?? 'run-0001',
    startedAt: new Date(NOW_MS).toISOString(),
    finishedAt: new Date(NOW_MS + 42_000).toISOString(),
    region: options.region ?? 'us-east-1',
    action: options.action ?? 'abort',
    olderThan: options.olderThan ?? '7d',
    complete: options.complete ?? vaults.every((v) => v.complete),
    planComplete: options.planComplete ?? vaults.every((v) => v.planComplete),
    capped: options.capped ?? false,
    totals: {
      vaults: vaults.length,
      scanned: sum((v) => v.scanned),
      duplicates: sum((v) => v.duplicates),
      stale: sum((v) => v.stale),
      aborted: sum((v) => v.aborted),
      gone: sum((v) => v.gone),
      failed: sum((v) => v.failed),
      skipped: sum((v) => v.skipped),
      reported: sum((v) => v.reported),
      pending: sum((v) => v.pending),
      bytesAtStake: sum((v) => v.bytesAtStake),
      unmeasured: sum((v) => v.unmeasured),
      wouldAbort: sum((v) => v.wouldAbort),
      anomalies: sum((v) => v.anomalies.length + v.anomaliesOmitted),
      vaultErrors: sum((v) => (v.error === null ? 0 : 1)),
    },
    vaults,
  };
}
