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
import { errorSummary, isCancellation } from './errors';
import { createScheduler, type ScheduleLimits } from './limit';
import { type Candidate, type Judged, refKey, type UploadRef } from './plan';
import type { Clock, VaultApi } from './types';

/**
 * Carrying out the measuring half of a plan: ListParts for each upload the plan names, and, with
 * `quiet-period`, the upload's history read and written. Report mode and abort mode do exactly the
 * same here, so a week of report runs leaves the history an abort run needs.
 */

/** `quiet-period` as plain data: how long an upload must be quiet, and where its history is keyed. */
export interface QuietPeriod {
  readonly quietPeriodMs: number;
  /** The vault owner account and the region: with vault and upload id they make the state key. */
  readonly account: string;
  readonly region: string;
  /**
   * Fleet mode: the run, recorded with each history it writes. A fleet run can outlast the quiet
   * period, so a record its own run wrote never proves an upload idle.
   */
  readonly runId?: string | undefined;
}

/** The ports measuring needs: passed in, never part of the data. */
export interface MeasurePorts {
  readonly api: VaultApi;
  /** Upload history; required with `quiet-period` (without a readable one nothing is ever idle). */
  readonly state?: StateStore | undefined;
  readonly clock: Clock;
  readonly observer?: MeasureObserver | undefined;
}

export interface MeasureObserver {
  /** Something went wrong that changes no outcome by itself (a part listing or a state write failed). */
  warning?(event: { vault: string; uploadId: string; message: string }): void;
}

export interface MeasureSettings {
  /** No part listing starts at or after this (epoch ms). */
  readonly deadline: number;
  readonly limits: ScheduleLimits;
  readonly quietPeriod?: QuietPeriod | undefined;
}

export interface MeasureInput extends MeasureSettings {
  /** The plan's `measure` list, oldest first. */
  readonly uploads: readonly UploadRef[];
}

/** What measuring one upload found. Plain data. */
export interface Measurement {
  readonly vault: string;
  readonly uploadId: string;
  /** Undefined when the parts were not listed (`unmeasured` says why). */
  readonly parts?: PartsFingerprint | undefined;
  readonly measuredAt?: number | undefined;
  /** Only with `quiet-period`. */
  readonly activity?: ActivityVerdict | undefined;
  /** The history this run stored (with `quiet-period`), for a later conditional write. */
  readonly history?: UploadHistory | undefined;
  /** `time`: not started before the deadline; `cancelled`: cut by the hard stop; `failed`: ListParts failed. */
  readonly unmeasured?: 'time' | 'cancelled' | 'failed' | undefined;
}

export const TIME_BEFORE_MEASURE = 'time budget for planning ran out before its parts were listed';
export const CANCELLED_WHILE_MEASURING = 'time budget ran out while its parts were listed';

/** Measures every upload of the list, oldest first, within the limits; never throws. */
export function measureUploads(input: MeasureInput, ports: MeasurePorts): Promise<Measurement[]> {
  const measurer = createMeasurer(input, ports);
  return Promise.all(input.uploads.map((upload) => measurer.measure(upload)));
}

export interface Measurer {
  /** Queues one upload; measurements start in the order queued, within the limits. Never rejects. */
  measure(upload: UploadRef): Promise<Measurement>;
}

/** A measuring queue that takes uploads as they are found (while listing goes on) and after. */
export function createMeasurer(settings: MeasureSettings, ports: MeasurePorts): Measurer {
  const scheduler = createScheduler(
    settings.limits,
    (upload: UploadRef) => upload.vault,
    (upload) => measureOne(upload, settings, ports),
  );
  return { measure: (upload) => scheduler.add(upload) };
}

/** The activity verdict of an upload whose parts were not listed this run: nothing is proven. */
export function unmeasuredVerdict(quietPeriodMs: number, now: number, reason?: string): ActivityVerdict {
  const verdict = judgeActivity(undefined, undefined, quietPeriodMs, now);
  return reason === undefined || verdict.idle ? verdict : { ...verdict, reason };
}

