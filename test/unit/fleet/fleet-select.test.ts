import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OldestK, olderFirst, type PlacedCandidate } from '../../../lambda/core/fleet-select';
import type { Candidate } from '../../../lambda/core/fleet-types';

const candidate = (
  uploadId: string,
  createdMs: number,
  verdict: Candidate['verdict'] = 'eligible',
): Candidate => ({
  uploadId,
  createdAt: new Date(createdMs).toISOString(),
  createdMs,
  ageHours: 1,
  description: '',
  partSizeBytes: null,
  bytesUploaded: null,
  partCount: null,
  fingerprint: null,
  verdict,
});
const placed = (account: string, vault: string, c: Candidate): PlacedCandidate => ({
  account,
  region: 'eu-west-1',
  vault,
  olderThan: '7d',
  candidate: c,
});

describe('OldestK', () => {
  it('keeps the k oldest eligible candidates of the whole run, oldest first', () => {
    const top = new OldestK(2);
    top.offer(placed('111111111111', 'a', candidate('u1', 300)));
    top.offer(placed('222222222222', 'b', candidate('u2', 100)));
    top.offer(placed('111111111111', 'a', candidate('u3', 50, 'pending')));
    top.offer(placed('111111111111', 'a', candidate('u4', 10, 'skipped')));
    top.offer(placed('333333333333', 'c', candidate('u5', 200)));
    expect(top.picks().map((p) => p.candidate.uploadId)).toEqual(['u2', 'u5']);
    expect(top.eligible).toBe(3);
    expect(top.capped).toBe(true);
  });

  it('breaks ties by account, region, vault and upload id: the same picks every time', () => {
    const a = placed('111111111111', 'v', candidate('x', 100));
    const b = placed('111111111111', 'v', candidate('y', 100));
    const c = placed('222222222222', 'a', candidate('a', 100));
    for (const order of [
      [a, b, c],
      [c, b, a],
      [b, c, a],
    ]) {
      const top = new OldestK(2);
      for (const p of order) top.offer(p);
      expect(top.picks().map((p) => p.candidate.uploadId)).toEqual(['x', 'y']);
    }
  });

  it('with k = 0 picks nothing and says it was capped when anything was eligible', () => {
    const top = new OldestK(0);
    top.offer(placed('111111111111', 'v', candidate('x', 1)));
    expect(top.picks()).toEqual([]);
    expect(top.capped).toBe(true);
  });

  it('equals a full sort of the eligible candidates, cut at k (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            account: fc.constantFrom('111111111111', '222222222222'),
            vault: fc.constantFrom('a', 'b'),
            id: fc.string({ minLength: 1, maxLength: 4 }),
            ms: fc.integer({ min: 0, max: 20 }),
            eligible: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 30 }),
        (rows, k) => {
          const all = rows.map((r) =>
            placed(r.account, r.vault, candidate(r.id, r.ms, r.eligible ? 'eligible' : 'pending')),
          );
          const top = new OldestK(k);
          for (const p of all) top.offer(p);
          const expected = all
            .filter((p) => p.candidate.verdict === 'eligible')
            .sort(olderFirst)
            .slice(0, k);
          expect(top.picks()).toEqual(expected);
        },
      ),
    );
  });
});
