import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSettings, ssmNames } from '../../lambda/core/settings';
import { sweepRun } from '../../lambda/core/sweep';
import { OUTCOMES, type SweepReport, type Upload } from '../../lambda/core/types';
import { FakeVaultApi } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';

/**
 * The whole run (survey, measure, plan, act) against the fake vault API, checked against an oracle
 * computed here from the generated uploads alone: which are stale (whole days past a 2-day threshold),
 * which are anomalies, excluded or repeated (by construction), which a quiet period keeps (new since
 * the first run, or with new parts since), sorted by a comparator of this file.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const FIRST_RUN = NOW - 3 * DAY;
const IDS: readonly string[] = ['', 'u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9'];

type Kind = { age: number } | { anomaly: 'garbage' | 'empty' | 'missing' | 'future' };
interface Entry {
  id: string;
  kind: Kind;
  keep: boolean;
}

const entryArb: fc.Arbitrary<Entry> = fc.record({
  id: fc.constantFrom(...IDS),
  kind: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }).map((age) => ({ age })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('garbage', 'empty', 'missing', 'future').map((anomaly) => ({ anomaly })),
    },
  ) as fc.Arbitrary<Kind>,
  keep: fc.boolean(),
});

const scenarioArb = fc.record({
  vaults: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('v0', 'v1', 'v2', 'v3'),
      entries: fc.array(entryArb, { maxLength: 25 }),
      pageSizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
      /** Ids listed only by the second run: new since the first. */
      late: fc.subarray([...IDS]),
    }),
    { selector: (v) => v.name, minLength: 1, maxLength: 4 },
  ),
  /** Ids whose parts change between the runs (the same id in every vault shares its parts). */
  active: fc.subarray([...IDS]),
  maxAborts: fc.integer({ min: 0, max: 20 }),
  quiet: fc.boolean(),
  action: fc.constantFrom('report', 'abort'),
  vaultConcurrency: fc.integer({ min: 1, max: 4 }),
  abortConcurrency: fc.integer({ min: 1, max: 5 }),
});

function toUpload(entry: Entry): Upload {
  const { kind } = entry;
  const createdAt =
    'age' in kind
      ? new Date(NOW - kind.age * DAY).toISOString()
      : { garbage: 'garbage', empty: '', missing: undefined, future: new Date(NOW + DAY).toISOString() }[
          kind.anomaly
        ];
  return {
    uploadId: entry.id,
    createdAt,
    description: entry.keep ? 'keep: legal hold' : 'nightly',
    partSizeBytes: 1_048_576,
  };
}

/** The first entry of each id (entries without an id are never eligible, so they can be dropped). */
function firstOfEachId(entries: readonly Entry[]): Entry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    if (e.id === '' || seen.has(e.id)) return false;
    seen.add(e.id);
    return true;
  });
}

describe('a run aborts exactly the oldest eligible uploads (property)', () => {
  it('aborted = wouldAbort = the oldest eligible up to max-aborts; report mode sends no abort at all', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const api = new FakeVaultApi();
        const state = new MemoryStateStore();
        const part = (i: number, id: string) => ({
          range: `${i * 1024}-${i * 1024 + 1023}`,
          treeHash: `h-${id}`,
        });
        for (const id of IDS) api.parts.set(id, [part(0, id)]);
        const settings = parseSettings(
          {
            vaults: s.vaults.map((v) => v.name).join(','),
            olderThan: '2d',
            action: s.action,
            maxAborts: String(s.maxAborts),
            maxListParts: '1000',
            exclude: '^keep:',
            ...(s.quiet ? { quietPeriod: '2d' } : {}),
          },
          ssmNames('/p'),
        );
        const runAt = (at: number, action: 'report' | 'abort') =>
          sweepRun({
            api,
            settings: { ...settings, action },
            clock: () => at,
            deadline: Number.POSITIVE_INFINITY,
            vaultConcurrency: s.vaultConcurrency,
            abortConcurrency: s.abortConcurrency,
            runId: 'p',
            region: 'us-east-1',
            account: '123456789012',
            state,
          });

        // Run 1, three days before, in report mode: it only records history.
        for (const v of s.vaults) {
          const listed = v.entries.filter((e) => !v.late.includes(e.id));
          api.addVault(v.name, listed.map(toUpload), v.pageSizes);
        }
        await runAt(FIRST_RUN, 'report');
        expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);

        // Run 2, now: late ids listed too, active ids with one more part.
        for (const v of s.vaults) api.addVault(v.name, v.entries.map(toUpload), v.pageSizes);
        for (const id of s.active) api.parts.set(id, [part(0, id), part(1, id)]);
        const report: SweepReport = await runAt(NOW, s.action as 'report' | 'abort');

        // The oracle.
        const eligible: { vault: string; id: string; created: number }[] = [];
        for (const v of s.vaults) {
          for (const e of firstOfEachId(v.entries)) {
            if (!('age' in e.kind) || e.kind.age < 2 || e.keep) continue;
            if (s.quiet) {
              // Proven idle: listed and stale three days ago (age ≥ 5 now), and no part since.
              const seenBefore = !v.late.includes(e.id) && e.kind.age >= 5;
              if (!seenBefore || s.active.includes(e.id)) continue;
            }
            eligible.push({ vault: v.name, id: e.id, created: NOW - e.kind.age * DAY });
          }
        }
        eligible.sort((a, b) =>
          a.created !== b.created
            ? a.created - b.created
            : a.vault !== b.vault
              ? a.vault < b.vault
                ? -1
                : 1
              : a.id < b.id
                ? -1
                : a.id > b.id
                  ? 1
                  : 0,
        );
        const expected = eligible
          .slice(0, s.maxAborts)
          .map((e) => `${e.vault}/${e.id}`)
          .sort();

        const marked = report.vaults
          .flatMap((v) => v.staleUploads.filter((u) => u.wouldAbort).map((u) => `${v.vault}/${u.uploadId}`))
          .sort();
        expect(marked).toEqual(expected);
        const abortCalls = api.calls.filter((c) => c.op === 'abort').map((c) => `${c.vault}/${c.uploadId}`);
        if (s.action === 'report') expect(abortCalls).toEqual([]);
        else expect([...abortCalls].sort()).toEqual(expected);
        expect(report.capped).toBe(eligible.length > s.maxAborts);
        expect(report.totals.wouldAbort).toBe(expected.length);
        for (const v of [report.totals, ...report.vaults])
          expect(v.stale).toBe(OUTCOMES.reduce((sum, o) => sum + v[o], 0));
      }),
      { numRuns: 200 },
    );
  });
});
