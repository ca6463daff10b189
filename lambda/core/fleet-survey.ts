import type { StateStore } from './activity';
import type { Candidate } from './fleet-types';
import {
  judgeCandidates,
  type MeasureObserver,
  type MeasurePorts,
  measureUploads,
  type QuietPeriod,
} from './measure';
import type { Pattern } from './pattern';
import { isEligible, type Judged, LISTING_SHARE, planMeasurements } from './plan';
import { candidatesOf, type StaleFound, surveyVault, type VaultSurvey } from './survey';
import type { Clock, VaultApi, VaultTarget } from './types';

/**
 * One worker invocation of fleet mode: the single-account run's plan step for one stretch of one
 * vault's marker chain. It lists from the marker (`surveyVault`) until its budget, measures the oldest
 * stale uploads it found within `max-list-parts` (`planMeasurements`, `measureUploads`, with the
 * history keyed by account and region and recording the run), and judges each with the plan's
 * `isEligible`. It aborts nothing: Select and Act do, for the whole run.
 */

export interface ChunkInput {
  readonly api: VaultApi;
  readonly vault: VaultTarget;
  readonly exclude: Pattern | undefined;
  readonly clock: Clock;
  /** No request starts at or after this (epoch ms): the worker's time budget. */
  readonly deadline: number;
  /** Most pages this invocation lists: the page budget. */
  readonly maxPages: number;
  /** `max-list-parts`, per worker invocation. */
  readonly maxListParts: number;
  readonly measureConcurrency: number;
  /** With `quiet-period`: its length, the target, and the run (`runId`). */
  readonly quietPeriod?: QuietPeriod | undefined;
  /** The upload history; without one nothing is proven idle. */
  readonly state?: StateStore | undefined;
  readonly startMarker?: string | undefined;
  /**
   * Upload ids earlier invocations of this pass listed: not counted or judged again. The set is the
   * caller's to give up: the survey adds this invocation's ids to it (no copy of what may be a
   * million ids is made).
   */
  readonly seen?: Set<string> | undefined;
  /** Told of a part listing or a history write that failed (no outcome changes by itself). */
  readonly observer?: MeasureObserver | undefined;
}

export interface ChunkSurvey {
  /** The listing: counts, where it stopped, and why. */
  readonly survey: VaultSurvey;
  /** The ids this invocation listed first (fresh ones too), for the next invocation's `seen`. */
  readonly ids: string[];
  /** Every stale upload listed, oldest first, as Select and the report take it. */
  readonly candidates: Candidate[];
}

export async function surveyChunk(input: ChunkInput): Promise<ChunkSurvey> {
  const { clock, quietPeriod } = input;
  const start = clock();
  // Listing stops at the plan's listing share of the budget, so measuring keeps its slice.
  const listUntil = start + Math.max(0, input.deadline - start) * LISTING_SHARE;
  const seen = input.seen ?? new Set<string>();
  const before = seen.size;
  const survey = await surveyVault({
    api: input.api,
    vault: input.vault,
    exclude: input.exclude,
    clock,
    deadline: listUntil,
    startMarker: input.startMarker,
    maxPages: input.maxPages,
    seen,
  });
  // A Set iterates in insertion order: what this invocation listed comes after what it was given.
  const ids: string[] = [];
  let at = 0;
  for (const id of seen) if (at++ >= before) ids.push(id);
  const refs = candidatesOf([survey]);
  const { measure } = planMeasurements(refs, input.maxListParts);
  const limit = Math.max(1, input.measureConcurrency);
  const ports: MeasurePorts = { api: input.api, state: input.state, clock, observer: input.observer };
  const measurements = await measureUploads(
    {
      uploads: measure,
      deadline: input.deadline,
      limits: { concurrency: limit, perKey: limit },
      quietPeriod,
    },
    ports,
  );
  const judged = judgeCandidates(refs, measurements, quietPeriod, clock());
  const rules = { requireIdle: quietPeriod !== undefined };
  const candidates = survey.stale
    .map((found, i) => candidateOf(found, judged[i] as Judged, rules))
    .sort((a, b) => a.createdMs - b.createdMs || (a.uploadId < b.uploadId ? -1 : 1));
  return { survey, ids, candidates };
}

function candidateOf(found: StaleFound, judged: Judged, rules: { requireIdle: boolean }): Candidate {
  const { excluded, ...listed } = found;
  const measured = {
    bytesUploaded: judged.parts?.bytes ?? null,
    partCount: judged.parts?.partCount ?? null,
    fingerprint: judged.parts?.fingerprint ?? null,
  };
  if (excluded) return { ...listed, ...measured, verdict: 'skipped', reason: 'matched exclude' };
  if (isEligible(judged, rules)) return { ...listed, ...measured, verdict: 'eligible' };
  const activity = judged.activity;
  return {
    ...listed,
    ...measured,
    verdict: 'pending',
    ...(activity !== undefined && !activity.idle
      ? { eligibleAt: new Date(activity.eligibleAt).toISOString(), reason: activity.reason }
      : {}),
  };
}
