import { describe, expect, it } from 'vitest';
import { LISTING_SHARE, PLANNING_SHARE, planningTimes } from '../../lambda/core/plan';

describe('planningTimes', () => {
  it('stops listing at 70 % and measuring at 85 % of the time to the deadline, leaving the rest for aborts', () => {
    expect(LISTING_SHARE).toBe(0.7);
    expect(PLANNING_SHARE).toBe(0.85);
    expect(planningTimes(10_000, 110_000)).toEqual({ listUntil: 80_000, planUntil: 95_000 });
  });

  it('never plans past the deadline, and a deadline already passed leaves no time to plan', () => {
    const times = planningTimes(5_000, 4_000);
    expect(times).toEqual({ listUntil: 5_000, planUntil: 5_000 });
  });

  it('without a deadline (an infinite one) plans without a stop', () => {
    expect(planningTimes(1_000, Number.POSITIVE_INFINITY)).toEqual({
      listUntil: Number.POSITIVE_INFINITY,
      planUntil: Number.POSITIVE_INFINITY,
    });
  });
});
