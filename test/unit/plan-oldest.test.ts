import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OldestEligible, oldestFirst, type UploadRef } from '../../lambda/core/plan';

const ref = (vault: string, uploadId: string, createdMs: number): UploadRef => ({
  vault,
  uploadId,
  createdMs,
});

describe('OldestEligible (the abort plan fed one upload at a time)', () => {
  it('keeps the oldest eligible uploads up to max-aborts, oldest first, and counts every eligible one', () => {
    const oldest = new OldestEligible<UploadRef>(2);
    oldest.offer(ref('a', 'u1', 300), true);
    oldest.offer(ref('b', 'u2', 100), true);
    oldest.offer(ref('a', 'u3', 50), false);
    oldest.offer(ref('a', 'u4', 10), false);
    oldest.offer(ref('c', 'u5', 200), true);
    const plan = oldest.plan();
    expect(plan.picks.map((p) => p.uploadId)).toEqual(['u2', 'u5']);
    expect(plan.eligible).toBe(3);
    expect(plan.capped).toBe(true);
  });

  it('is not capped when every eligible upload fits', () => {
    const oldest = new OldestEligible<UploadRef>(5);
    oldest.offer(ref('a', 'u1', 2), true);
    oldest.offer(ref('a', 'u2', 1), true);
    expect(oldest.plan()).toEqual({
      picks: [ref('a', 'u2', 1), ref('a', 'u1', 2)],
      eligible: 2,
      capped: false,
    });
  });

  it('breaks ties by vault, then upload id: the same picks whatever the order offered', () => {
    const a = ref('v', 'x', 100);
    const b = ref('v', 'y', 100);
    const c = ref('w', 'a', 100);
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, c, a],
    ]) {
      const oldest = new OldestEligible<UploadRef>(2);
      for (const upload of order) oldest.offer(upload, true);
      expect(oldest.plan().picks.map((p) => p.uploadId)).toEqual(['x', 'y']);
    }
  });

  it('with max-aborts 0 picks nothing, and is capped when anything was eligible', () => {
    const oldest = new OldestEligible<UploadRef>(0);
    expect(oldest.plan()).toEqual({ picks: [], eligible: 0, capped: false });
    oldest.offer(ref('v', 'x', 1), true);
    expect(oldest.plan()).toEqual({ picks: [], eligible: 1, capped: true });
  });

  it('equals sorting every eligible upload oldest first and cutting at max-aborts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            vault: fc.constantFrom('a', 'b', 'c'),
            uploadId: fc.string({ minLength: 1, maxLength: 3 }),
            createdMs: fc.integer({ min: 0, max: 20 }),
            eligible: fc.boolean(),
          }),
          { maxLength: 80 },
        ),
        fc.integer({ min: 0, max: 40 }),
        (rows, maxAborts) => {
          // Each upload once, as callers guarantee.
          const seen = new Set<string>();
          const uploads = rows.filter(
            (r) => !seen.has(`${r.vault}/${r.uploadId}`) && seen.add(`${r.vault}/${r.uploadId}`),
          );
          const oldest = new OldestEligible<(typeof uploads)[number]>(maxAborts);
          for (const upload of uploads) oldest.offer(upload, upload.eligible);
          const eligible = uploads.filter((u) => u.eligible).sort(oldestFirst);
          expect(oldest.plan()).toEqual({
            picks: eligible.slice(0, maxAborts),
            eligible: eligible.length,
            capped: eligible.length > maxAborts,
          });
        },
      ),
    );
  });

  it('plan order is a total order: of two uploads one is older, unless they are one upload (property)', () => {
    const refArb = fc.record({
      vault: fc.constantFrom('a', 'b'),
      uploadId: fc.constantFrom('x', 'y', 'X'),
      createdMs: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(refArb, refArb, (a, b) => {
        const same = a.vault === b.vault && a.uploadId === b.uploadId && a.createdMs === b.createdMs;
        // A copy, not the same object: what a listing, a JSON round trip or a second chunk hands over.
        expect(oldestFirst(a, { ...a })).toBe(0);
        expect(oldestFirst(a, b) === 0).toBe(same);
        expect(Math.sign(oldestFirst(a, b)) + Math.sign(oldestFirst(b, a))).toBe(0);
      }),
    );
  });
});
