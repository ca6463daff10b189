import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { act } from '../../lambda/core/act';
import { fingerprintParts } from '../../lambda/core/activity';
import type { QuietPeriod } from '../../lambda/core/measure';
import type { Judged } from '../../lambda/core/plan';
import type { UploadedPart } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';

/**
 * The abort half of a plan with `quiet-period`, against rules written here from the generated picks
 * alone: an abort is sent only for a pick whose parts the plan saw, and only when they are still what
 * it saw (listed again right before the abort), or were seen at most five minutes before it. With
 * `recheck` (fleet mode's Act) every abort follows a listing of that upload, however recent the plan's.
 */

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const DAY = 86_400_000;
const MINUTE = 60_000;
const QUIET: QuietPeriod = { quietPeriodMs: 2 * DAY, account: '123456789012', region: 'us-east-1' };
const PARTS: Record<'one' | 'two', UploadedPart[]> = {
  one: [{ range: '0-1023', treeHash: 'a' }],
  two: [
    { range: '0-1023', treeHash: 'a' },
    { range: '1024-2047', treeHash: 'b' },
  ],
};

const pickArb = fc.record({
  /** What the plan saw: undefined when it did not measure the upload. */
  seen: fc.constantFrom(undefined, 'one', 'two'),
  /** Minutes before the abort the plan's listing ended; undefined: unknown. */
  minutesAgo: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  /** What Glacier holds now. */
  now: fc.constantFrom('one', 'two'),
  listingFails: fc.boolean(),
});

describe('act with quiet-period (property)', () => {
  it('aborts only uploads whose parts are what the plan saw, listed again unless seen within five minutes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pickArb, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (rows, recheck) => {
          const ids = rows.map((_, i) => `p${i}`);
          const api = new FakeVaultApi().addVault(
            'v',
            ids.map((id) => uploadAged(id, 100, NOW)),
          );
          rows.forEach((row, i) => {
            api.parts.set(`p${i}`, PARTS[row.now]);
            if (row.listingFails) api.failParts.add(`p${i}`);
          });
          const picks: Judged[] = rows.map((row, i) => ({
            vault: 'v',
            uploadId: `p${i}`,
            createdMs: NOW - 100 * DAY,
            excluded: false,
            parts: row.seen === undefined ? undefined : fingerprintParts(PARTS[row.seen]),
            measuredAt: row.minutesAgo === undefined ? undefined : NOW - row.minutesAgo * MINUTE,
            activity: { idle: true },
          }));
          const outcomes = await act(
            {
              picks,
              maxAborts: picks.length,
              deadline: NOW + MINUTE,
              limits: { concurrency: 2, perKey: 2 },
              quietPeriod: QUIET,
              recheck: recheck ? { olderThanMs: () => 7 * DAY, exclude: undefined } : undefined,
            },
            { api, state: new MemoryStateStore(), clock: () => NOW },
          );

          const aborts = api.calls.filter((c) => c.op === 'abort').map((c) => c.uploadId);
          rows.forEach((row, i) => {
            const id = `p${i}`;
            const recent = row.minutesAgo !== undefined && row.minutesAgo <= 5;
            const unchanged = !row.listingFails && row.seen === row.now;
            // Listed again: with recheck always; without, unless seen within the five minutes.
            const listAgain = recheck || !recent || row.seen === undefined;
            const mayAbort = row.seen !== undefined && (listAgain ? unchanged : true);
            expect(api.calls.some((c) => c.op === 'listParts' && c.uploadId === id)).toBe(listAgain);
            expect(aborts.includes(id)).toBe(mayAbort);
            expect(outcomes[i]?.outcome).toBe(mayAbort ? 'aborted' : 'pending');
          });
          // A listing again comes before its upload's abort.
          for (const id of aborts) {
            const listed = api.calls.findIndex((c) => c.op === 'listParts' && c.uploadId === id);
            const aborted = api.calls.findIndex((c) => c.op === 'abort' && c.uploadId === id);
            if (listed !== -1) expect(listed).toBeLessThan(aborted);
          }
        },
      ),
    );
  });
});
