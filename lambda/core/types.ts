import type { Duration } from './duration';
import type { Pattern } from './pattern';

export type Action = 'report' | 'abort';
export type Notify = 'findings' | 'always';

/**
 * What happened to one stale upload. `stale = aborted + gone + failed + skipped + reported + pending`.
 * `pending` (only with `quiet-period`): stale, but not yet proven idle, so kept.
 */
export type Outcome = 'aborted' | 'gone' | 'failed' | 'skipped' | 'reported' | 'pending';
export const OUTCOMES: readonly Outcome[] = ['aborted', 'gone', 'failed', 'skipped', 'reported', 'pending'];

/** One in-progress multipart upload as listed, before any trust is placed in its fields. */
export interface Upload {
  readonly uploadId: string;
  /** As Glacier sent it: may be missing, garbage or in the future (then the upload is an anomaly). */
  readonly createdAt: string | undefined;
  readonly description: string | undefined;
  readonly partSizeBytes: number | undefined;
}

export interface UploadPage {
  readonly uploads: readonly Upload[];
  /** Where the next page starts; undefined on the last page. */
  readonly marker: string | undefined;
}

/** One uploaded part as ListParts shows it. */
export interface UploadedPart {
  /** `start-end`, inclusive byte offsets, as Glacier writes it. */
  readonly range: string;
  readonly treeHash: string;
}

export interface PartsPage {
  readonly parts: readonly UploadedPart[];
  readonly marker: string | undefined;
  /** ListParts also says when the upload began and what it is: a pick is checked again against them. */
  readonly createdAt?: string | undefined;
  readonly description?: string | undefined;
}

/** The port the sweep needs from Glacier. Adapters translate, they never decide. */
export interface VaultApi {
  /** One page of an upload's parts (ListParts, no `limit`: the docs disagree on its maximum). */
  listPartsPage(vault: string, uploadId: string, marker: string | undefined): Promise<PartsPage>;
  listUploadsPage(vault: string, marker: string | undefined): Promise<UploadPage>;
  /** Resolves `gone` when Glacier answers that the upload does not exist; rejects on any other failure. */
  abortUpload(vault: string, uploadId: string): Promise<'aborted' | 'gone'>;
  /** Every vault name of the account in the region (all pages). */
  listVaultNames(): Promise<string[]>;
  /** The vault's tags (ListTagsForVault): `glacier-sweeper=skip` keeps the sweeper out of it. */
  listVaultTags(vault: string): Promise<Readonly<Record<string, string>>>;
}

/** Milliseconds since the epoch; injected so tests control time. */
export type Clock = () => number;

/** A vault and the threshold that applies to it. */
export interface VaultTarget {
  readonly name: string;
  readonly olderThan: Duration;
}

/** The validated settings of one run (SSM parameters after parsing). */
export interface SweepSettings {
  /** `'*'` means every vault of the account; otherwise the configured entries in order. */
  readonly vaults: '*' | readonly VaultTarget[];
  readonly olderThan: Duration;
  readonly action: Action;
  readonly accountId: string;
  readonly maxAborts: number;
  readonly exclude: Pattern | undefined;
  readonly notify: Notify;
  /** Activity-aware abort: abort only uploads seen unchanged for this long. Unset: age alone decides. */
  readonly quietPeriod: Duration | undefined;
  /** Most ListParts listings (one per stale upload measured) in one run. */
  readonly maxListParts: number;
}

export interface StaleUploadEntry {
  uploadId: string;
  createdAt: string;
  ageHours: number;
  description: string;
  partSizeBytes: number | null;
  /** Bytes in the parts uploaded so far (ListParts); null when the upload was not measured. */
  bytesUploaded: number | null;
  partCount: number | null;
  outcome: Outcome;
  /**
   * The preview, in both modes: abort mode with these settings aborts it in this run (eligible, not
   * excluded, within `max-aborts`). In abort mode, the plan picked it; its outcome says what came of it.
   */
  wouldAbort: boolean;
  /**
   * Why it was not aborted, for `pending` (and in report mode for an upload abort mode would keep
   * pending), or why its abort failed, for `failed`.
   */
  reason?: string;
  /**
   * When `quiet-period` keeps the upload from being aborted (ISO-8601): the time it may be, if it stays
   * unchanged. Set on `pending` uploads, and in report mode on those abort mode would keep pending.
   */
  eligibleAt?: string;
}

export interface AnomalyEntry {
  uploadId: string;
  createdAt: string | null;
  description: string;
}

export interface OutcomeCounts {
  aborted: number;
  gone: number;
  failed: number;
  skipped: number;
  reported: number;
  pending: number;
}

export interface VaultReport extends OutcomeCounts {
  vault: string;
  olderThan: string;
  /** Uploads listed: each distinct upload id once, plus every entry without an id. */
  scanned: number;
  /** Listed entries that repeated an id already seen in this vault: not scanned, judged or aborted again. */
  duplicates: number;
  stale: number;
  /** Sum of `bytesUploaded` over the measured stale uploads. */
  bytesAtStake: number;
  /** Stale uploads (excluded ones aside) whose parts were not listed: ListParts bound, time budget or a failed listing. */
  unmeasured: number;
  complete: boolean;
  /**
   * False when the run's planning time (its share of the time budget) ran out before this vault was
   * fully listed or before its stale uploads were measured: the run acted on what it had planned.
   */
  planComplete: boolean;
  /** Stale uploads abort mode with these settings aborts in this run (the preview; see StaleUploadEntry). */
  wouldAbort: number;
  error: string | null;
  /** Only on a vault tagged `glacier-sweeper=skip`: never listed, never touched. */
  skippedByTag?: true;
  staleUploads: StaleUploadEntry[];
  staleUploadsOmitted: number;
  anomalies: AnomalyEntry[];
  /** Anomalies cut from `anomalies` to fit a size limit, so the count stays exact when the list is trimmed. */
  anomaliesOmitted: number;
}

export interface ReportTotals extends OutcomeCounts {
  vaults: number;
  scanned: number;
  duplicates: number;
  stale: number;
  bytesAtStake: number;
  unmeasured: number;
  /** Stale uploads abort mode with these settings aborts in this run, across vaults. */
  wouldAbort: number;
  anomalies: number;
  vaultErrors: number;
  /** Vaults tagged `glacier-sweeper=skip`; present only when there is one. */
  skippedByTag?: number;
}

export interface SweepReport {
  runId: string;
  startedAt: string;
  finishedAt: string;
  region: string;
  action: Action;
  olderThan: string;
  complete: boolean;
  /** False when planning stopped at its share of the time budget before every vault's plan was done. */
  planComplete: boolean;
  /** True when the plan met `max-aborts`: more uploads were eligible than it allows (in both modes). */
  capped: boolean;
  totals: ReportTotals;
  vaults: VaultReport[];
  /**
   * Only on a published copy that had to drop whole vault entries to fit SNS's size limit (thousands
   * of vaults): how many were left out. Totals still count them.
   */
  vaultsOmitted?: number;
}
