import type { Context } from 'aws-lambda';
import { DynamoStateStore } from '../adapters/dynamodb-state';
import { GlacierVaultApi } from '../adapters/glacier';
import { type ActOutcome, act, TIME_BEFORE_ABORT } from '../core/act';
import { errorSummary } from '../core/errors';
import { mayAbortIn } from '../core/fleet-settings';
import type { Pick, PickOutcome, TargetPicks } from '../core/fleet-types';
import type { Judged, UploadRef } from '../core/plan';
import type { SweepSettings } from '../core/types';
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

/** A target's picks are carried out one at a time, in order, so the cursor says what is done. */
const ONE_AT_A_TIME = { concurrency: 1, perKey: 1 };

function thresholdOf(settings: SweepSettings, vault: string): number | undefined {
  if (settings.vaults === '*') return settings.olderThan.ms;
  return settings.vaults.find((v) => v.name === vault)?.olderThan.ms;
}

/** A pick as the plan's `act` takes it: the parts Survey saw are what an abort must still find. */
const judged = (pick: Pick): Judged => ({
  vault: pick.vault,
  uploadId: pick.uploadId,
  createdMs: pick.createdMs,
  excluded: false,
  parts:
    pick.fingerprint === null
      ? undefined
      : { fingerprint: pick.fingerprint, partCount: pick.partCount ?? 0, bytes: pick.bytes ?? 0 },
});

const pickOutcome = ({ vault, uploadId, outcome, reason, eligibleAt }: ActOutcome): PickOutcome => ({
  vault,
  uploadId,
  outcome,
  ...(reason === undefined ? {} : { reason }),
  ...(eligibleAt === undefined ? {} : { eligibleAt: new Date(eligibleAt).toISOString() }),
});

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
  const intentKey = (upload: UploadRef) => keys.intent(runId, account, region, upload.vault, upload.uploadId);
  const byId = new Map(batch.map((pick) => [intentKey(pick), pick]));

  /** The batch's outcomes up to the first pick the time did not reach; those wait for the next call. */
  const carryOut = async (
    picks: readonly Pick[],
  ): Promise<{ outcomes: PickOutcome[]; goneVaults: string[] }> => {
    if (reportOnly !== undefined)
      return {
        outcomes: picks.map((pick) => pickOutcome({ ...pick, outcome: 'reported', reason: reportOnly })),
        goneVaults: [],
      };
    const api = new GlacierVaultApi(await deps.clients.spokes.glacier({ account, region }, runId), '-');
    const quiet = settings.sweep.quietPeriod;
    const outcomes = await act(
      {
        picks: picks.map(judged),
        maxAborts: picks.length,
        deadline: deps.clock() + Math.max(0, remainingMs() - RESERVE_MS),
        limits: ONE_AT_A_TIME,
        quietPeriod: quiet === undefined ? undefined : { quietPeriodMs: quiet.ms, account, region, runId },
        recheck: {
          olderThanMs: (vault) => thresholdOf(settings.sweep, vault),
          exclude: settings.sweep.exclude,
        },
      },
      {
        api,
        clock: deps.clock,
        // The upload history: a change found here restarts the quiet period, an abort deletes it.
        state:
          runtime.stateTable === undefined
            ? undefined
            : new DynamoStateStore(deps.clients.dynamodb, runtime.stateTable),
        intents: {
          has: (upload) => intentKeys.has(intentKey(upload)),
          record: async (upload) => {
            await deps.store.put(intentKey(upload), {
              vault: upload.vault,
              uploadId: upload.uploadId,
              at: deps.clock(),
            });
            intentKeys.add(intentKey(upload));
          },
        },
        observer: {
          abortStarting: (upload) =>
            logger.info('aborting upload', {
              runId,
              account,
              region,
              vault: upload.vault,
              uploadId: upload.uploadId,
              createdAt: byId.get(intentKey(upload))?.createdAt,
            }),
          // A history write or delete that failed: no outcome changes, the log says so.
          warning: (event) => logger.warn('upload history not updated', { runId, account, region, ...event }),
        },
      },
    );
    const reached = outcomes.findIndex((outcome) => outcome.reason === TIME_BEFORE_ABORT);
    const done = reached === -1 ? outcomes : outcomes.slice(0, reached);
    return {
      outcomes: done.map(pickOutcome),
      goneVaults: [...new Set(done.filter((outcome) => outcome.vaultGone).map((outcome) => outcome.vault))],
    };
  };
  const result = await carryOut(batch);
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
