import { act } from './act';
import type { StateStore } from './activity';
import { errorSummary, isCancellation } from './errors';
import { mapLimited, type ScheduleLimits } from './limit';
import {
  createMeasurer,
  judgeCandidates,
  type Measurement,
  type MeasurePorts,
  type Measurer,
  type QuietPeriod,
} from './measure';
import type { Pattern } from './pattern';
import {
  type AbortPlan,
  mayMeasureEarly,
  oldestFirst,
  type PlanningTimes,
  planAborts,
  planMeasurements,
  planningTimes,
  refKey,
  type UploadRef,
} from './plan';
import { hasSkipTag } from './skip-tag';
import { candidatesOf, type StaleFound, type SurveyObserver, surveyVault, type VaultSurvey } from './survey';
import type {
  Action,
  Clock,
  StaleUploadEntry,
  SweepReport,
  SweepSettings,
  VaultApi,
  VaultReport,
  VaultTarget,
} from './types';
import {
  failedListingReport,
  planRows,
  type StaleRow,
  settleFromAct,
  totalsOf,
  vaultPlanComplete,
  vaultReportOf,
} from './vault-report';
import { checkVaultScope, type VaultScopeNames } from './vault-scope';

export { totalsOf };

/** Structured events for the audit log and progress display; the core never logs by itself. */
export interface SweepObserver extends SurveyObserver {
  /** Called once per stale upload, when its outcome is final. */
  staleUpload?(event: StaleUploadEvent): void;
  /** Called just before an abort request is sent: the audit trail records intent before effect. */
  abortStarting?(event: { vault: string; uploadId: string; createdAt: string; ageHours: number }): void;
  /** The vaults this run will sweep, once `*` and the request's filter are applied. */
  vaultsResolved?(vaults: readonly string[]): void;
  /** Called once per vault, when its listing ended or stopped. */
  vaultListed?(event: { vault: string; scanned: number; complete: boolean }): void;
  /** Called once, when the plan is made: before the first abort. */
  planned?(event: PlanSummary): void;
  /** Called once per vault with its final report. */
  vaultDone?(report: VaultReport): void;
  /** Something went wrong that changes no outcome by itself (a part listing or a state write failed). */
  warning?(event: { vault: string; uploadId: string; message: string }): void;
}

export interface StaleUploadEvent extends StaleUploadEntry {
  vault: string;
  olderThan: string;
  /** Why an abort failed, or why a stale upload was not aborted. */
  reason?: string;
}

/** What the plan holds, for the log line written before anything is aborted. */
export interface PlanSummary {
  readonly vaults: number;
  readonly stale: number;
  /** Stale uploads measured (ListParts) in time, oldest first within `max-list-parts`. */
  readonly measured: number;
  readonly eligible: number;
  /** The picks: what abort mode aborts, oldest first (in report mode, the preview). */
  readonly wouldAbort: number;
  readonly capped: boolean;
  readonly planComplete: boolean;
  readonly planningMs: number;
}

