import type { ActivityVerdict, PartsFingerprint, UploadHistory } from './activity';

/**
 * The plan of a run, pure: which stale uploads to measure and which to abort, in which order. Every
 * value in and out is plain data (no Maps, no functions), so a plan can be made in one Step Functions
 * state from what others surveyed, and carried out in another.
 */

/** One upload of the run. The same upload id in two vaults is two uploads. */
export interface UploadRef {
  readonly vault: string;
  readonly uploadId: string;
  /** CreationDate, epoch ms: the plan's order. */
  readonly createdMs: number;
}

/** A stale upload as the survey judged it. */
export interface Candidate extends UploadRef {
  /** Matched `exclude`: never measured, never aborted. */
  readonly excluded: boolean;
}

/** A candidate with what measuring it taught the run. */
export interface Judged extends Candidate {
  /** What ListParts showed; undefined when the upload was not measured. */
  readonly parts?: PartsFingerprint | undefined;
  /** Epoch ms the parts listing ended. */
  readonly measuredAt?: number | undefined;
  /** Set when `quiet-period` is: whether the upload is proven idle. Unset: age alone decides. */
  readonly activity?: ActivityVerdict | undefined;
  /** The history record this run stored for it (the next conditional write expects it). */
  readonly history?: UploadHistory | undefined;
}

/**
 * Oldest first; equal creation times by vault name, then upload id, so that two runs over the same
 * uploads make the same plan whatever order the listings came in.
 */
export function oldestFirst(a: UploadRef, b: UploadRef): number {
  if (a.createdMs !== b.createdMs) return a.createdMs - b.createdMs;
  if (a.vault !== b.vault) return a.vault < b.vault ? -1 : 1;
  if (a.uploadId !== b.uploadId) return a.uploadId < b.uploadId ? -1 : 1;
  return 0;
}

/** `vault` + `uploadId`, for sets and lookups; NUL cannot occur in a vault name. */
export const refKey = (ref: { readonly vault: string; readonly uploadId: string }): string =>
  `${ref.vault}\u0000${ref.uploadId}`;

/**
 * Each upload once, in the order given. A listing may repeat an id (within a page, across pages, or
 * across the chunks of a vault listed over several invocations): the first entry is the one that
 * counts, eligible or not, as the survey judges only the first.
 */
function distinct<T extends UploadRef>(uploads: readonly T[]): T[] {
  const seen = new Set<string>();
  const first: T[] = [];
  for (const upload of uploads) {
    const key = refKey(upload);
    if (seen.has(key)) continue;
    seen.add(key);
    first.push(upload);
  }
  return first;
}

/** Each upload once, in plan order. */
const distinctOldestFirst = <T extends UploadRef>(uploads: readonly T[]): T[] =>
  distinct(uploads).sort(oldestFirst);

export interface MeasurePlan {
  /** What to measure with ListParts, oldest first: never an excluded upload, never one already started. */
  readonly measure: UploadRef[];
  /** Uploads left unmeasured by `max-list-parts`. */
  readonly beyondBound: number;
}

/**
 * The oldest stale uploads that may be measured (excluded ones are never touched), as many as
 * `maxListParts` allows once the measurements `started` already (while listing went on) are counted.
 * With nothing started, that is exactly the oldest `maxListParts`.
 */
export function planMeasurements(
  candidates: readonly Candidate[],
  maxListParts: number,
  started: readonly UploadRef[] = [],
): MeasurePlan {
  const already = new Set(started.map(refKey));
  const rest = distinctOldestFirst(candidates).filter((c) => !c.excluded && !already.has(refKey(c)));
  const take = Math.max(0, Math.min(rest.length, maxListParts - started.length));
  return {
    measure: rest.slice(0, take).map(({ vault, uploadId, createdMs }) => ({ vault, uploadId, createdMs })),
    beyondBound: rest.length - take,
  };
}

/**
 * Whether the uploads of one more page may be measured while listing goes on: only while everything
 * the run has found to measure fits in `max-list-parts`, because then the plan would measure all of
 * it anyway and the order does not matter. Once a run finds more, it waits for the whole listing and
 * measures the rest of the bound oldest first (`planMeasurements` with what was started).
 */
export function mayMeasureEarly(foundSoFar: number, onThisPage: number, maxListParts: number): boolean {
  return foundSoFar + onThisPage <= maxListParts;
}

export interface AbortRules {
  /** `max-aborts`: most aborts in the run. */
  readonly maxAborts: number;
  /** `quiet-period` is set: an upload must also be proven idle (`activity.idle`). */
  readonly requireIdle: boolean;
}

export interface AbortPlan {
  /** What abort mode aborts, oldest first: the oldest eligible uploads, at most `max-aborts`. */
  readonly picks: Judged[];
  /** Uploads eligible for an abort, picked or not. */
  readonly eligible: number;
  /** More uploads were eligible than `max-aborts` allows. */
  readonly capped: boolean;
}

