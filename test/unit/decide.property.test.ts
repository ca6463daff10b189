/**
 * The date rule and the verdict over generated dates whose validity is known by construction
 * (helpers/creation-dates.ts): the expected answer never comes from the code under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeUpload, parseCreationDate, type UploadPolicy } from '../../lambda/core/decide';
import { dateCase, dateNear, referenceCreationMs } from './helpers/creation-dates';

const NOW = Date.parse('2026-12-15T12:00:00.000Z');
const DAY = 86_400_000;

describe('parseCreationDate over generated components (property)', () => {
  it('reads every valid date as its instant and refuses every invalid one', () => {
    fc.assert(
      fc.property(dateCase, ({ text, ms }) => {
        expect({ text, ms: parseCreationDate(text) }).toEqual({ text, ms });
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference parser on dates near now, in any zone, damaged or not', () => {
    fc.assert(
      fc.property(dateNear(NOW, fc.integer({ min: -3 * 1440, max: 60 * 1440 })), ({ text, ms }) => {
        expect(referenceCreationMs(text)).toBe(ms);
        expect({ text, ms: parseCreationDate(text) }).toEqual({ text, ms });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('judgeUpload over generated dates (property)', () => {
  it('an invalid date is unparseable, a future one an anomaly, else fresh or stale by age', () => {
    const policy = fc.record({
      olderThanMs: fc.constantFrom(DAY, 2 * DAY, 7 * DAY),
      action: fc.constantFrom('report', 'abort'),
      exclude: fc.constant(undefined),
    }) as fc.Arbitrary<UploadPolicy>;
    fc.assert(
      fc.property(dateNear(NOW, fc.integer({ min: -2 * 1440, max: 10 * 1440 })), policy, (date, p) => {
        const verdict = judgeUpload(
          { uploadId: 'u', createdAt: date.text, description: 'd', partSizeBytes: undefined },
          p,
          NOW,
        );
        if (date.ms === undefined) expect(verdict).toEqual({ kind: 'anomaly', reason: 'unparseable' });
        else if (date.ms > NOW) expect(verdict).toEqual({ kind: 'anomaly', reason: 'future' });
        else if (NOW - date.ms < p.olderThanMs)
          expect(verdict).toEqual({ kind: 'fresh', ageMs: NOW - date.ms });
        else
          expect(verdict).toEqual({
            kind: 'stale',
            ageMs: NOW - date.ms,
            createdMs: date.ms,
            intent: p.action === 'abort' ? 'abort' : 'report',
          });
      }),
      { numRuns: 1000 },
    );
  });
});
