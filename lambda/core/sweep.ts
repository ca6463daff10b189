import { SKIP_TAG_KEY, SKIP_TAG_VALUE } from '../fleet/names';
import {
  type ActivityVerdict,
  judgeActivity,
  measureUpload,
  nextHistory,
  type PartsFingerprint,
  type StateStore,
  stateKey,
  type UploadHistory,
} from './activity';
import { judgeUpload, RunBudget, type UploadPolicy } from './decide';
import { createLimiter, mapLimited } from './limit';
import { markerStuck, stuckMarkerError } from './paging';
import type { Pattern } from './pattern';
import {
  type Action,
  type AnomalyEntry,
  type Clock,
  OUTCOMES,
  type Outcome,
  type OutcomeCounts,
  type StaleUploadEntry,
  type SweepReport,
  type SweepSettings,
  type Upload,
  type UploadPage,
  type VaultApi,
  type VaultReport,
  type VaultTarget,
} from './types';
import { checkVaultScope, type VaultScopeNames } from './vault-scope';

/** Glacier's own limit for an archive description; longer text from elsewhere is cut to it. */
export const MAX_DESCRIPTION_CHARS = 1024;

/** Structured events for the audit log and progress display; the core never logs by itself. */
export interface SweepObserver {
  /** Called once per stale upload, when its outcome is final. */
  staleUpload?(event: StaleUploadEvent): void;
  /** Called just before an abort request is sent: the audit trail records intent before effect. */
  abortStarting?(event: { vault: string; uploadId: string; createdAt: string; ageHours: number }): void;
  anomaly?(event: AnomalyEntry & { vault: string; reason: string }): void;
  /** The vaults this run will sweep, once `*` and the request's filter are applied. */
  vaultsResolved?(vaults: readonly string[]): void;
  pageListed?(event: { vault: string; uploads: number }): void;
  vaultDone?(report: VaultReport): void;
  /** Something went wrong that changes no outcome (a part listing or a state write failed). */
  warning?(event: { vault: string; uploadId: string; message: string }): void;
}

/** Activity-aware abort (`quiet-period`): where the history lives and how long an upload must be quiet. */
export interface ActivityCheck {
  readonly quietPeriodMs: number;
  readonly state: StateStore;
  /** The vault owner account and the region: with vault and upload id they make the state key. */
  readonly account: string;
  readonly region: string;
}

export interface StaleUploadEvent extends StaleUploadEntry {
  vault: string;
  olderThan: string;
  /** Why an abort failed, or why a stale upload was only reported. */
  reason?: string;
}

export interface SweepVaultInput {
  readonly api: VaultApi;
  readonly vault: VaultTarget;
  readonly action: Action;
  readonly exclude: Pattern | undefined;
  readonly clock: Clock;
  /** Epoch ms after which no new page request and no new abort starts. */
  readonly deadline: number;
  readonly abortConcurrency: number;
  /** `max-aborts`, shared by every vault of the run. */
  readonly abortBudget: RunBudget;
  /** Bounds ListParts listings across the run; an upload past it is reported as not measured. */
  readonly measureBudget: RunBudget;
  /** Set when `quiet-period` is: then an abort also needs proof that the upload is idle. */
  readonly activity?: ActivityCheck | undefined;
  /** Resume point from an earlier call; undefined starts at the first page. */
  readonly startMarker?: string | undefined;
  readonly observer?: SweepObserver;
}

export interface SweepVaultResult {
  readonly report: VaultReport;
  /** Where listing stopped (time budget or error): pass it back as `startMarker` to resume. */
  readonly nextMarker: string | undefined;
}

