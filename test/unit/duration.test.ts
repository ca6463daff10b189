import { describe, expect, it } from 'vitest';
import { formatAge, isDurationError, parseDuration } from '../../lambda/core/duration';

describe('parseDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['36h', 129_600_000],
    ['1440m', 86_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['3650d', 3650 * 86_400_000],
    [' 7d ', 604_800_000],
  ])('reads %j', (text, ms) => {
    const parsed = parseDuration(text);
    expect(parsed).toEqual({ text: text.trim(), ms });
  });

  it.each([
    ['0h', 'at least 24h'],
    ['12h', 'at least 24h'],
    ['1439m', 'at least 24h'],
    ['3651d', 'at most 3650d'],
    ['9999d', 'at most 3650d'],
    ['-1d', 'whole number'],
    ['7', 'whole number'],
    ['7x', 'whole number'],
    // Nothing may follow the unit: '7dx' is not 7d, and '2w3d' is not a sum.
    ['7dx', 'whole number'],
    ['2w3d', 'whole number'],
    ['1.5d', 'whole number'],
    ['d', 'whole number'],
    ['', 'whole number'],
    ['7 d', 'whole number'],
    ['7D', 'whole number'],
    ['99999999d', 'whole number'],
  ])('rejects %j', (text, why) => {
    const parsed = parseDuration(text);
    expect(isDurationError(parsed)).toBe(true);
    expect((parsed as { error: string }).error).toContain(why);
  });
});

describe('formatAge', () => {
  it.each([
    [0, '0m'],
    [59_999, '0m'],
    [61 * 60_000, '1h 1m'],
    [(40 * 24 + 2) * 3_600_000, '40d 2h'],
    [-5, '0m'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
