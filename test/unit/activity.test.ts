import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fingerprintParts,
  judgeActivity,
  liveHistory,
  measureUpload,
  nextHistory,
  type PartsFingerprint,
  stateKey,
  type UploadHistory,
} from '../../lambda/core/activity';
import { CYCLES, markerLinks } from './helpers/marker-links';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const QUIET = 2 * DAY;
const MIB = 1_048_576;

const part = (index: number, hash = 'a'.repeat(64)) => ({
  range: `${index * MIB}-${(index + 1) * MIB - 1}`,
  treeHash: hash,
});
const fp = (f: string, partCount = 1, bytes = MIB): PartsFingerprint => ({
  fingerprint: f,
  partCount,
  bytes,
});

describe('fingerprintParts', () => {
  it('sums range lengths and counts parts', () => {
    const result = fingerprintParts([
      part(0),
      part(1),
      { range: `${2 * MIB}-${2 * MIB + 99}`, treeHash: 'b' },
    ]);
    expect(result.partCount).toBe(3);
    expect(result.bytes).toBe(2 * MIB + 100);
    expect(result.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order ListParts returns the parts in', () => {
    expect(fingerprintParts([part(0), part(1), part(2)]).fingerprint).toBe(
      fingerprintParts([part(2), part(0), part(1)]).fingerprint,
    );
  });

  it('changes when a part is added, or re-uploaded to the same range with other content', () => {
    const before = fingerprintParts([part(0), part(1)]).fingerprint;
    expect(fingerprintParts([part(0), part(1), part(2)]).fingerprint).not.toBe(before);
    expect(fingerprintParts([part(0), part(1, 'c'.repeat(64))]).fingerprint).not.toBe(before);
    // The same bytes sent again make no progress: the upload looks idle.
    expect(fingerprintParts([part(0), part(1)]).fingerprint).toBe(before);
  });

  it('counts a last part of a single byte', () => {
    expect(fingerprintParts([part(0), { range: `${MIB}-${MIB}`, treeHash: 'b' }]).bytes).toBe(MIB + 1);
  });

  it('tells apart listings whose parts join into the same text', () => {
    // 0-1 + 12-13 against 0-1 + 2-13: the same characters in a row, different parts.
    const a = fingerprintParts([
      { range: '0-1', treeHash: 'aa' },
      { range: '12-13', treeHash: 'bb' },
    ]);
    const b = fingerprintParts([
      { range: '0-1', treeHash: 'aa1' },
      { range: '2-13', treeHash: 'bb' },
    ]);
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it('fingerprints an upload without parts', () => {
    expect(fingerprintParts([])).toMatchObject({ partCount: 0, bytes: 0 });
  });

  it.each(['', '5', 'a-b', '10-5', '-1-5', '0-9x', '0-9-19', '0-9 '])('rejects the range %j', (range) => {
    expect(() => fingerprintParts([{ range, treeHash: 'x' }])).toThrow('unreadable range');
  });
});

describe('judgeActivity', () => {
  const seen = (over: Partial<UploadHistory> = {}): UploadHistory => ({
    firstSeen: T0,
    lastSeen: T0,
    lastChanged: T0,
    fingerprint: 'f1',
    partCount: 1,
    bytes: MIB,
    seenCount: 1,
    ttl: Math.ceil((T0 + 30 * DAY) / 1000),
    ...over,
  });

  it('is never idle when the parts were not listed', () => {
    expect(judgeActivity(seen(), undefined, QUIET, T0 + 10 * DAY)).toMatchObject({
      idle: false,
      reason: expect.stringContaining('not listed'),
    });
  });

  it('is never idle the first time an upload is seen, however old', () => {
    expect(judgeActivity(undefined, fp('f1'), QUIET, T0)).toEqual({
      idle: false,
      eligibleAt: T0 + QUIET,
      reason: 'first seen by this run',
    });
  });

  it('treats an expired record (TTL passed, not yet deleted) as never seen', () => {
    const expired = seen({ ttl: Math.floor((T0 + DAY) / 1000) });
    expect(judgeActivity(expired, fp('f1'), QUIET, T0 + 3 * DAY)).toMatchObject({
      idle: false,
      reason: 'first seen by this run',
    });
  });

  it('does not count a record written by this same run as an earlier sighting', () => {
    const now = T0 + 10 * DAY;
    expect(judgeActivity(seen({ lastSeen: now }), fp('f1'), QUIET, now)).toMatchObject({
      idle: false,
      reason: 'first seen by this run',
    });
  });

  it('resets the clock when the fingerprint changed', () => {
    expect(judgeActivity(seen(), fp('f2'), QUIET, T0 + 10 * DAY)).toEqual({
      idle: false,
      eligibleAt: T0 + 10 * DAY + QUIET,
      reason: 'parts changed since the last run',
    });
  });

  it('waits out the quiet period from the last change, then is idle', () => {
    expect(judgeActivity(seen(), fp('f1'), QUIET, T0 + QUIET - 1)).toEqual({
      idle: false,
      eligibleAt: T0 + QUIET,
      reason: 'unchanged, but not yet for the whole quiet period',
    });
    expect(judgeActivity(seen(), fp('f1'), QUIET, T0 + QUIET)).toEqual({ idle: true });
  });
});

describe('nextHistory', () => {
  it('starts a record on first sight', () => {
    expect(nextHistory(undefined, fp('f1', 2, 7), T0)).toEqual({
      firstSeen: T0,
      lastSeen: T0,
      lastChanged: T0,
      fingerprint: 'f1',
      partCount: 2,
      bytes: 7,
      seenCount: 1,
      ttl: Math.ceil((T0 + 30 * DAY) / 1000),
    });
  });

  it('keeps lastChanged while the fingerprint stays, moves it when it changes', () => {
    const first = nextHistory(undefined, fp('f1'), T0);
    const same = nextHistory(first, fp('f1'), T0 + DAY);
    expect(same).toMatchObject({ firstSeen: T0, lastSeen: T0 + DAY, lastChanged: T0, seenCount: 2 });
    const changed = nextHistory(same, fp('f2', 2, 2 * MIB), T0 + 2 * DAY);
    expect(changed).toMatchObject({
      firstSeen: T0,
      lastSeen: T0 + 2 * DAY,
      lastChanged: T0 + 2 * DAY,
      seenCount: 3,
      bytes: 2 * MIB,
    });
  });

  it('starts afresh over an expired record', () => {
    const old = nextHistory(undefined, fp('f1'), T0);
    expect(nextHistory(old, fp('f1'), T0 + 40 * DAY)).toMatchObject({
      firstSeen: T0 + 40 * DAY,
      lastChanged: T0 + 40 * DAY,
      seenCount: 1,
    });
    expect(liveHistory(old, T0 + 40 * DAY)).toBeUndefined();
    expect(liveHistory(old, T0 + DAY)).toBe(old);
  });

  it('stops trusting a record at the instant its TTL names (DynamoDB may delete it from then on)', () => {
    const record = nextHistory(undefined, fp('f1'), T0);
    expect(liveHistory(record, record.ttl * 1000 - 1)).toBe(record);
    expect(liveHistory(record, record.ttl * 1000)).toBeUndefined();
  });
});

describe('measureUpload', () => {
  it('stops with an error, instead of paging forever, when ListParts repeats its marker', async () => {
    let calls = 0;
    const api = {
      listPartsPage: async () => {
        calls += 1;
        return { parts: [part(0)], marker: 'same' };
      },
    } as unknown as Parameters<typeof measureUpload>[0];
    await expect(measureUpload(api, 'v', 'u')).rejects.toThrow(
      'ListParts repeated a marker it was already given (same); listing stopped',
    );
    expect(calls).toBe(2);
  });

  /** An upload whose ListParts markers follow `links`; each page lists one part of its own. */
  const cyclingParts = (links: Readonly<Record<string, string>>) => {
    const fake = markerLinks(links);
    const api = {
      listPartsPage: async (_vault: string, _uploadId: string, marker: string | undefined) => {
        const { marker: next } = fake.page(marker);
        return { parts: [part(fake.asked.length - 1)], marker: next };
      },
    } as unknown as Parameters<typeof measureUpload>[0];
    return { api, asked: fake.asked };
  };

  it.each(Object.entries(CYCLES))(
    'stops with an error, instead of paging forever, when the ListParts markers cycle %s',
    async (_label, cycle) => {
      const { api, asked } = cyclingParts(cycle.links);
      await expect(measureUpload(api, 'v', 'u')).rejects.toThrow(
        `ListParts repeated a marker it was already given (${cycle.repeated}); listing stopped`,
      );
      expect(asked).toEqual(cycle.asked);
    },
  );

  it('fingerprints every page of a chain of distinct markers', async () => {
    const { api, asked } = cyclingParts({ '': 'A', A: 'B', B: 'C' });
    expect(await measureUpload(api, 'v', 'u')).toMatchObject({ partCount: 4, bytes: 4 * MIB });
    expect(asked).toEqual([undefined, 'A', 'B', 'C']);
  });
});

describe('stateKey', () => {
  it('is accountId:region:vault#uploadId', () => {
    expect(stateKey('123456789012', 'eu-west-1', 'backups', 'abc')).toBe(
      '123456789012:eu-west-1:backups#abc',
    );
  });
});

describe('activity decision over any history (property)', () => {
  it('idle only when seen before and unchanged for the quiet period; a change always resets the clock', () => {
    const runs = fc.array(
      fc.record({
        gapHours: fc.integer({ min: 1, max: 96 }),
        fingerprint: fc.constantFrom('f1', 'f2', 'f3'),
        measured: fc.boolean(),
      }),
      { minLength: 1, maxLength: 25 },
    );
    fc.assert(
      fc.property(runs, fc.integer({ min: 24, max: 120 }), (sequence, quietHours) => {
        const quiet = quietHours * HOUR;
        let stored: UploadHistory | undefined;
        let now = T0;
        // The oracle, written from the rule itself: when did the current unbroken streak of one
        // fingerprint start (among the runs that measured it)?
        let streakStart: number | undefined;
        let streakFingerprint: string | undefined;
        let lastMeasured = T0;
        for (const run of sequence) {
          now += run.gapHours * HOUR;
          // A record not refreshed for 30 days has expired: the upload counts as never seen.
          if (streakStart !== undefined && now >= lastMeasured + 30 * DAY) {
            streakStart = undefined;
            streakFingerprint = undefined;
          }
          const observed = run.measured ? fp(run.fingerprint) : undefined;
          const verdict = judgeActivity(stored, observed, quiet, now);
          const seenBefore = streakStart !== undefined;
          const unchanged = observed !== undefined && streakFingerprint === observed.fingerprint;
          const expectIdle =
            seenBefore && unchanged && streakStart !== undefined && now - streakStart >= quiet;
          expect(verdict.idle).toBe(expectIdle);
          if (!verdict.idle) expect(verdict.eligibleAt).toBeGreaterThan(now - 1);
          if (observed !== undefined) {
            if (!unchanged) {
              streakStart = now;
              streakFingerprint = observed.fingerprint;
            }
            stored = nextHistory(stored, observed, now);
            lastMeasured = now;
            if (!unchanged) expect(stored.lastChanged).toBe(now);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
