import type { ActOutcome } from './act';
import { MAX_ABORTS_REACHED } from './act';
import type { Measurement } from './measure';
import { type AbortPlan, isEligible, type Judged, oldestFirst, refKey } from './plan';
import type { StaleFound, VaultSurvey } from './survey';
import {
  type Action,
  OUTCOMES,
  type Outcome,
  type OutcomeCounts,
  type ReportTotals,
  type StaleUploadEntry,
  type SweepSettings,
  type VaultReport,
} from './types';

/**
 * From survey, measurements, plan and acts to report entries and counts, pure. Each stale upload gets
 * exactly one outcome here, so `stale = aborted + gone + failed + skipped + reported + pending` holds
 * by construction.
 */

/** One stale upload on its way into the report. */
export interface StaleRow {
  readonly survey: VaultSurvey;
  readonly found: StaleFound;
  readonly judged: Judged;
  readonly entry: StaleUploadEntry;
  /** Why it ended as it did, for the audit log. */
  reason?: string | undefined;
}

/** Every outcome at zero: the start of every count. */
export const noOutcomes = (): OutcomeCounts => ({
  aborted: 0,
  gone: 0,
  failed: 0,
  skipped: 0,
  reported: 0,
  pending: 0,
});

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The rows of every stale upload, with the outcome the plan already decides: `skipped`, `pending`,
 * `reported` (report mode, or past `max-aborts`). Picks in abort mode start as `reported` ("not acted
 * on") until `settleFromAct` gives them what the abort did.
 */
export function planRows(
  surveys: readonly VaultSurvey[],
  judgedUploads: readonly Judged[],
  plan: AbortPlan,
  rules: { action: Action; requireIdle: boolean },
): StaleRow[] {
  const judged = new Map(judgedUploads.map((upload) => [refKey(upload), upload]));
  const picked = new Set(plan.picks.map(refKey));
  const rows: StaleRow[] = [];
  for (const survey of surveys) {
    for (const found of survey.stale) {
      const key = refKey({ vault: survey.vault, uploadId: found.uploadId });
      const upload = judged.get(key) ?? {
        vault: survey.vault,
        uploadId: found.uploadId,
        createdMs: found.createdMs,
        excluded: found.excluded,
      };
      const wouldAbort = picked.has(key);
      const entry: StaleUploadEntry = {
        uploadId: found.uploadId,
        createdAt: found.createdAt,
        ageHours: found.ageHours,
        description: found.description,
        partSizeBytes: found.partSizeBytes,
        bytesUploaded: upload.parts?.bytes ?? null,
        partCount: upload.parts?.partCount ?? null,
        outcome: 'reported',
        wouldAbort,
      };
      const waiting = upload.activity !== undefined && !upload.activity.idle ? upload.activity : undefined;
      if (waiting !== undefined) {
        entry.eligibleAt = iso(waiting.eligibleAt);
        // In report mode too: the reason abort mode would keep it.
        if (!upload.excluded) entry.reason = waiting.reason;
      }
      const row: StaleRow = { survey, found, judged: upload, entry };
      if (upload.excluded) settleRow(row, 'skipped', 'matched exclude');
      else if (rules.action === 'report') {
        settleRow(
          row,
          'reported',
          wouldAbort
            ? 'report mode (abort mode would abort it)'
            : waiting !== undefined
              ? `report mode (abort mode would keep it pending: ${waiting.reason})`
              : 'report mode (abort mode would leave it: max-aborts reached)',
        );
      } else if (waiting !== undefined) settleRow(row, 'pending', waiting.reason);
      else if (!wouldAbort && isEligible(upload, rules)) settleRow(row, 'reported', MAX_ABORTS_REACHED);
      rows.push(row);
    }
  }
  return rows;
}

function settleRow(row: StaleRow, outcome: Outcome, reason?: string): void {
  row.entry.outcome = outcome;
  row.reason = reason;
  // The report carries the reason where it matters to the reader: why it is kept, or why it failed.
  if ((outcome === 'pending' || outcome === 'failed') && reason !== undefined) row.entry.reason = reason;
}

/** Gives a pick what acting on it did. */
export function settleFromAct(row: StaleRow, acted: ActOutcome): void {
  settleRow(row, acted.outcome, acted.reason);
  if (acted.parts !== undefined) {
    row.entry.bytesUploaded = acted.parts.bytes;
    row.entry.partCount = acted.parts.partCount;
  }
  if (acted.outcome === 'pending' && acted.eligibleAt !== undefined)
    row.entry.eligibleAt = iso(acted.eligibleAt);
}

/**
 * False when planning ran out of time in this vault: its listing stopped for time, or one of its
 * uploads the plan meant to measure was not measured in time. A listing error is not a lack of time
 * (`error` says what happened), nor is `max-list-parts`.
 */
export function vaultPlanComplete(survey: VaultSurvey, measurements: readonly Measurement[]): boolean {
  return (
    !survey.outOfTime &&
    !measurements.some(
      (m) => m.vault === survey.vault && (m.unmeasured === 'time' || m.unmeasured === 'cancelled'),
    )
  );
}

/** One vault's report; `measurements` may hold other vaults' too. */
export function vaultReportOf(
  survey: VaultSurvey,
  rows: readonly StaleRow[],
  measurements: readonly Measurement[],
): VaultReport {
  const ordered = [...rows].sort((a, b) => oldestFirst(a.judged, b.judged));
  const staleUploads = ordered.map((row) => row.entry);
  const counts = noOutcomes();
  for (const entry of staleUploads) counts[entry.outcome] += 1;
  return {
    vault: survey.vault,
    olderThan: survey.olderThan,
    scanned: survey.scanned,
    duplicates: survey.duplicates,
    stale: staleUploads.length,
    ...counts,
    bytesAtStake: staleUploads.reduce((sum, entry) => sum + (entry.bytesUploaded ?? 0), 0),
    // Excluded uploads are never touched, not even listed: they are not "unmeasured".
    unmeasured: staleUploads.filter((entry) => entry.bytesUploaded === null && entry.outcome !== 'skipped')
      .length,
    complete: survey.complete,
    planComplete: vaultPlanComplete(survey, measurements),
    wouldAbort: staleUploads.filter((entry) => entry.wouldAbort).length,
    error: survey.error,
    staleUploads,
    staleUploadsOmitted: 0,
    anomalies: survey.anomalies,
    anomaliesOmitted: 0,
    ...(survey.skippedByTag ? { skippedByTag: true as const } : {}),
  };
}

/** A vault entry with nothing listed: every count zero, complete, no error. */
export function emptyVaultReport(vault: string, olderThan: string): VaultReport {
  return {
    vault,
    olderThan,
    scanned: 0,
    duplicates: 0,
    stale: 0,
    ...noOutcomes(),
    bytesAtStake: 0,
    unmeasured: 0,
    complete: true,
    planComplete: true,
    wouldAbort: 0,
    error: null,
    staleUploads: [],
    staleUploadsOmitted: 0,
    anomalies: [],
    anomaliesOmitted: 0,
  };
}

/** The entry of `*` when ListVaults failed: nothing was listed, so nothing else is known. */
export function failedListingReport(settings: SweepSettings, error: string): VaultReport {
  return {
    ...emptyVaultReport('*', settings.olderThan.text),
    complete: false,
    error: `ListVaults failed: ${error}`,
  };
}

export function totalsOf(vaults: readonly VaultReport[]): ReportTotals {
  const totals: ReportTotals = {
    vaults: 0,
    scanned: 0,
    duplicates: 0,
    stale: 0,
    ...noOutcomes(),
    bytesAtStake: 0,
    unmeasured: 0,
    wouldAbort: 0,
    anomalies: 0,
    vaultErrors: 0,
  };
  for (const v of vaults) {
    totals.vaults += 1;
    totals.scanned += v.scanned;
    totals.duplicates += v.duplicates;
    totals.stale += v.stale;
    for (const outcome of OUTCOMES) totals[outcome] += v[outcome];
    totals.bytesAtStake += v.bytesAtStake;
    totals.unmeasured += v.unmeasured;
    totals.wouldAbort += v.wouldAbort;
    totals.anomalies += v.anomalies.length + v.anomaliesOmitted;
    if (v.error !== null) totals.vaultErrors += 1;
  }
  const skippedByTag = vaults.filter((v) => v.skippedByTag === true).length;
  return skippedByTag > 0 ? { ...totals, skippedByTag } : totals;
}