/** A short, single-line message for a report; never the whole error object. */
export function errorSummary(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const text = `${name}: ${message}`.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

const roundHours = (ms: number): number => Math.round(ms / 360_000) / 10;

/** Every outcome at zero: the start of every count. */
const noOutcomes = (): OutcomeCounts => ({
  aborted: 0,
  gone: 0,
  failed: 0,
  skipped: 0,
  reported: 0,
  pending: 0,
});

/** A request cancelled through its abort signal (the SDK and fetch both name it AbortError). */
export const isCancellation = (error: unknown): boolean =>
  error instanceof Error && error.name === 'AbortError';

interface Tracked {
  entry: StaleUploadEntry;
  createdMs: number;
}

/**
 * Sweeps one vault from `startMarker` until the listing ends or `deadline` passes: lists every page,
 * judges each upload, and (abort mode) aborts stale ones with bounded concurrency while listing goes on.
 * Aborts only ever target uploads already listed, so the marker of the next page stays valid.
 */
export async function sweepVault(input: SweepVaultInput): Promise<SweepVaultResult> {
  const { api, vault, clock, observer } = input;
  const policy: UploadPolicy = {
    olderThanMs: vault.olderThan.ms,
    action: input.action,
    exclude: input.exclude,
  };
  const limit = createLimiter(input.abortConcurrency);
  const stale = new Map<string, Tracked>();
  const anomalies: AnomalyEntry[] = [];
  // Every id listed so far, fresh ones too: a repeated entry is counted, judged and aborted once.
  const seen = new Set<string>();
  const work: Promise<void>[] = [];
  const counts = { scanned: 0, duplicates: 0, ...noOutcomes() };
  const { activity } = input;
  let error: string | null = null;
  let marker = input.startMarker;
  let complete = false;

  const settle = (tracked: Tracked, outcome: Outcome, reason?: string): void => {
    tracked.entry.outcome = outcome;
    counts[outcome] += 1;
    observer?.staleUpload?.({
      ...tracked.entry,
      vault: vault.name,
      olderThan: vault.olderThan.text,
      ...(reason ? { reason } : {}),
    });
  };

  const warn = (uploadId: string, message: string): void =>
    observer?.warning?.({ vault: vault.name, uploadId, message });

  /**
   * Lists the upload's parts within the run's bound; `observed` is undefined when not measured, and
   * `cancelled` says the hard stop ended the listing (the run is out of time, nothing went wrong).
   */
  const measure = async (
    tracked: Tracked,
  ): Promise<{ observed: PartsFingerprint | undefined; cancelled: boolean }> => {
    if (!input.measureBudget.take()) return { observed: undefined, cancelled: false };
    try {
      const observed = await measureUpload(api, vault.name, tracked.entry.uploadId);
      tracked.entry.bytesUploaded = observed.bytes;
      tracked.entry.partCount = observed.partCount;
      return { observed, cancelled: false };
    } catch (measureError) {
      if (isCancellation(measureError)) return { observed: undefined, cancelled: true };
      warn(tracked.entry.uploadId, `parts could not be listed: ${errorSummary(measureError)}`);
      return { observed: undefined, cancelled: false };
    }
  };

  /**
   * Reads and updates the upload's history; decides whether it has been idle for the quiet period.
   * Without a readable history nothing is proven, so the verdict is "not idle".
   */
  const checkActivity = async (
    tracked: Tracked,
    check: ActivityCheck,
    observed: PartsFingerprint | undefined,
  ): Promise<ActivityVerdict> => {
    const key = stateKey(check.account, check.region, vault.name, tracked.entry.uploadId);
    let stored: UploadHistory | undefined;
    if (observed !== undefined) {
      try {
        stored = await check.state.get(key);
      } catch (stateError) {
        const now = clock();
        return {
          idle: false,
          eligibleAt: now + check.quietPeriodMs,
          reason: `state could not be read: ${errorSummary(stateError)}`,
        };
      }
    }
    const now = clock();
    const verdict = judgeActivity(stored, observed, check.quietPeriodMs, now);
    if (observed !== undefined) {
      try {
        await check.state.put(key, nextHistory(stored, observed, now), stored);
      } catch (stateError) {
        warn(tracked.entry.uploadId, `state could not be written: ${errorSummary(stateError)}`);
      }
    }
    return verdict;
  };

  const forget = async (tracked: Tracked, check: ActivityCheck): Promise<void> => {
    const key = stateKey(check.account, check.region, vault.name, tracked.entry.uploadId);
    try {
      await check.state.delete(key);
    } catch (stateError) {
      warn(tracked.entry.uploadId, `state could not be deleted: ${errorSummary(stateError)}`);
    }
  };

  const processStale = async (tracked: Tracked, intent: 'abort' | 'report'): Promise<void> => {
    if (clock() >= input.deadline)
      return settle(tracked, 'reported', 'time budget ran out before it was measured');
    const { observed, cancelled } = await measure(tracked);
    if (cancelled) {
      // Unmeasured, and no history is read or written: a partial listing proves nothing either way.
      const why = 'time budget ran out while its parts were listed';
      if (activity === undefined || intent === 'report') return settle(tracked, 'reported', why);
      tracked.entry.eligibleAt = new Date(clock() + activity.quietPeriodMs).toISOString();
      return settle(tracked, 'pending', why);
    }
    const verdict = activity ? await checkActivity(tracked, activity, observed) : ({ idle: true } as const);
    if (intent === 'report') return settle(tracked, 'reported', 'report mode');
    if (!verdict.idle) {
      tracked.entry.eligibleAt = new Date(verdict.eligibleAt).toISOString();
      return settle(tracked, 'pending', verdict.reason);
    }
    // Measuring and reading the history take time: the clock is read again right before the abort.
    if (clock() >= input.deadline) return settle(tracked, 'reported', 'time budget ran out before its abort');
    if (!input.abortBudget.take()) return settle(tracked, 'reported', 'max-aborts reached');
    const { uploadId, createdAt, ageHours } = tracked.entry;
    observer?.abortStarting?.({ vault: vault.name, uploadId, createdAt, ageHours });
    let outcome: Outcome;
    try {
      outcome = await api.abortUpload(vault.name, uploadId);
    } catch (abortError) {
      return settle(tracked, 'failed', errorSummary(abortError));
    }
    if (activity) await forget(tracked, activity);
    settle(tracked, outcome);
  };

  const judgePage = (uploads: readonly Upload[]): void => {
    const now = clock();
    for (const upload of uploads) {
      // The same id twice (on two pages, or on one) is one upload; entries without an id are each their
      // own, since nothing tells them apart. The first entry of an id is the one judged.
      if (upload.uploadId !== '') {
        if (seen.has(upload.uploadId)) {
          counts.duplicates += 1;
          continue;
        }
        seen.add(upload.uploadId);
      }
      counts.scanned += 1;
      const verdict = judgeUpload(upload, policy, now);
      const description = (upload.description ?? '').slice(0, MAX_DESCRIPTION_CHARS);
      if (verdict.kind === 'anomaly') {
        const entry: AnomalyEntry = {
          uploadId: upload.uploadId,
          createdAt: upload.createdAt ?? null,
          description,
        };
        anomalies.push(entry);
        observer?.anomaly?.({ ...entry, vault: vault.name, reason: verdict.reason });
        continue;
      }
      if (verdict.kind === 'fresh') continue;
      const tracked: Tracked = {
        createdMs: verdict.createdMs,
        entry: {
          uploadId: upload.uploadId,
          createdAt: upload.createdAt as string,
          ageHours: roundHours(verdict.ageMs),
          description,
          partSizeBytes: upload.partSizeBytes ?? null,
          bytesUploaded: null,
          partCount: null,
          outcome: 'reported',
        },
      };
      stale.set(upload.uploadId, tracked);
      if (verdict.intent === 'skip') settle(tracked, 'skipped', 'matched exclude');
      else {
        const intent = verdict.intent;
        work.push(limit(() => processStale(tracked, intent)));
      }
    }
  };

  // The next page is requested before this one is judged, so judging (and logging) overlaps the round
  // trip of a marker chain that cannot otherwise be parallelised.
  const request = (from: string | undefined): Promise<UploadPage> => {
    const pending = api.listUploadsPage(vault.name, from);
    // Awaited on the next turn of the loop; this only keeps an abandoned one from going unhandled.
    pending.catch(() => undefined);
    return pending;
  };
  try {
    let inFlight = clock() < input.deadline ? request(marker) : undefined;
    while (inFlight !== undefined) {
      const page = await inFlight;
      inFlight = undefined;
      observer?.pageListed?.({ vault: vault.name, uploads: page.uploads.length });
      const repeated = markerStuck(marker, page.marker);
      if (!repeated) {
        marker = page.marker;
        if (marker !== undefined && clock() < input.deadline) inFlight = request(marker);
      }
      judgePage(page.uploads);
      if (repeated) throw stuckMarkerError('ListMultipartUploads', marker ?? '');
      if (marker === undefined) complete = true;
    }
  } catch (listError) {
    // The invocation's hard stop cancelled the request: the vault is unfinished (time budget), not broken.
    if (!isCancellation(listError)) error = errorSummary(listError);
  }
  await Promise.all(work);

  const staleUploads = [...stale.values()].sort((a, b) => a.createdMs - b.createdMs).map((t) => t.entry);
  const report: VaultReport = {
    vault: vault.name,
    olderThan: vault.olderThan.text,
    scanned: counts.scanned,
    duplicates: counts.duplicates,
    stale: stale.size,
    aborted: counts.aborted,
    gone: counts.gone,
    failed: counts.failed,
    skipped: counts.skipped,
    reported: counts.reported,
    pending: counts.pending,
    bytesAtStake: staleUploads.reduce((sum, entry) => sum + (entry.bytesUploaded ?? 0), 0),
    // Excluded uploads are never touched, not even listed: they are not "unmeasured".
    unmeasured: staleUploads.filter((entry) => entry.bytesUploaded === null && entry.outcome !== 'skipped')
      .length,
    complete,
    error,
    staleUploads,
    staleUploadsOmitted: 0,
    anomalies,
    anomaliesOmitted: 0,
  };
  observer?.vaultDone?.(report);
  return { report, nextMarker: complete ? undefined : marker };
}

export interface SweepRunInput {
  readonly api: VaultApi;
  readonly settings: SweepSettings;
  readonly clock: Clock;
  readonly deadline: number;
  readonly vaultConcurrency: number;
  readonly abortConcurrency: number;
  readonly runId: string;
  readonly region: string;
  /** The vault owner account (12 digits) when known; part of the state key. */
  readonly account?: string;
  /** Upload history for `quiet-period`; without it, every stale upload stays pending. */
  readonly state?: StateStore | undefined;
  /** Only these configured vaults (a manual invocation's `vaults`); already validated. */
  readonly onlyVaults?: readonly string[] | undefined;
  /** Narrows `*` and guards named vaults (SWEEPER_VAULT_PATTERN, --vault-pattern). */
  readonly vaultPattern?: Pattern | undefined;
  /** How the caller names the pattern and the vault list, for the error a named vault outside it raises. */
  readonly vaultPatternNames?: VaultScopeNames | undefined;
  /** A manual invocation's `{"action":"report"}`: never escalates, only de-escalates. */
  readonly forceReport?: boolean;
  readonly observer?: SweepObserver;
}

/** Expands `*`, applies the event's vault filter. A failed ListVaults becomes a vault error on `*`. */
async function resolveTargets(input: SweepRunInput): Promise<{ targets: VaultTarget[]; listError?: string }> {
  const { settings } = input;
  let targets: VaultTarget[];
  if (settings.vaults === '*') {
    try {
      const names = await input.api.listVaultNames();
      const pattern = input.vaultPattern;
      targets = names
        .filter((name) => pattern === undefined || pattern.test(name))
        .map((name) => ({ name, olderThan: settings.olderThan }));
    } catch (error) {
      return { targets: [], listError: errorSummary(error) };
    }
  } else {
    targets = [...settings.vaults];
  }
  if (input.onlyVaults !== undefined) {
    const wanted = new Set(input.onlyVaults);
    targets = targets.filter((target) => wanted.has(target.name));
  }
  return { targets };
}

/** Stands in when `quiet-period` is set but no table is: nothing can be proven idle, so nothing is aborted. */
const NO_STATE: StateStore = {
  get: () => Promise.reject(new Error('no state table is configured (SWEEPER_STATE_TABLE)')),
  put: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

function failedListingReport(settings: SweepSettings, error: string): VaultReport {
  return {
    vault: '*',
    olderThan: settings.olderThan.text,
    scanned: 0,
    duplicates: 0,
    stale: 0,
    ...noOutcomes(),
    bytesAtStake: 0,
    unmeasured: 0,
    complete: false,
    error: `ListVaults failed: ${error}`,
    staleUploads: [],
    staleUploadsOmitted: 0,
    anomalies: [],
    anomaliesOmitted: 0,
  };
}

/**
 * Sweeps every configured vault, `vaultConcurrency` at a time; one vault's failure never stops the others.
 * Throws ConfigError, before any request, for a named vault outside the vault pattern.
 */
export async function sweepRun(input: SweepRunInput): Promise<SweepReport> {
  // Before any request: a vault outside the pattern is a configuration error, not a vault to sweep.
  checkVaultScope(input.settings.vaults, input.vaultPattern, input.vaultPatternNames);
  const startedAt = new Date(input.clock()).toISOString();
  const action: Action = input.forceReport ? 'report' : input.settings.action;
  const abortBudget = new RunBudget(input.settings.maxAborts);
  const measureBudget = new RunBudget(input.settings.maxListParts);
  const { quietPeriod } = input.settings;
  const activity: ActivityCheck | undefined = quietPeriod
    ? {
        quietPeriodMs: quietPeriod.ms,
        state: input.state ?? NO_STATE,
        account: input.account ?? '-',
        region: input.region,
      }
    : undefined;
  const { targets, listError } = await resolveTargets(input);
  input.observer?.vaultsResolved?.(targets.map((target) => target.name));
  const results = await mapLimited(targets, input.vaultConcurrency, async (vault) => {
    const tagged = await skipTagCheck(input.api, vault, input.observer);
    if (tagged !== undefined) return { report: tagged, nextMarker: undefined };
    return sweepVault({
      api: input.api,
      vault,
      action,
      exclude: input.settings.exclude,
      clock: input.clock,
      deadline: input.deadline,
      abortConcurrency: input.abortConcurrency,
      abortBudget,
      measureBudget,
      activity,
      ...(input.observer ? { observer: input.observer } : {}),
    });
  });
  const vaults = results.map((result) => result.report);
  if (listError !== undefined) vaults.unshift(failedListingReport(input.settings, listError));
  return {
    runId: input.runId,
    startedAt,
    finishedAt: new Date(input.clock()).toISOString(),
    region: input.region,
    action,
    olderThan: input.settings.olderThan.text,
    complete: vaults.every((vault) => vault.complete),
    capped: abortBudget.capped,
    totals: totalsOf(vaults),
    vaults,
  };
}

/** True for a vault tagged `glacier-sweeper=skip` (the value compared trimmed and case-blind). */
export function hasSkipTag(tags: Readonly<Record<string, string>>): boolean {
  return tags[SKIP_TAG_KEY]?.trim().toLowerCase() === SKIP_TAG_VALUE;
}

/** A vault's report before anything is listed: every count zero. */
export function emptyVaultReport(vault: VaultTarget, complete: boolean, error: string | null): VaultReport {
  return {
    vault: vault.name,
    olderThan: vault.olderThan.text,
    scanned: 0,
    duplicates: 0,
    stale: 0,
    ...noOutcomes(),
    bytesAtStake: 0,
    unmeasured: 0,
    complete,
    error,
    staleUploads: [],
    staleUploadsOmitted: 0,
    anomalies: [],
    anomaliesOmitted: 0,
  };
}

/** The report of a vault tagged `glacier-sweeper=skip`: complete, nothing listed, nothing touched. */
export function skippedByTagReport(vault: VaultTarget): VaultReport {
  return { ...emptyVaultReport(vault, true, null), skippedByTag: true };
}

/**
 * One ListTagsForVault per vault per run, before any upload is listed. A vault whose tags cannot be
 * read is a vault error: unsure whether it carries the skip tag, the sweep stays out of it.
 */
async function skipTagCheck(
  api: VaultApi,
  vault: VaultTarget,
  observer: SweepObserver | undefined,
): Promise<VaultReport | undefined> {
  let tags: Readonly<Record<string, string>>;
  try {
    tags = await api.listVaultTags(vault.name);
  } catch (error) {
    const report = emptyVaultReport(vault, false, isCancellation(error) ? null : errorSummary(error));
    observer?.vaultDone?.(report);
    return report;
  }
  if (!hasSkipTag(tags)) return undefined;
  const report = skippedByTagReport(vault);
  observer?.vaultDone?.(report);
  return report;
}

export function totalsOf(vaults: readonly VaultReport[]): SweepReport['totals'] {
  const totals = {
    vaults: 0,
    scanned: 0,
    duplicates: 0,
    stale: 0,
    ...noOutcomes(),
    bytesAtStake: 0,
    unmeasured: 0,
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
    totals.anomalies += v.anomalies.length + v.anomaliesOmitted;
    if (v.error !== null) totals.vaultErrors += 1;
  }
  const skippedByTag = vaults.filter((v) => v.skippedByTag === true).length;
  return skippedByTag > 0 ? { ...totals, skippedByTag } : totals;
}
