import type { StaleFound } from './survey';
import type { AnomalyEntry, Outcome, ReportTotals, SweepReport, VaultReport } from './types';

/**
 * The records a fleet run keeps in its S3 prefix. Upload lists never travel in the state (256 KiB per
 * payload, 25,000 events per execution): the state carries markers, counts and indices, these carry
 * the uploads.
 */

/** How a target ended up: swept, or why not. `no-spoke` and `region-not-enabled` are not errors. */
export type TargetStatus = 'swept' | 'no-spoke' | 'region-not-enabled' | 'error';

/** How a configured vault ended up in one target before any upload was listed. */
export type VaultStatus = 'sweep' | 'absent' | 'skipped-by-tag' | 'error';

export interface ResolvedVault {
  readonly name: string;
  readonly olderThan: string;
  readonly status: VaultStatus;
  readonly error?: string;
}

/** `target.json`: what Resolve found in the target. Its absence means the child wrote no result. */
export interface TargetRecord {
  readonly account: string;
  readonly region: string;
  readonly status: TargetStatus;
  readonly error: string | null;
  readonly vaults: readonly ResolvedVault[];
}

/** A stale upload as Survey listed (the survey's StaleFound), measured and judged it. */
export interface Candidate extends Omit<StaleFound, 'excluded'> {
  readonly bytesUploaded: number | null;
  readonly partCount: number | null;
  /** The parts fingerprint Survey saw; Act aborts only if it is unchanged (with quiet-period). */
  readonly fingerprint: string | null;
  /** `eligible`: may be picked; otherwise its outcome is already known. */
  readonly verdict: 'eligible' | 'skipped' | 'pending';
  readonly eligibleAt?: string;
  readonly reason?: string;
}

/** One worker invocation's findings: `chunks/<pass>-<invocation>.json` under the vault's prefix. */
export interface SurveyChunk {
  readonly pass: number;
  readonly invocation: number;
  readonly scanned: number;
  readonly duplicates: number;
  readonly pages: number;
  readonly candidates: readonly Candidate[];
  readonly anomalies: readonly AnomalyEntry[];
  /** Every upload id this invocation listed first: the next invocations of the pass skip them. */
  readonly ids?: readonly string[];
}

/** `done.json` of a vault: written when its listing ended, or by the catch that ended it. */
export interface VaultDone {
  readonly complete: boolean;
  readonly error: string | null;
  /** The pass whose chunks count (a pass restarted after a rejected marker discards the earlier ones). */
  readonly pass: number;
  readonly invocations: number;
  readonly restarted: boolean;
}

/** One upload Select chose to abort. */
export interface Pick {
  readonly vault: string;
  readonly olderThan: string;
  readonly uploadId: string;
  readonly createdAt: string;
  readonly createdMs: number;
  /** The parts Survey saw (null when it did not measure them): with quiet-period, Act aborts only if unchanged. */
  readonly fingerprint: string | null;
  readonly partCount: number | null;
  readonly bytes: number | null;
}

/** `picks/<account>/<region>.json`. */
export interface TargetPicks {
  readonly account: string;
  readonly region: string;
  readonly picks: readonly Pick[];
}

/** What Act did with one pick. */
export interface PickOutcome {
  readonly vault: string;
  readonly uploadId: string;
  readonly outcome: Outcome;
  readonly reason?: string;
  /** Only for `pending` (parts changed since Survey): when it may be aborted if it stays unchanged. */
  readonly eligibleAt?: string;
}

/** A fleet vault entry: the single-account entry with its account and region, and `absent` when it is not there. */
export interface FleetVaultReport extends VaultReport {
  account: string;
  region: string;
  /** Only on a named vault that does not exist in this target: counted, not an error. */
  absent?: true;
  /** Only when Glacier rejected a marker on resume and the vault was listed again from the first page. */
  restarted?: true;
}

export interface FleetTargetEntry {
  account: string;
  region: string;
  status: TargetStatus;
  error: string | null;
}

export interface FleetTotals extends ReportTotals {
  accounts: number;
  targets: number;
  targetErrors: number;
  noSpoke: number;
  regionsNotEnabled: number;
  absent: number;
  skippedByTag: number;
  wouldAbort: number;
}

export interface FleetAccountEntry {
  account: string;
  regions: number;
  targetErrors: number;
  noSpoke: number;
  regionsNotEnabled: number;
  totals: ReportTotals;
}

/** The fleet report: the single-account report's fields, and the fleet's. */
export interface FleetReport extends Omit<SweepReport, 'vaults' | 'totals'> {
  mode: 'fleet';
  /** Only when Select did not finish: nothing was picked, so nothing was aborted. */
  selectFailed?: true;
  regions: string[];
  /** The S3 key of the full report (the published copy may be trimmed). */
  reportKey: string;
  totals: FleetTotals;
  accounts: FleetAccountEntry[];
  targets: FleetTargetEntry[];
  vaults: FleetVaultReport[];
}
