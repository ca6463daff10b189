import type {
  Candidate,
  FleetAccountEntry,
  FleetReport,
  FleetTargetEntry,
  FleetTotals,
  FleetVaultReport,
  Pick,
  PickOutcome,
  SurveyChunk,
  TargetRecord,
  VaultDone,
} from './fleet-types';
import type { Action, AnomalyEntry, ReportTotals, StaleUploadEntry } from './types';
import { emptyVaultReport, totalsOf } from './vault-report';

export interface LoadedVault {
  readonly name: string;
  readonly olderThan: string;
  readonly status: 'sweep' | 'absent' | 'skipped-by-tag' | 'error';
  readonly error?: string | undefined;
  readonly done: VaultDone | undefined;
  /** The chunks of the pass `done` names (or of the last pass when there is no `done`). */
  readonly chunks: readonly SurveyChunk[];
}

export interface LoadedTarget {
  readonly account: string;
  readonly region: string;
  /** undefined: the child execution wrote no result. */
  readonly record: TargetRecord | undefined;
  readonly vaults: readonly LoadedVault[];
  readonly picks: readonly Pick[];
  readonly outcomes: readonly PickOutcome[];
  /** Act failed for this target (after retries): its picks not carried out are reported. */
  readonly actError: string | undefined;
  /** Vaults Act found gone: a vault error each. */
  readonly goneVaults: readonly string[];
}

export interface FleetReportInput {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly hubRegion: string;
  readonly regions: readonly string[];
  readonly action: Action;
  readonly olderThan: string;
  /** Select left eligible uploads out: max-aborts stopped aborts. */
  readonly capped: boolean;
  /** How many the same settings would abort (report mode: the picks). */
  readonly wouldAbort: number;
  readonly reportKey: string;
  readonly targets: readonly LoadedTarget[];
  /** Select did not finish (no selection.json): nothing was picked. */
  readonly selectFailed?: boolean;
}

const pickKey = (vault: string, uploadId: string) => `${vault}\u0000${uploadId}`;

function vaultEntry(target: LoadedTarget, vault: LoadedVault, action: Action): FleetVaultReport {
  const base: FleetVaultReport = {
    account: target.account,
    region: target.region,
    ...emptyVaultReport(vault.name, vault.olderThan),
  };
  if (vault.status === 'absent') return { ...base, absent: true };
  if (vault.status === 'skipped-by-tag') return { ...base, skippedByTag: true };
  if (vault.status === 'error')
    return { ...base, complete: false, planComplete: false, error: vault.error ?? 'error' };

  const picked = new Map<string, Pick>();
  for (const pick of target.picks)
    if (pick.vault === vault.name) picked.set(pickKey(pick.vault, pick.uploadId), pick);
  const acted = new Map<string, PickOutcome>();
  for (const outcome of target.outcomes)
    if (outcome.vault === vault.name) acted.set(pickKey(outcome.vault, outcome.uploadId), outcome);

  // Chunks of one pass, in invocation order; an id seen in an earlier chunk is a repeat, not a new upload.
  const seen = new Set<string>();
  const stale: StaleUploadEntry[] = [];
  const anomalies: AnomalyEntry[] = [];
  let scanned = 0;
  let duplicates = 0;
  const chunks = [...vault.chunks].sort((a, b) => a.invocation - b.invocation);
  for (const chunk of chunks) {
    scanned += chunk.scanned;
    duplicates += chunk.duplicates;
    for (const anomaly of chunk.anomalies) {
      if (anomaly.uploadId !== '' && seen.has(anomaly.uploadId)) {
        scanned -= 1;
        duplicates += 1;
        continue;
      }
      if (anomaly.uploadId !== '') seen.add(anomaly.uploadId);
      anomalies.push(anomaly);
    }
    for (const candidate of chunk.candidates) {
      if (seen.has(candidate.uploadId)) {
        scanned -= 1;
        duplicates += 1;
        continue;
      }
      seen.add(candidate.uploadId);
      stale.push(staleEntry(candidate, vault.name, picked, acted, action));
    }
  }
  stale.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const count = (outcome: StaleUploadEntry['outcome']) => stale.filter((s) => s.outcome === outcome).length;
  const gone = target.goneVaults.includes(vault.name);
  const done = vault.done;
  const error = gone
    ? 'the vault no longer exists (it went between Survey and Act)'
    : done === undefined
      ? 'the worker left no result for this vault (it failed after retries)'
      : done.error;
  return {
    ...base,
    scanned,
    duplicates,
    stale: stale.length,
    aborted: count('aborted'),
    gone: count('gone'),
    failed: count('failed'),
    skipped: count('skipped'),
    reported: count('reported'),
    pending: count('pending'),
    bytesAtStake: stale.reduce((sum, s) => sum + (s.bytesUploaded ?? 0), 0),
    unmeasured: stale.filter((s) => s.bytesUploaded === null && s.outcome !== 'skipped').length,
    complete: done?.complete === true && !gone,
    // Survey plans a vault as it lists it: its plan is whole when its listing is.
    planComplete: done?.complete === true && !gone,
    wouldAbort: stale.filter((s) => s.wouldAbort).length,
    error,
    staleUploads: stale,
    anomalies,
    ...(done?.restarted ? { restarted: true as const } : {}),
  };
}

