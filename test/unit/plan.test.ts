import { describe, expect, it } from 'vitest';
import { type Candidate, mayMeasureEarly, planMeasurements } from '../../lambda/core/plan';

const DAY = 86_400_000;
const candidate = (uploadId: string, day: number): Candidate => ({
  vault: 'v',
  uploadId,
  createdMs: day * DAY,
  excluded: false,
});

describe('mayMeasureEarly', () => {
  it('measures during the listing while everything found fits in max-list-parts, the bound included', () => {
    expect(mayMeasureEarly(3, 2, 5)).toBe(true);
    expect(mayMeasureEarly(3, 3, 5)).toBe(false);
  });
});

describe('planMeasurements', () => {
  it('with nothing started, measures exactly the oldest max-list-parts', () => {
    const plan = planMeasurements([candidate('c', 3), candidate('a', 1), candidate('b', 2)], 2);
    expect(plan.measure.map((u) => u.uploadId)).toEqual(['a', 'b']);
    expect(plan.beyondBound).toBe(1);
  });
});