export interface SweepRunInput {
  readonly api: VaultApi;
  readonly settings: SweepSettings;
  readonly clock: Clock;
  /** No new request (page, part listing or abort) starts at or after this (epoch ms). */
  readonly deadline: number;
  /** Vaults listed at once: each vault's marker chain is one sequence of requests. */
  readonly vaultConcurrency: number;
  /** Part listings and aborts in flight per vault; the run allows vaultConcurrency × this in all. */
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

/** What every step of one run shares: settings as the run applies them, its times, limits and ports. */
interface Run {
  readonly input: SweepRunInput;
  readonly start: number;
  readonly action: Action;
  readonly times: PlanningTimes;
  readonly quietPeriod: QuietPeriod | undefined;
  readonly limits: ScheduleLimits;
  readonly ports: MeasurePorts;
  readonly measurer: Measurer;
}

/**
 * Plans, then acts. Lists every page of every vault (`vaultConcurrency` marker chains at once) and judges
 * each upload; measures the oldest stale uploads of the run (`max-list-parts`); picks the oldest eligible
 * ones of the run (`max-aborts`); then, in abort mode, aborts those picks oldest first. Planning stops at
 * its share of the time budget and the run acts on what it planned. One vault's failure never stops the
 * others. Throws ConfigError, before any request, for a named vault outside the vault pattern.
 */
export async function sweepRun(input: SweepRunInput): Promise<SweepReport> {
  // Before any request: a vault outside the pattern is a configuration error, not a vault to sweep.
  checkVaultScope(input.settings.vaults, input.vaultPattern, input.vaultPatternNames);
  const run = startRun(input);
  const { targets, listError } = await resolveTargets(input);
  input.observer?.vaultsResolved?.(targets.map((target) => target.name));
  const { surveys, early } = await surveyVaults(run, targets);
  const measurements = await measureTheRest(run, surveys, early);
  const decided = decide(run, surveys, measurements);
  if (run.action === 'abort') await actOnPicks(run, decided);
  return runReport(run, surveys, measurements, decided, listError);
}

function startRun(input: SweepRunInput): Run {
  const { settings } = input;
  const start = input.clock();
  const quietPeriod: QuietPeriod | undefined = settings.quietPeriod
    ? { quietPeriodMs: settings.quietPeriod.ms, account: input.account ?? '-', region: input.region }
    : undefined;
  const times = planningTimes(start, input.deadline);
  const limits = {
    concurrency: input.vaultConcurrency * input.abortConcurrency,
    perKey: input.abortConcurrency,
  };
  const warning = input.observer?.warning?.bind(input.observer);
  const ports: MeasurePorts = {
    api: input.api,
    state: input.state,
    clock: input.clock,
    observer: warning ? { warning } : undefined,
  };
  return {
    input,
    start,
    action: input.forceReport ? 'report' : settings.action,
    times,
    quietPeriod,
    limits,
    ports,
    measurer: createMeasurer({ deadline: times.planUntil, limits, quietPeriod }, ports),
  };
}

/** Measurements started while listing went on. */
interface Early {
  readonly refs: UploadRef[];
  readonly done: Promise<Measurement>[];
  open: boolean;
}

/**
 * 1. Every vault's marker chain, `vaultConcurrency` at a time; a slot frees as its chain ends. While
 * chains wait on their pages, stale uploads already found are measured on the other slots, as long as
 * everything found so far fits in max-list-parts (then the plan measures all of it anyway).
 */
async function surveyVaults(
  run: Run,
  targets: readonly VaultTarget[],
): Promise<{ surveys: VaultSurvey[]; early: Early }> {
  const { input } = run;
  const { observer, settings } = input;
  const early: Early = { refs: [], done: [], open: true };
  const measureEarly = (vault: string, found: readonly StaleFound[]): void => {
    if (!early.open) return;
    const page = found
      .filter((f) => !f.excluded)
      .map((f) => ({ vault, uploadId: f.uploadId, createdMs: f.createdMs }))
      .sort(oldestFirst);
    if (!mayMeasureEarly(early.refs.length, page.length, settings.maxListParts)) {
      early.open = false;
      return;
    }
    for (const ref of page) {
      early.refs.push(ref);
      early.done.push(run.measurer.measure(ref));
    }
  };
  const surveys = await mapLimited(targets, input.vaultConcurrency, async (vault) => {
    const tagged = await skipTagCheck(input.api, vault);
    if (tagged !== undefined) return tagged;
    const survey = await surveyVault({
      api: input.api,
      vault,
      exclude: settings.exclude,
      clock: input.clock,
      deadline: run.times.listUntil,
      observer,
      onStale: (found) => measureEarly(vault.name, found),
    });
    observer?.vaultListed?.({ vault: vault.name, scanned: survey.scanned, complete: survey.complete });
    return survey;
  });
  return { surveys, early };
}

/** A vault's survey before anything is listed. */
const emptySurvey = (vault: VaultTarget, complete: boolean, error: string | null): VaultSurvey => ({
  vault: vault.name,
  olderThan: vault.olderThan.text,
  scanned: 0,
  duplicates: 0,
  stale: [],
  anomalies: [],
  complete,
  outOfTime: false,
  error,
  nextMarker: undefined,
  pages: 0,
});

/**
 * One ListTagsForVault per vault per run, before any upload is listed: a vault tagged
 * `glacier-sweeper=skip` is never listed nor touched. A vault whose tags cannot be read is a vault
 * error: unsure whether it carries the tag, the sweep stays out of it.
 */
async function skipTagCheck(api: VaultApi, vault: VaultTarget): Promise<VaultSurvey | undefined> {
  let tags: Readonly<Record<string, string>>;
  try {
    tags = await api.listVaultTags(vault.name);
  } catch (error) {
    // Cut by the hard stop: out of time (planComplete false), not an error.
    if (isCancellation(error)) return { ...emptySurvey(vault, false, null), outOfTime: true };
    return emptySurvey(vault, false, errorSummary(error));
  }
  return hasSkipTag(tags) ? { ...emptySurvey(vault, true, null), skippedByTag: true } : undefined;
}

/** 2. The oldest stale uploads of the run not measured yet, within max-list-parts and the planning time. */
async function measureTheRest(
  run: Run,
  surveys: readonly VaultSurvey[],
  early: Early,
): Promise<Measurement[]> {
  const rest = planMeasurements(candidatesOf(surveys), run.input.settings.maxListParts, early.refs);
  return Promise.all([...early.done, ...rest.measure.map((ref) => run.measurer.measure(ref))]);
}

/** What the plan decided, and the rows the report is made of. */
interface Decided {
  readonly plan: AbortPlan;
  readonly rows: StaleRow[];
  readonly rowByKey: Map<string, StaleRow>;
  readonly tell: (row: StaleRow) => void;
}

/**
 * 3. Judge and pick: the oldest eligible uploads of the whole run, up to max-aborts. Logs the plan, and
 * the outcome of every upload the plan settles (all of them in report mode).
 */
function decide(run: Run, surveys: readonly VaultSurvey[], measurements: readonly Measurement[]): Decided {
  const { input, quietPeriod, action } = run;
  const { observer } = input;
  const requireIdle = quietPeriod !== undefined;
  const judged = judgeCandidates(candidatesOf(surveys), measurements, quietPeriod, input.clock());
  const plan = planAborts(judged, { maxAborts: input.settings.maxAborts, requireIdle });
  const rows = planRows(surveys, judged, plan, { action, requireIdle });
  const measuredBy = groupByVault(measurements);
  observer?.planned?.({
    vaults: surveys.length,
    stale: rows.length,
    measured: measurements.filter((m) => m.parts !== undefined).length,
    eligible: plan.eligible,
    wouldAbort: plan.picks.length,
    capped: plan.capped,
    planComplete: surveys.every((survey) => vaultPlanComplete(survey, measuredBy.get(survey.vault) ?? [])),
    planningMs: input.clock() - run.start,
  });
  const tell = (row: StaleRow) =>
    observer?.staleUpload?.({
      ...row.entry,
      vault: row.survey.vault,
      olderThan: row.survey.olderThan,
      ...(row.reason ? { reason: row.reason } : {}),
    });
  // Outcomes the plan decides are final now; the picks' wait for their abort.
  const picked = new Set(plan.picks.map(refKey));
  for (const row of rows) if (action === 'report' || !picked.has(refKey(row.judged))) tell(row);
  return { plan, rows, rowByKey: new Map(rows.map((row) => [refKey(row.judged), row])), tell };
}

/** 4. Abort mode: the picks, oldest first, each checked again right before its abort. */
async function actOnPicks(run: Run, decided: Decided): Promise<void> {
  const { input, ports } = run;
  const { plan, rowByKey, tell } = decided;
  if (plan.picks.length === 0) return;
  await act(
    {
      picks: plan.picks,
      maxAborts: input.settings.maxAborts,
      deadline: input.deadline,
      limits: run.limits,
      quietPeriod: run.quietPeriod,
    },
    {
      ...ports,
      observer: {
        ...ports.observer,
        abortStarting: ({ vault, uploadId }) => {
          const row = rowByKey.get(refKey({ vault, uploadId }));
          const { createdAt = '', ageHours = 0 } = row?.entry ?? {};
          input.observer?.abortStarting?.({ vault, uploadId, createdAt, ageHours });
        },
        settled: (outcome) => {
          const row = rowByKey.get(refKey(outcome));
          if (row === undefined) return;
          settleFromAct(row, outcome);
          tell(row);
        },
      },
    },
  );
}

function runReport(
  run: Run,
  surveys: readonly VaultSurvey[],
  measurements: readonly Measurement[],
  decided: Decided,
  listError: string | undefined,
): SweepReport {
  const { input } = run;
  const rowsBy = groupByVault(decided.rows.map((row) => ({ vault: row.survey.vault, row })));
  const measuredBy = groupByVault(measurements);
  const vaults = surveys.map((survey) =>
    vaultReportOf(
      survey,
      (rowsBy.get(survey.vault) ?? []).map((r) => r.row),
      measuredBy.get(survey.vault) ?? [],
    ),
  );
  for (const report of vaults) input.observer?.vaultDone?.(report);
  if (listError !== undefined) vaults.unshift(failedListingReport(input.settings, listError));
  return {
    runId: input.runId,
    startedAt: new Date(run.start).toISOString(),
    finishedAt: new Date(input.clock()).toISOString(),
    region: input.region,
    action: run.action,
    olderThan: input.settings.olderThan.text,
    complete: vaults.every((vault) => vault.complete),
    planComplete: vaults.every((vault) => vault.planComplete),
    capped: decided.plan.capped,
    totals: totalsOf(vaults),
    vaults,
  };
}

function groupByVault<T extends { readonly vault: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.vault);
    if (group) group.push(item);
    else groups.set(item.vault, [item]);
  }
  return groups;
}
