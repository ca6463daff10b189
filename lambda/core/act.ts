import { measureUpload, nextHistory, type PartsFingerprint, stateKey } from './activity';
import { errorSummary, isCancellation } from './errors';
import { runScheduled, type ScheduleLimits } from './limit';
import { CANCELLED_WHILE_MEASURING, type MeasurePorts, type QuietPeriod } from './measure';
import type { Judged } from './plan';

/**
 * Carrying out the abort half of a plan. Time passes between planning and acting (and, in fleet mode,
 * whole Step Functions states), so each pick is checked again right before its abort: the deadline,
 * `max-aborts`, and with `quiet-period` its parts when they were measured a while ago.
 */

/**
 * With `quiet-period`, a pick whose parts were listed longer ago than this is listed again before its
 * abort, and kept (`pending`) if they changed. Five minutes: far below the shortest quiet period (24 h),
 * so an upload that was idle for a day and stays unchanged over the window is no less idle, while a
 * single-account run (planning and acting within one invocation, minutes apart at most) re-lists
 * nothing and the fleet, whose Act state may run long after its Survey, re-lists every pick.
 */
export const REMEASURE_AFTER_MS = 5 * 60_000;

export interface ActInput {
  /** The plan's picks, oldest first. */
  readonly picks: readonly Judged[];
  /** `max-aborts` left for these picks: no more abort requests than this start. */
  readonly maxAborts: number;
  /** No abort starts at or after this (epoch ms). */
  readonly deadline: number;
  readonly limits: ScheduleLimits;
  readonly quietPeriod?: QuietPeriod | undefined;
  /** @default REMEASURE_AFTER_MS */
  readonly remeasureAfterMs?: number | undefined;
}

export interface ActPorts extends MeasurePorts {
  readonly observer?: ActObserver | undefined;
}

export interface ActObserver {
  /** Called just before an abort request is sent: the audit trail records intent before effect. */
  abortStarting?(event: { vault: string; uploadId: string; createdMs: number }): void;
  /** Called when a pick's outcome is final. */
  settled?(outcome: ActOutcome): void;
  warning?(event: { vault: string; uploadId: string; message: string }): void;
}

/** What became of one pick. Plain data. */
export interface ActOutcome {
  readonly vault: string;
  readonly uploadId: string;
  readonly outcome: 'aborted' | 'gone' | 'failed' | 'reported' | 'pending';
  /** Why it was not aborted, or why the abort failed. */
  readonly reason?: string | undefined;
  /** Epoch ms; set for `pending`. */
  readonly eligibleAt?: number | undefined;
  /** Set when the parts were listed again before the abort: what that listing showed. */
  readonly parts?: PartsFingerprint | undefined;
}

export const TIME_BEFORE_ABORT = 'time budget ran out before its abort';
export const MAX_ABORTS_REACHED = 'max-aborts reached';

/**
 * Aborts the picks, oldest first, with bounded concurrency (in total and per vault). Never throws: a
 * failed abort is an outcome. Picks that are not aborted say why.
 */
export async function act(input: ActInput, ports: ActPorts): Promise<ActOutcome[]> {
  let started = 0;
  const takeAbort = (): boolean => {
    if (started >= input.maxAborts) return false;
    started += 1;
    return true;
  };
  return runScheduled(
    input.picks,
    input.limits,
    (pick) => pick.vault,
    async (pick) => {
      const outcome = await actOn(pick, input, ports, takeAbort);
      ports.observer?.settled?.(outcome);
      return outcome;
    },
  );
}

async function actOn(
  pick: Judged,
  input: ActInput,
  ports: ActPorts,
  takeAbort: () => boolean,
): Promise<ActOutcome> {
  const { api, clock, observer } = ports;
  const { vault, uploadId } = pick;
  const kept = (reason: string): ActOutcome => ({ vault, uploadId, outcome: 'reported', reason });
  if (clock() >= input.deadline) return kept(TIME_BEFORE_ABORT);
  let parts: PartsFingerprint | undefined;
  if (input.quietPeriod !== undefined) {
    const recheck = await recheckParts(pick, input.quietPeriod, input, ports);
    if (recheck.kind === 'keep') return recheck.outcome;
    parts = recheck.parts;
    // Listing the parts again took time: the clock is read again right before the abort.
    if (clock() >= input.deadline) return { ...kept(TIME_BEFORE_ABORT), parts };
  }
  if (!takeAbort()) return { ...kept(MAX_ABORTS_REACHED), parts };
  observer?.abortStarting?.({ vault, uploadId, createdMs: pick.createdMs });
  let outcome: 'aborted' | 'gone';
  try {
    outcome = await api.abortUpload(vault, uploadId);
  } catch (error) {
    return { vault, uploadId, outcome: 'failed', reason: errorSummary(error), parts };
  }
  if (input.quietPeriod !== undefined) await forget(pick, input.quietPeriod, ports);
  return { vault, uploadId, outcome, parts };
}

type Recheck = { kind: 'keep'; outcome: ActOutcome } | { kind: 'go'; parts: PartsFingerprint | undefined };

/**
 * With `quiet-period`: a pick measured more than `remeasureAfterMs` ago is measured again. New or
 * re-sent parts since then mean someone is uploading: the pick is kept, and its history records the
 * change so that the quiet period starts again.
 */
async function recheckParts(
  pick: Judged,
  quiet: QuietPeriod,
  input: ActInput,
  ports: ActPorts,
): Promise<Recheck> {
  const { vault, uploadId } = pick;
  const { clock } = ports;
  const window = input.remeasureAfterMs ?? REMEASURE_AFTER_MS;
  if (pick.parts !== undefined && pick.measuredAt !== undefined && clock() - pick.measuredAt <= window)
    return { kind: 'go', parts: undefined };
  const pending = (reason: string, parts?: PartsFingerprint): Recheck => ({
    kind: 'keep',
    outcome: {
      vault,
      uploadId,
      outcome: 'pending',
      reason,
      eligibleAt: clock() + quiet.quietPeriodMs,
      parts,
    },
  });
  let parts: PartsFingerprint;
  try {
    parts = await measureUpload(ports.api, vault, uploadId);
  } catch (error) {
    if (isCancellation(error)) return pending(CANCELLED_WHILE_MEASURING);
    return pending(`parts could not be listed again before its abort: ${errorSummary(error)}`);
  }
  if (pick.parts !== undefined && parts.fingerprint === pick.parts.fingerprint) return { kind: 'go', parts };
  if (ports.state !== undefined) {
    const key = stateKey(quiet.account, quiet.region, vault, uploadId);
    const now = clock();
    try {
      await ports.state.put(key, nextHistory(pick.history, parts, now), pick.history);
    } catch (error) {
      ports.observer?.warning?.({
        vault,
        uploadId,
        message: `state could not be written: ${errorSummary(error)}`,
      });
    }
  }
  return pending('parts changed since they were measured in this run', parts);
}

/** An aborted upload's history is deleted: the id will never be listed again. */
async function forget(pick: Judged, quiet: QuietPeriod, ports: ActPorts): Promise<void> {
  if (ports.state === undefined) return;
  try {
    await ports.state.delete(stateKey(quiet.account, quiet.region, pick.vault, pick.uploadId));
  } catch (error) {
    ports.observer?.warning?.({
      vault: pick.vault,
      uploadId: pick.uploadId,
      message: `state could not be deleted: ${errorSummary(error)}`,
    });
  }
}
