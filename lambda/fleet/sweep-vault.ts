import type { Context } from 'aws-lambda';
import { DynamoStateStore } from '../adapters/dynamodb-state';
import { GlacierVaultApi } from '../adapters/glacier';
import { isDurationError, parseDuration } from '../core/duration';
import { type ChunkSurvey, surveyChunk } from '../core/fleet-survey';
import type { SurveyChunk, TargetRecord, VaultDone } from '../core/fleet-types';
import { cleaningLogger } from '../run';
import { type CaughtError, caughtSummary, type FleetDeps, fleetDependencies, fleetRuntime } from './deps';
import { keys } from './keys';
import { loadPlan } from './plan-record';
import { idsOfPass } from './run-reader';

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
  const survey = async (startMarker: string | undefined, earlier: number): Promise<ChunkSurvey> =>
    surveyChunk({
      api,
      vault: { name: resolved.name, olderThan },
      exclude: settings.sweep.exclude,
      clock: deps.clock,
      deadline: deps.clock() + Math.max(0, remainingMs() - RESERVE_MS),
      maxPages: runtime.workerMaxPages,
      maxListParts: settings.sweep.maxListParts,
      measureConcurrency: runtime.measureConcurrency,
      // quiet-period without a table: nothing can be proven idle, so everything stays pending.
      quietPeriod: quiet === undefined ? undefined : { quietPeriodMs: quiet.ms, account, region, runId },
      state:
        runtime.stateTable === undefined
          ? undefined
          : new DynamoStateStore(deps.clients.dynamodb, runtime.stateTable, hardStop),
      startMarker,
      observer: {
        warning: (event) =>
          logger.warn('upload not measured or its history not updated', {
            runId,
            account,
            region,
            ...event,
          }),
      },
      // The ids the pass's earlier invocations listed: an upload Glacier lists again across them is
      // one upload, as it is within one invocation.
      seen:
        earlier === 0
          ? undefined
          : await idsOfPass(deps.store, runId, account, region, resolved.name, pass, earlier),
    });
  let found = await survey(event.marker ?? undefined, invocation);
  let restartedNow = false;
  if (found.survey.markerRejected === true && pass === 0) {
    logger.warn('marker rejected on resume: listing the vault again from the first page', {
      runId,
      account,
      region,
      vault: resolved.name,
    });
    pass += 1;
    restartedNow = true;
    found = await survey(undefined, 0);
  }
  const listed = found.survey;
  // Not a page listed, no error, not finished: the budget allows no work at all, and looping on would
  // never end. Fail the task: the catch records the vault's error.
  if (listed.pages === 0 && listed.error === null && !listed.complete)
    throw new Error('no time left to list a single page');
  const chunkInvocation = restartedNow ? 0 : invocation;
  const chunk: SurveyChunk = {
    pass,
    invocation: chunkInvocation,
    scanned: listed.scanned,
    duplicates: listed.duplicates,
    pages: listed.pages,
    candidates: found.candidates,
    anomalies: listed.anomalies,
    ids: found.ids,
  };
  await deps.store.put(keys.chunk(runId, account, region, resolved.name, pass, chunkInvocation), chunk);
  const next = restartedNow ? 1 : invocation + 1;
  logger.info('vault pages listed', {
    runId,
    account,
    region,
    vault: resolved.name,
    pass,
    invocation,
    pages: listed.pages,
    scanned: listed.scanned,
    stale: found.candidates.length,
    done: listed.complete || listed.error !== null,
  });
  if (listed.error !== null) {
    // What was listed before the error counts; the rest of the vault is unknown.
    logger.error('vault listing failed', {
      runId,
      account,
      region,
      vault: resolved.name,
      error: listed.error,
    });
    await done({ complete: false, error: listed.error, pass, invocations: next, restarted: pass > 0 });
    return { ...result(null), invocation: next };
  }
  if (listed.complete) {
    await done({ complete: true, error: null, pass, invocations: next, restarted: pass > 0 });
    return { ...result(null), invocation: next };
  }
  return { ...result(listed.nextMarker ?? null), invocation: next };
}

export const handler = (event: SweepVaultEvent, context: Context): Promise<SweepVaultResult> =>
  runSweepVault(event, fleetDependencies(), () => context.getRemainingTimeInMillis());
