import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivityVerdict } from '../../lambda/core/activity';
import { type Judged, planAborts, planMeasurements } from '../../lambda/core/plan';

/**
 * The plan against an oracle written here from the generated data alone: each upload once (its first
 * entry), the eligible ones (not excluded; with quiet-period, proven idle), sorted by creation time,
 * then vault, then upload id, the first max-aborts of them.
 */

const idle: ActivityVerdict = { idle: true };
const waiting: ActivityVerdict = { idle: false, eligibleAt: 0, reason: 'first seen by this run' };

// Few vaults, ids and creation times: repeated ids and equal creation times are the common case.
const judgedArb: fc.Arbitrary<Judged> = fc.record({
  vault: fc.constantFrom('alpha', 'beta', 'beta2', 'Zeta'),
  uploadId: fc.constantFrom('a', 'b', 'B', 'c', 'aa', 'u-1', 'u-10', 'u-2'),
  createdMs: fc.integer({ min: 0, max: 6 }).map((day) => 1_700_000_000_000 + day * 86_400_000),
  excluded: fc.boolean(),
  activity: fc.constantFrom(undefined, idle, waiting),
});

const key = (u: { vault: string; uploadId: string }) => `${u.vault}/${u.uploadId}`;

function firstEntries(uploads: readonly Judged[]): Judged[] {
  const seen = new Set<string>();
  return uploads.filter((u) => {
    if (seen.has(key(u))) return false;
    seen.add(key(u));
    return true;
  });
}

const byAgeThenName = (a: Judged, b: Judged): number => {
  if (a.createdMs !== b.createdMs) return a.createdMs < b.createdMs ? -1 : 1;
  if (a.vault !== b.vault) return a.vault < b.vault ? -1 : 1;
  return a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0;
};

describe('plan (property)', () => {
  it('picks exactly the oldest eligible uploads up to max-aborts, each once, ties by vault then id', () => {
    fc.assert(
      fc.property(
        fc.array(judgedArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        (uploads, maxAborts, requireIdle) => {
          const plan = planAborts(uploads, { maxAborts, requireIdle });

          const eligible = firstEntries(uploads)
            .filter((u) => !u.excluded && (!requireIdle || u.activity?.idle === true))
            .sort(byAgeThenName);
          expect(plan.picks.map(key)).toEqual(eligible.slice(0, maxAborts).map(key));
          expect(plan.eligible).toBe(eligible.length);
          expect(plan.capped).toBe(eligible.length > maxAborts);

          // Nothing ineligible, nothing twice, whatever the entry the pick came from.
          const firsts = new Map(firstEntries(uploads).map((u) => [key(u), u]));
          for (const pick of plan.picks) {
            const first = firsts.get(key(pick));
            expect(first?.excluded).toBe(false);
            if (requireIdle) expect(first?.activity?.idle).toBe(true);
          }
          expect(new Set(plan.picks.map(key)).size).toBe(plan.picks.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('measures exactly the oldest uploads that are not excluded, up to max-list-parts, counting what started', () => {
    fc.assert(
      fc.property(
        fc.array(judgedArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 5 }),
        (uploads, maxListParts, startedCount) => {
          const measurable = firstEntries(uploads)
            .filter((u) => !u.excluded)
            .sort(byAgeThenName);
          const started = measurable.slice(0, startedCount);
          const plan = planMeasurements(uploads, maxListParts, started);
          const rest = measurable.slice(started.length);
          const budget = Math.max(0, maxListParts - started.length);
          expect(plan.measure.map(key)).toEqual(rest.slice(0, budget).map(key));
          expect(plan.beyondBound).toBe(rest.length - Math.min(rest.length, budget));
          expect(plan.measure.length + started.length).toBeLessThanOrEqual(
            Math.max(maxListParts, started.length),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
