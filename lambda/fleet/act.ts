import type { Context } from 'aws-lambda';
import { GlacierVaultApi } from '../adapters/glacier';
import { errorSummary } from '../core/errors';
import { actOnPicks } from '../core/fleet-act';
import { mayAbortIn } from '../core/fleet-settings';
import type { Pick, PickOutcome, TargetPicks } from '../core/fleet-types';
import { cleaningLogger } from '../run';
import {
  ACT_BATCH,
  type CaughtError,
  caughtSummary,
  type FleetDeps,
  fleetDependencies,
  fleetRuntime,
  parseRaw,
  readFleetParameters,
} from './deps';
import { keys } from './keys';
import { loadPlan } from './plan-record';

export interface ActEvent {
  readonly runId: string;
  readonly account: string;
  readonly region: string;
  /** Index of the next pick; null ends the Choice loop. */
  readonly cursor: number | null;
  readonly failure?: CaughtError;
}

export interface ActResult {
  readonly runId: string;
  readonly account: string;
  readonly region: string;
  readonly cursor: number | null;
}

/** `outcomes/<cursor>.json`: what one Act invocation did, written before it hands its cursor back. */
export interface OutcomesRecord {
  readonly outcomes: PickOutcome[];
  readonly goneVaults: string[];
}

const RESERVE_MS = 15_000;

/**
 * Act, per target with picks: re-reads the settings first (`action` no longer `abort` turns every pick
 * into `reported`: the kill switch; `exclude` and thresholds apply again), reads picks only from its
 * own execution's prefix, and carries out a batch of them from the cursor with re-checks.
 */
export async function runAct(
  event: ActEvent,
  deps: FleetDeps,
  remainingMs: () => number,
): Promise<ActResult> {
  const { runId, account, region } = event;
  const logger = cleaningLogger(deps.logger);
  if (event.failure !== undefined) {
    await deps.store.put(keys.actError(runId, account, region), { error: caughtSummary(event.failure) });
    return { runId, account, region, cursor: null };
  }
  const cursor = event.cursor ?? 0;
  const runtime = fleetRuntime(deps.env);
  const { plan } = await loadPlan(deps, runtime, runId);
  const file = await deps.store.get<TargetPicks>(keys.picks(runId, account, region));
  const all: readonly Pick[] = file?.picks ?? [];
  const batch = all.slice(cursor, cursor + ACT_BATCH);
  let reportOnly: string | undefined;
  let settings: ReturnType<typeof parseRaw>;
  try {
    settings = parseRaw(await readFleetParameters(deps, runtime.prefix), runtime);
  } catch (error) {
    // The settings as they are now cannot be read or are invalid: nothing is aborted on the old ones.
    settings = parseRaw(plan.raw, runtime);
    reportOnly = `the settings could not be read again before the aborts: ${errorSummary(error)}`;
  }
  if (reportOnly === undefined && settings.sweep.action !== 'abort')
    reportOnly = 'action is no longer abort (switched between Survey and Act)';
  if (reportOnly === undefined && plan.forceReport) reportOnly = 'the run was started with action report';
  if (reportOnly === undefined && !mayAbortIn(settings, account))
    reportOnly = 'the account is not in abort-accounts';

  const intentKeys = new Set(await deps.store.list(keys.intentPrefix(runId, account, region)));
  const intentKey = (pick: Pick) => keys.intent(runId, account, region, pick.vault, pick.uploadId);
  const api =
    reportOnly === undefined
      ? new GlacierVaultApi(await deps.clients.spokes.glacier({ account, region }, runId), '-')
      : undefined;
  const result = await actOnPicks({
    api: api ?? ({} as GlacierVaultApi),
    picks: batch,
    settings: settings.sweep,
    reportOnly,
    clock: deps.clock,
    deadline: deps.clock() + Math.max(0, remainingMs() - RESERVE_MS),
    intents: {
      has: (pick) => intentKeys.has(intentKey(pick)),
      record: async (pick) => {
        await deps.store.put(intentKey(pick), {
          vault: pick.vault,
          uploadId: pick.uploadId,
          at: deps.clock(),
        });
        intentKeys.add(intentKey(pick));
      },
    },
    onAbortStarting: (pick) =>
      logger.info('aborting upload', {
        runId,
        account,
        region,
        vault: pick.vault,
        uploadId: pick.uploadId,
        createdAt: pick.createdAt,
      }),
  });
  for (const outcome of result.outcomes)
    logger[outcome.outcome === 'failed' ? 'error' : 'info']('stale upload', {
      runId,
      account,
      region,
      ...outcome,
    });
  await deps.store.put(keys.outcomes(runId, account, region, cursor), {
    outcomes: result.outcomes,
    goneVaults: result.goneVaults,
  } satisfies OutcomesRecord);
  const next = cursor + result.outcomes.length;
  // No progress at all would loop forever: fail the task instead (the catch records the target's error).
  if (batch.length > 0 && result.outcomes.length === 0)
    throw new Error('no time left to carry out a single pick');
  return { runId, account, region, cursor: next < all.length ? next : null };
}

export const handler = (event: ActEvent, context: Context): Promise<ActResult> =>
  runAct(event, fleetDependencies(), () => context.getRemainingTimeInMillis());