async function measureOne(
  upload: UploadRef,
  input: MeasureSettings,
  ports: MeasurePorts,
): Promise<Measurement> {
  const { api, clock } = ports;
  const { vault, uploadId } = upload;
  const quiet = input.quietPeriod;
  if (clock() >= input.deadline) {
    return {
      vault,
      uploadId,
      unmeasured: 'time',
      ...(quiet ? { activity: unmeasuredVerdict(quiet.quietPeriodMs, clock(), TIME_BEFORE_MEASURE) } : {}),
    };
  }
  let parts: PartsFingerprint;
  try {
    parts = await measureUpload(api, vault, uploadId);
  } catch (error) {
    if (isCancellation(error)) {
      // Unmeasured, and no history is read or written: a partial listing proves nothing either way.
      return {
        vault,
        uploadId,
        unmeasured: 'cancelled',
        ...(quiet
          ? { activity: unmeasuredVerdict(quiet.quietPeriodMs, clock(), CANCELLED_WHILE_MEASURING) }
          : {}),
      };
    }
    ports.observer?.warning?.({
      vault,
      uploadId,
      message: `parts could not be listed: ${errorSummary(error)}`,
    });
    return {
      vault,
      uploadId,
      unmeasured: 'failed',
      ...(quiet ? { activity: unmeasuredVerdict(quiet.quietPeriodMs, clock()) } : {}),
    };
  }
  const measuredAt = clock();
  if (!quiet) return { vault, uploadId, parts, measuredAt };
  const { activity, history } = await checkActivity(upload, parts, quiet, ports);
  return { vault, uploadId, parts, measuredAt, activity, history };
}

/**
 * Reads and updates the upload's history; decides whether it has been idle for the quiet period.
 * Without a readable history nothing is proven, so the verdict is "not idle".
 */
export async function checkActivity(
  upload: { readonly vault: string; readonly uploadId: string },
  observed: PartsFingerprint,
  quiet: QuietPeriod,
  ports: MeasurePorts,
): Promise<{ activity: ActivityVerdict; history: UploadHistory | undefined }> {
  const { clock } = ports;
  const key = stateKey(quiet.account, quiet.region, upload.vault, upload.uploadId);
  let stored: UploadHistory | undefined;
  try {
    if (ports.state === undefined) throw new Error('no state table is configured (SWEEPER_STATE_TABLE)');
    stored = await ports.state.get(key);
  } catch (stateError) {
    return {
      activity: {
        idle: false,
        eligibleAt: clock() + quiet.quietPeriodMs,
        reason: `state could not be read: ${errorSummary(stateError)}`,
      },
      history: undefined,
    };
  }
  const now = clock();
  const activity = judgeActivity(stored, observed, quiet.quietPeriodMs, now, quiet.runId);
  const next = nextHistory(stored, observed, now, quiet.runId);
  try {
    await ports.state.put(key, next, stored);
  } catch (stateError) {
    ports.observer?.warning?.({
      vault: upload.vault,
      uploadId: upload.uploadId,
      message: `state could not be written: ${errorSummary(stateError)}`,
    });
    return { activity, history: stored };
  }
  return { activity, history: next };
}

/**
 * Each candidate with what measuring found. With `quiet-period`, an upload the plan did not measure
 * (past `max-list-parts`) gets the verdict "activity unknown": it cannot be proven idle this run.
 */
export function judgeCandidates(
  candidates: readonly Candidate[],
  measurements: readonly Measurement[],
  quietPeriod: QuietPeriod | undefined,
  now: number,
): Judged[] {
  const byKey = new Map(measurements.map((m) => [refKey(m), m]));
  return candidates.map((candidate) => {
    const m = byKey.get(refKey(candidate));
    if (m !== undefined)
      return {
        ...candidate,
        parts: m.parts,
        measuredAt: m.measuredAt,
        activity: m.activity,
        history: m.history,
      };
    if (quietPeriod !== undefined && !candidate.excluded)
      return { ...candidate, activity: unmeasuredVerdict(quietPeriod.quietPeriodMs, now) };
    return candidate;
  });
}