/** Eligible: not excluded and, with `quiet-period`, proven idle. Anything unknown is not eligible. */
export function isEligible(upload: Judged, rules: Pick<AbortRules, 'requireIdle'>): boolean {
  if (upload.excluded) return false;
  return !rules.requireIdle || upload.activity?.idle === true;
}

/**
 * The oldest eligible uploads of the whole run, up to `max-aborts`. The same plan is the preview in
 * report mode (`wouldAbort`) and the work in abort mode, so the preview is what abort mode does.
 */
export function planAborts(judged: readonly Judged[], rules: AbortRules): AbortPlan {
  const oldest = new OldestEligible<Judged>(rules.maxAborts);
  for (const upload of distinct(judged)) oldest.offer(upload, isEligible(upload, rules));
  return oldest.plan();
}

/**
 * The abort plan fed one upload at a time, for a run too large to hold: the oldest `maxAborts` of the
 * eligible uploads offered, in a bounded max-heap (by {@link oldestFirst}), so memory holds
 * `maxAborts` entries however many uploads the run has. `planAborts` is this over a whole list; fleet
 * mode's Select offers every vault's candidates of every target to one of these (each upload once:
 * the caller removes repeats, as `planAborts` does). Ties fall as in `planAborts`, so the same uploads
 * make the same plan whichever way they are fed.
 */
export class OldestEligible<T extends UploadRef> {
  /** The newest kept at the root: it is the one an older upload replaces. */
  private readonly heap: T[] = [];
  private eligible = 0;

  constructor(private readonly maxAborts: number) {}

  /** Offers one upload; only an eligible one (`isEligible`) can be picked. */
  offer(upload: T, eligible: boolean): void {
    if (!eligible) return;
    this.eligible += 1;
    const heap = this.heap;
    if (heap.length < this.maxAborts) {
      heap.push(upload);
      this.siftUp(heap.length - 1);
    } else if (heap.length > 0 && oldestFirst(upload, heap[0] as T) < 0) {
      heap[0] = upload;
      this.siftDown(0);
    }
  }

  /** The picks so far, oldest first, with the eligible count and whether `max-aborts` cut them. */
  plan(): { picks: T[]; eligible: number; capped: boolean } {
    const picks = [...this.heap].sort(oldestFirst);
    return { picks, eligible: this.eligible, capped: this.eligible > picks.length };
  }

  private newer(i: number, j: number): boolean {
    return oldestFirst(this.heap[i] as T, this.heap[j] as T) > 0;
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    [heap[i], heap[j]] = [heap[j] as T, heap[i] as T];
  }

  private siftUp(from: number): void {
    for (let at = from; at > 0; ) {
      const parent = (at - 1) >> 1;
      if (!this.newer(at, parent)) return;
      this.swap(at, parent);
      at = parent;
    }
  }

  private siftDown(from: number): void {
    const size = this.heap.length;
    for (let at = from; ; ) {
      let newest = at;
      for (const child of [2 * at + 1, 2 * at + 2])
        if (child < size && this.newer(child, newest)) newest = child;
      if (newest === at) return;
      this.swap(at, newest);
      at = newest;
    }
  }
}

/**
 * Planning takes this share of the time to the deadline; the rest is kept for acting. Listing, whose
 * length grows with the vaults, stops at `LISTING_SHARE` so that measuring, bounded by
 * `max-list-parts`, still has its slice (with `quiet-period` an unmeasured upload cannot be aborted).
 *
 * Chosen by measurement (BENCHMARKS.md, "Plan, then act"): acting on 500 picks at 25 ms a request took
 * 0.5 to 1.0 s with the default 32 in flight (1.2 to 2.0 ms a pick, CPU-bound on the bench machine),
 * so the default `max-aborts` of 1,000 needs about 2 s, and about 5 s at 100 ms a request; planning
 * the same run took 0.8 to 2.1 s, and listing alone grows without bound with the vaults (the L
 * bench's one vault of 1,000 pages: about 20 s at 10 ms). 15 % of the shortest budget the stack
 * allows (a 1-minute timeout: 48 s to the deadline) is 7 s for acting, and another 7 s for measuring
 * the default 2,000 part listings; in the default 10-minute function each slice is 76 s.
 */
export const LISTING_SHARE = 0.7;
export const PLANNING_SHARE = 0.85;

export interface PlanningTimes {
  /** No page request starts at or after this (epoch ms). */
  readonly listUntil: number;
  /** No part listing starts at or after this. */
  readonly planUntil: number;
}

/** The planning stops of a run that starts at `start` and must start no work at or after `deadline`. */
export function planningTimes(start: number, deadline: number): PlanningTimes {
  if (!Number.isFinite(deadline)) return { listUntil: deadline, planUntil: deadline };
  const span = Math.max(0, deadline - start);
  return { listUntil: start + span * LISTING_SHARE, planUntil: start + span * PLANNING_SHARE };
}
