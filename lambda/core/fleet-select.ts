import type { Candidate, Pick } from './fleet-types';

/** A candidate with the place it was found. */
export interface PlacedCandidate {
  readonly account: string;
  readonly region: string;
  readonly vault: string;
  readonly olderThan: string;
  readonly candidate: Candidate;
}

/** Oldest first; ties broken by account, region, vault and upload id, so every run picks the same. */
export function olderFirst(a: PlacedCandidate, b: PlacedCandidate): number {
  return (
    a.candidate.createdMs - b.candidate.createdMs ||
    compare(a.account, b.account) ||
    compare(a.region, b.region) ||
    compare(a.vault, b.vault) ||
    compare(a.candidate.uploadId, b.candidate.uploadId)
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The oldest `k` eligible candidates of the whole run, fed one at a time: a bounded max-heap, so
 * memory holds `k` entries however many candidates the run has. `max-aborts` spends itself on the
 * oldest uploads first, across every account, region and vault.
 */
export class OldestK {
  private readonly heap: PlacedCandidate[] = [];
  /** Eligible candidates offered, picked or not. */
  eligible = 0;

  constructor(readonly k: number) {}

  offer(placed: PlacedCandidate): void {
    if (placed.candidate.verdict !== 'eligible') return;
    this.eligible += 1;
    if (this.k <= 0) return;
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push(placed);
      this.up(heap.length - 1);
      return;
    }
    // The root is the newest kept: replace it when this one is older.
    if (olderFirst(placed, heap[0] as PlacedCandidate) < 0) {
      heap[0] = placed;
      this.down(0);
    }
  }

  /** True when eligible candidates were left out: max-aborts stopped aborts. */
  get capped(): boolean {
    return this.eligible > this.heap.length;
  }

  /** The picks, oldest first. */
  picks(): PlacedCandidate[] {
    return [...this.heap].sort(olderFirst);
  }

  private up(i: number): void {
    const heap = this.heap;
    let at = i;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (olderFirst(heap[at] as PlacedCandidate, heap[parent] as PlacedCandidate) <= 0) return;
      [heap[at], heap[parent]] = [heap[parent] as PlacedCandidate, heap[at] as PlacedCandidate];
      at = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    let at = i;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let newest = at;
      if (
        left < heap.length &&
        olderFirst(heap[left] as PlacedCandidate, heap[newest] as PlacedCandidate) > 0
      )
        newest = left;
      if (
        right < heap.length &&
        olderFirst(heap[right] as PlacedCandidate, heap[newest] as PlacedCandidate) > 0
      )
        newest = right;
      if (newest === at) return;
      [heap[at], heap[newest]] = [heap[newest] as PlacedCandidate, heap[at] as PlacedCandidate];
      at = newest;
    }
  }
}

export function toPick(placed: PlacedCandidate): Pick {
  return {
    vault: placed.vault,
    olderThan: placed.olderThan,
    uploadId: placed.candidate.uploadId,
    createdAt: placed.candidate.createdAt,
    createdMs: placed.candidate.createdMs,
    fingerprint: placed.candidate.fingerprint,
  };
}
