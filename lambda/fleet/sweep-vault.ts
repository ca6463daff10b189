import type { Context } from 'aws-lambda';
import { DynamoStateStore } from '../adapters/dynamodb-state';
import { GlacierVaultApi } from '../adapters/glacier';
import { isDurationError, parseDuration } from '../core/duration';
import { type FleetActivity, surveyVault } from '../core/fleet-survey';
import type { SurveyChunk, TargetRecord, VaultDone } from '../core/fleet-types';
import { cleaningLogger } from '../run';
import { type CaughtError, caughtSummary, type FleetDeps, fleetDependencies, fleetRuntime } from './deps';
import { keys } from './keys';
import { loadPlan } from './plan-record';

/** The worker's state, carried between its invocations by the Choice loop. */
export interface SweepVaultEvent {
  readonly runId: string;
  readonly account: string;
  readonly region: string;
  /** Index into target.json's vaults. */
  readonly index: number;
  /** Where to go on listing; null or absent = the first page. */
  readonly marker?: string | null;
  readonly pass?: number;
  readonly invocation?: number;
  /** Set by the catch: the worker failed after retries; record the vault error. */
  readonly failure?: CaughtError;
}

export interface SweepVaultResult {
  readonly runId: string;
  readonly account: string;
  readonly region: string;
  readonly index: number;
  /** null once the vault is listed to its end: the Choice loop stops there. */
  readonly marker: string | null;
  readonly pass: number;
  readonly invocation: number;
}

/** Kept free at the end of the invocation for the chunk write and the return. */
const RESERVE_MS = 20_000;

/**
 * `sweep(target, vault, marker?, budget)`: lists the vault from the marker until the budget (time,
 * and a page count), judges and measures what it lists, writes the chunk to the run's prefix and
 * returns the next marker. A marker Glacier rejects on resume (InvalidParameterValueException)
 * restarts the vault from the first page once, in a new pass whose chunks replace the first pass's.
 */
export async function runSweepVault(
  event: SweepVaultEvent,
  deps: FleetDeps,
  remainingMs: () => number,
): Promise<SweepVaultResult> {
  const { runId, account, region, index } = event;
  const logger = cleaningLogger(deps.logger);
  let pass = event.pass ?? 0;
  const invocation = event.invocation ?? 0;
  const record = await deps.store.get<TargetRecord>(keys.target(runId, account, region));
  const resolved = record?.vaults[index];
  if (resolved === undefined)
    throw new Error(`run ${runId}: no vault ${index} in target ${account} ${region}`);
  const done = (value: VaultDone) =>
    deps.store.put(keys.vaultDone(runId, account, region, resolved.name), value);
  const result = (marker: string | null): SweepVaultResult => ({
    runId,
    account,
    region,
    index,
    marker,
    pass,
    invocation: invocation + 1,
  });
  if (event.failure !== undefined) {
    const error = caughtSummary(event.failure);
    logger.error('vault worker failed', { runId, account, region, vault: resolved.name, error });
    await done({ complete: false, error, pass, invocations: invocation, restarted: pass > 0 });
    return result(null);
  }
  const runtime = fleetRuntime(deps.env);
  const { settings } = await loadPlan(deps, runtime, runId);
  const olderThan = parseDuration(resolved.olderThan);
  if (isDurationError(olderThan)) throw new Error(`bad threshold ${resolved.olderThan}`);
  const client = await deps.clients.spokes.glacier({ account, region }, runId);
  const hardStop = AbortSignal.timeout(Math.max(1_000, Math.floor(remainingMs() - RESERVE_MS / 2)));
  const api = new GlacierVaultApi(client, '-', hardStop);
  const quiet = settings.sweep.quietPeriod;
  const activity: FleetActivity | undefined =
    quiet === undefined || runtime.stateTable === undefined
      ? undefined
      : {
          quietPeriodMs: quiet.ms,
          state: new DynamoStateStore(deps.clients.dynamodb, runtime.stateTable, hardStop),
          account,
          region,
          runId,
        };
  const survey = (startMarker: string | undefined) =>
    surveyVault({
      api,
      vault: { name: resolved.name, olderThan },
      exclude: settings.sweep.exclude,
      clock: deps.clock,
      deadline: deps.clock() + Math.max(0, remainingMs() - RESERVE_MS),
      maxPages: runtime.workerMaxPages,
      maxListParts: settings.sweep.maxListParts,
      measureConcurrency: runtime.measureConcurrency,
      activity:
        activity ??
        (quiet === undefined
          ? undefined
          : {
              // quiet-period without a table: nothing can be proven idle, so everything stays pending.
              quietPeriodMs: quiet.ms,
              state: {
                get: () => Promise.reject(new Error('no state table (SWEEPER_STATE_TABLE)')),
                put: () => Promise.resolve(),
                delete: () => Promise.resolve(),
              },
              account,
              region,
              runId,
            }),
      startMarker,
    });
  let found: Awaited<ReturnType<typeof surveyVault>>;
  let restartedNow = false;
  try {
    found = await survey(event.marker ?? undefined);
  } catch (error) {
    const rejected =
      error instanceof Error && error.name === 'InvalidParameterValueException' && event.marker != null;
    if (!rejected || pass > 0) throw error;
    logger.warn('marker rejected on resume: listing the vault again from the first page', {
      runId,
      account,
      region,
      vault: resolved.name,
    });
    pass += 1;
    restartedNow = true;
    found = await survey(undefined);
  }
  const chunkInvocation = restartedNow ? 0 : invocation;
  const chunk: SurveyChunk = {
    pass,
    invocation: chunkInvocation,
    scanned: found.scanned,
    duplicates: found.duplicates,
    pages: found.pages,
    candidates: found.candidates,
    anomalies: found.anomalies,
  };
  await deps.store.put(keys.chunk(runId, account, region, resolved.name, pass, chunkInvocation), chunk);
  logger.info('vault pages listed', {
    runId,
    account,
    region,
    vault: resolved.name,
    pass,
    invocation,
    pages: found.pages,
    scanned: found.scanned,
    stale: found.candidates.length,
    done: found.marker === undefined,
  });
  if (found.marker === undefined) {
    await done({ complete: true, error: null, pass, invocations: invocation + 1, restarted: pass > 0 });
    return { ...result(null), invocation: restartedNow ? 1 : invocation + 1 };
  }
  return { ...result(found.marker), invocation: restartedNow ? 1 : invocation + 1 };
}

export const handler = (event: SweepVaultEvent, context: Context): Promise<SweepVaultResult> =>
  runSweepVault(event, fleetDependencies(), () => context.getRemainingTimeInMillis());
