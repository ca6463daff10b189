import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSettings, ssmNames } from '../../lambda/core/settings';
import { sweepRun } from '../../lambda/core/sweep';
import { OUTCOMES, type Upload } from '../../lambda/core/types';
import { dateAround } from './helpers/creation-dates';
import { FakeVaultApi } from './helpers/fake-vault-api';

const HOUR = 3_600_000;
const BASE = Date.parse('2026-11-27T03:00:00.000Z');

/** Creation dates around the 2-day threshold, each with the instant it names (known by construction). */
const creationDate = (now: number) => dateAround(now, 48 * 60);

/** What the listing returns, and (by upload id) the instant each CreationDate names. */
const uploadsArb = (now: number) =>
  fc
    .uniqueArray(
      fc.record({
        uploadId: fc.stringMatching(/^[A-Za-z0-9_-]{4,12}$/),
        date: creationDate(now),
        description: fc.option(fc.constantFrom('nightly', 'keep-forever', 'weekly', '', '\u001b[31mred'), {
          nil: undefined,
        }),
        partSizeBytes: fc.option(fc.constant(1_048_576), { nil: undefined }),
      }),
      { selector: (u) => u.uploadId, maxLength: 40 },
    )
    .map((entries) => ({
      uploads: entries.map(({ date, ...rest }) => ({ ...rest, createdAt: date.text })) as Upload[],
      createdMs: new Map(entries.map((e) => [e.uploadId, e.date.ms])),
    }));

const scenario = fc.integer({ min: 0, max: 1000 * HOUR }).chain((offset) => {
  const now = BASE + offset;
  return fc.record({
    now: fc.constant(now),
    vaults: fc.array(
      fc.record({
        listing: uploadsArb(now),
        pageSizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    maxAborts: fc.integer({ min: 0, max: 30 }),
    exclude: fc.constantFrom(undefined, 'keep', '^[A-M]'),
    action: fc.constantFrom('report', 'abort'),
    failures: fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{4,12}$/), { maxLength: 5 }),
    clockStep: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * HOUR })),
    vaultConcurrency: fc.integer({ min: 1, max: 4 }),
    abortConcurrency: fc.integer({ min: 1, max: 8 }),
  });
});

describe('safety invariants of a sweep (property)', () => {
  it('never aborts what is young, excluded or anomalous; every stale upload has one outcome; aborts ≤ max-aborts', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const api = new FakeVaultApi();
        for (const [i, v] of s.vaults.entries()) api.addVault(`v${i}`, v.listing.uploads, v.pageSizes);
        for (const id of s.failures) api.failAbort.add(id);
        // The exclude rule as JavaScript's RegExp reads it (the accepted RE2 subset means the same).
        const excluded = (u: Upload) =>
          s.exclude !== undefined &&
          (new RegExp(s.exclude).test(u.description ?? '') || new RegExp(s.exclude).test(u.uploadId));
        // A clock that may move forward on every request. With a still clock, the age at abort time is the
        // age at judging time, so an off-by-some threshold is caught; a moving clock tests interleavings.
        let clock = s.now;
        const abortTimes = new Map<string, number>();
        api.onRequest = () => {
          clock += s.clockStep;
        };
        const original = api.abortUpload.bind(api);
        api.abortUpload = (vault, uploadId) => {
          abortTimes.set(`${vault}/${uploadId}`, clock);
          return original(vault, uploadId);
        };
        const settings = parseSettings(
          {
            vaults: s.vaults.map((_, i) => `v${i}`).join(','),
            olderThan: '2d',
            action: s.action,
            maxAborts: String(s.maxAborts),
            ...(s.exclude ? { exclude: s.exclude } : {}),
          },
          ssmNames('/p'),
        );
        const report = await sweepRun({
          api,
          settings,
          clock: () => clock,
          deadline: Number.POSITIVE_INFINITY,
          vaultConcurrency: s.vaultConcurrency,
          abortConcurrency: s.abortConcurrency,
          runId: 'p',
          region: 'us-east-1',
        });

        const abortCalls = api.calls.filter((c) => c.op === 'abort');
        if (s.action === 'report') expect(abortCalls).toEqual([]);
        expect(abortCalls.length).toBeLessThanOrEqual(s.maxAborts);

        for (const call of abortCalls) {
          const listing = s.vaults[Number(call.vault?.slice(1))]?.listing;
          const upload = listing?.uploads.find((u) => u.uploadId === call.uploadId);
          // Every abort names an upload that was seeded in the vault it was sent to.
          expect(upload?.uploadId).toBe(call.uploadId);
          if (!upload) continue;
          const created = listing?.createdMs.get(upload.uploadId) ?? Number.NaN;
          const abortedAt = abortTimes.get(`${call.vault}/${call.uploadId}`) ?? Number.NaN;
          expect(abortedAt - created).toBeGreaterThanOrEqual(48 * HOUR);
          expect(excluded(upload)).toBe(false);
        }

        for (const [i, vault] of report.vaults.entries()) {
          const outcomes = OUTCOMES.reduce((sum, o) => sum + vault[o], 0);
          expect(vault.stale).toBe(outcomes);
          expect(vault.staleUploads).toHaveLength(vault.stale);
          expect(new Set(vault.staleUploads.map((u) => u.uploadId)).size).toBe(vault.stale);
          for (const o of OUTCOMES)
            expect(vault.staleUploads.filter((u) => u.outcome === o)).toHaveLength(vault[o]);
          const listing = s.vaults[i]?.listing;
          expect(vault.scanned).toBe(listing?.uploads.length);
          expect(vault.aborted).toBe(api.aborted.filter((a) => a.vault === vault.vault).length);
          const anomalyIds = new Set(vault.anomalies.map((a) => a.uploadId));
          if (s.clockStep === 0 && listing) {
            // With a still clock every upload is judged at s.now: anomalies and stale ones are exactly
            // those the dates' construction says, and every excluded stale one is skipped.
            const ids = (keep: (ms: number | undefined) => boolean) =>
              listing.uploads.filter((u) => keep(listing.createdMs.get(u.uploadId))).map((u) => u.uploadId);
            expect([...anomalyIds].sort()).toEqual(ids((ms) => ms === undefined || ms > s.now).sort());
            const staleIds = ids((ms) => ms !== undefined && ms <= s.now && s.now - ms >= 48 * HOUR);
            expect(vault.staleUploads.map((u) => u.uploadId).sort()).toEqual(staleIds.sort());
            const skipped = vault.staleUploads.filter((u) => u.outcome === 'skipped').map((u) => u.uploadId);
            expect(skipped.sort()).toEqual(
              listing.uploads
                .filter((u) => staleIds.includes(u.uploadId) && excluded(u))
                .map((u) => u.uploadId)
                .sort(),
            );
          }
          expect(abortCalls.some((c) => c.vault === vault.vault && anomalyIds.has(c.uploadId ?? ''))).toBe(
            false,
          );
        }
        const t = report.totals;
        expect(t.stale).toBe(t.aborted + t.gone + t.failed + t.skipped + t.reported);
        // capped: the plan met max-aborts, in both modes (every stale upload that is not excluded is
        // eligible here: no quiet-period).
        expect(report.capped).toBe(t.stale - t.skipped > s.maxAborts);
        expect(t.wouldAbort).toBe(Math.min(t.stale - t.skipped, s.maxAborts));
      }),
      { numRuns: 300 },
    );
  });
});