/** A pick Act carried out has Act's outcome; every other eligible upload was only reported. */
function staleEntry(
  candidate: Candidate,
  vault: string,
  picked: ReadonlyMap<string, Pick>,
  acted: ReadonlyMap<string, PickOutcome>,
  action: Action,
): StaleUploadEntry {
  const entry: StaleUploadEntry = {
    uploadId: candidate.uploadId,
    createdAt: candidate.createdAt,
    ageHours: candidate.ageHours,
    description: candidate.description,
    partSizeBytes: candidate.partSizeBytes,
    bytesUploaded: candidate.bytesUploaded,
    partCount: candidate.partCount,
    outcome: 'reported',
    // Select's picks are what abort mode with these settings aborts in this run.
    wouldAbort: picked.has(pickKey(vault, candidate.uploadId)),
  };
  if (candidate.verdict === 'skipped') return { ...entry, outcome: 'skipped' };
  if (candidate.verdict === 'pending')
    return {
      ...entry,
      outcome: 'pending',
      ...(candidate.eligibleAt ? { eligibleAt: candidate.eligibleAt } : {}),
      ...(candidate.reason ? { reason: candidate.reason } : {}),
    };
  const done = acted.get(pickKey(vault, candidate.uploadId));
  if (done === undefined || action !== 'abort') return entry;
  const eligibleAt = done.eligibleAt ?? candidate.eligibleAt;
  return {
    ...entry,
    outcome: done.outcome,
    ...(done.outcome === 'pending' && eligibleAt ? { eligibleAt } : {}),
    // As the single-account report: why it is kept, or why its abort failed.
    ...((done.outcome === 'pending' || done.outcome === 'failed') && done.reason
      ? { reason: done.reason }
      : {}),
  };
}

function addTotals(into: ReportTotals, from: ReportTotals): void {
  for (const key of Object.keys(from) as (keyof ReportTotals)[]) {
    into[key] = (into[key] ?? 0) + (from[key] ?? 0);
  }
}

/** The fleet report from what the run's prefix holds, pure. Counts are exact; lists are full. */
export function buildFleetReport(input: FleetReportInput): FleetReport {
  const vaults: FleetVaultReport[] = [];
  const targets: FleetTargetEntry[] = [];
  for (const target of input.targets) {
    const record = target.record;
    if (record === undefined) {
      targets.push({
        account: target.account,
        region: target.region,
        status: 'error',
        error: 'the target wrote no result (its child execution failed)',
      });
      continue;
    }
    // Act failed for the target after its retries: its picks not carried out stay reported, and the
    // target is in error (counted, alarmed), or an abort run could end quietly with nothing aborted.
    const actFailed = target.actError !== undefined && record.status === 'swept';
    targets.push({
      account: target.account,
      region: target.region,
      status: actFailed ? 'error' : record.status,
      error: actFailed ? `Act failed: ${target.actError}` : record.error,
    });
    for (const vault of target.vaults) vaults.push(vaultEntry(target, vault, input.action));
  }
  const base = totalsOf(vaults);
  const totals: FleetTotals = {
    ...base,
    vaultErrors: base.vaultErrors,
    accounts: new Set(input.targets.map((t) => t.account)).size,
    targets: targets.length,
    targetErrors: targets.filter((t) => t.status === 'error').length,
    noSpoke: targets.filter((t) => t.status === 'no-spoke').length,
    regionsNotEnabled: targets.filter((t) => t.status === 'region-not-enabled').length,
    absent: vaults.filter((v) => v.absent === true).length,
    skippedByTag: vaults.filter((v) => v.skippedByTag === true).length,
    wouldAbort: input.wouldAbort,
  };
  const accounts = new Map<string, FleetAccountEntry>();
  for (const t of targets) {
    const entry = accounts.get(t.account) ?? {
      account: t.account,
      regions: 0,
      targetErrors: 0,
      noSpoke: 0,
      regionsNotEnabled: 0,
      totals: totalsOf([]),
    };
    entry.regions += 1;
    if (t.status === 'error') entry.targetErrors += 1;
    if (t.status === 'no-spoke') entry.noSpoke += 1;
    if (t.status === 'region-not-enabled') entry.regionsNotEnabled += 1;
    accounts.set(t.account, entry);
  }
  for (const v of vaults) {
    const entry = accounts.get(v.account);
    if (entry !== undefined) addTotals(entry.totals, totalsOf([v]));
  }
  return {
    mode: 'fleet',
    ...(input.selectFailed === true ? { selectFailed: true as const } : {}),
    runId: input.runId,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    region: input.hubRegion,
    regions: [...input.regions],
    action: input.action,
    olderThan: input.olderThan,
    complete: totals.targetErrors === 0 && vaults.every((v) => v.complete) && input.selectFailed !== true,
    planComplete: vaults.every((v) => v.planComplete) && input.selectFailed !== true,
    capped: input.capped,
    reportKey: input.reportKey,
    totals,
    accounts: [...accounts.values()],
    targets,
    vaults,
  };
}
