import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWholeNumberError, parseWholeNumber, wholeNumberRule } from '../../lambda/core/numbers';

describe('parseWholeNumber', () => {
  it('reads decimal digits within the bounds, the bounds included', () => {
    expect(parseWholeNumber('0', { min: 0 })).toBe(0);
    expect(parseWholeNumber('1000', { min: 0 })).toBe(1000);
    expect(parseWholeNumber('007', { min: 0 })).toBe(7);
    expect(parseWholeNumber('1', { min: 1, max: 32 })).toBe(1);
    expect(parseWholeNumber('32', { min: 1, max: 32 })).toBe(32);
    expect(parseWholeNumber(String(Number.MAX_SAFE_INTEGER), { min: 0 })).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    '',
    ' 4',
    '4 ',
    '-1',
    '+4',
    '2.5',
    '4.0',
    '1e3',
    '0x10',
    'four',
    'Infinity',
    '99999999999999999999',
  ])('refuses %j', (text) => {
    expect(parseWholeNumber(text, { min: 0 })).toEqual({ error: 'must be a whole number of 0 or more' });
  });

  it('refuses numbers outside the bounds, naming the range', () => {
    expect(parseWholeNumber('0', { min: 1, max: 32 })).toEqual({
      error: 'must be a whole number from 1 to 32',
    });
    expect(parseWholeNumber('33', { min: 1, max: 32 })).toEqual({
      error: 'must be a whole number from 1 to 32',
    });
    expect(parseWholeNumber('0', { min: 1 })).toEqual({ error: 'must be a whole number of 1 or more' });
  });

  it('gives back exactly the number written, for any safe integer in range (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(parseWholeNumber(String(n), { min: 0 })).toBe(n);
        expect(isWholeNumberError(parseWholeNumber(String(n), { min: n + 1 }))).toBe(true);
      }),
    );
  });
});

describe('wholeNumberRule', () => {
  it('says the range as the error messages do', () => {
    expect(wholeNumberRule({ min: 0 })).toBe('a whole number of 0 or more');
    expect(wholeNumberRule({ min: 128, max: 10240 })).toBe('a whole number from 128 to 10240');
  });
});