describe('counting a listing with repeated and missing ids (property)', () => {
  // Few ids, so that repeats are common; '' is an entry without an id.
  const entry = (now: number) =>
    fc.record({
      uploadId: fc.oneof(
        { weight: 1, arbitrary: fc.constant('') },
        { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') },
      ),
      createdAt: creationDate(now).map((date) => date.text),
      description: fc.constantFrom(undefined, 'nightly', 'weekly'),
      partSizeBytes: fc.constant(1_048_576),
    }) as fc.Arbitrary<Upload>;

  it('scanned = distinct ids + id-less entries; each id-less entry is an anomaly; nothing aborted twice; stale = Σ outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            uploads: fc.array(entry(BASE), { maxLength: 40 }),
            pageSizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.constantFrom('report', 'abort'),
        fc.integer({ min: 0, max: 10 }),
        async (vaults, action, maxAborts) => {
          const api = new FakeVaultApi();
          for (const [i, v] of vaults.entries()) api.addVault(`v${i}`, v.uploads, v.pageSizes);
          const report = await sweepRun({
            api,
            settings: parseSettings(
              {
                vaults: vaults.map((_, i) => `v${i}`).join(','),
                olderThan: '2d',
                action,
                maxAborts: String(maxAborts),
              },
              ssmNames('/p'),
            ),
            clock: () => BASE,
            deadline: Number.POSITIVE_INFINITY,
            vaultConcurrency: 2,
            abortConcurrency: 3,
            runId: 'p',
            region: 'us-east-1',
          });

          const abortKeys = api.calls.filter((c) => c.op === 'abort').map((c) => `${c.vault}/${c.uploadId}`);
          expect(new Set(abortKeys).size).toBe(abortKeys.length);
          expect(abortKeys.some((k) => k.endsWith('/'))).toBe(false);
          for (const [i, vault] of report.vaults.entries()) {
            const listed = vaults[i]?.uploads ?? [];
            const idless = listed.filter((u) => u.uploadId === '').length;
            const distinct = new Set(listed.filter((u) => u.uploadId !== '').map((u) => u.uploadId)).size;
            expect(vault.scanned).toBe(distinct + idless);
            expect(vault.duplicates).toBe(listed.length - vault.scanned);
            expect(vault.anomalies.filter((a) => a.uploadId === '')).toHaveLength(idless);
            expect(vault.stale).toBe(OUTCOMES.reduce((sum, o) => sum + vault[o], 0));
            const staleIds = vault.staleUploads.map((u) => u.uploadId);
            expect(new Set(staleIds).size).toBe(staleIds.length);
            expect(staleIds).not.toContain('');
            expect(vault.aborted).toBe(abortKeys.filter((k) => k.startsWith(`${vault.vault}/`)).length);
          }
          const t = report.totals;
          expect(t.scanned).toBe(report.vaults.reduce((sum, v) => sum + v.scanned, 0));
          expect(t.duplicates).toBe(report.vaults.reduce((sum, v) => sum + v.duplicates, 0));
          expect(t.stale).toBe(OUTCOMES.reduce((sum, o) => sum + t[o], 0));
        },
      ),
      { numRuns: 300 },
    );
  });
});
