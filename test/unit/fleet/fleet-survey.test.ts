import { describe, expect, it } from 'vitest';
import type { UploadHistory } from '../../../lambda/core/activity';
import { fingerprintParts } from '../../../lambda/core/activity';
import type { Duration } from '../../../lambda/core/duration';
import { parseDuration } from '../../../lambda/core/duration';
import { type ChunkInput, surveyChunk } from '../../../lambda/core/fleet-survey';
import { compilePattern } from '../../../lambda/core/pattern';
import { FakeVaultApi, uploadAged } from '../helpers/fake-vault-api';
import { MemoryStateStore } from '../helpers/memory-state';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const DAY = 86_400_000;
const vault = { name: 'v', olderThan: parseDuration('7d') as Duration };
// u0, u2, u4, u6, u8 stale (30 days and more; u4 described "keep: x"), the odd ones a day old.
const uploads = Array.from({ length: 10 }, (_, i) =>
  uploadAged(`u${i}`, i % 2 === 0 ? 30 + i : 1, NOW, i === 4 ? 'keep: x' : `d${i}`),
);
const base = {
  vault,
  exclude: undefined,
  clock: () => NOW,
  deadline: NOW + 60_000,
  maxPages: 100,
  maxListParts: 100,
  measureConcurrency: 2,
} satisfies Omit<ChunkInput, 'api'>;

describe('surveyChunk (one worker invocation: the plan step over one stretch of a marker chain)', () => {
  it('lists from the marker until the page budget and says where the next invocation starts', async () => {
    const api = new FakeVaultApi().addVault('v', uploads, [3]);
    const first = await surveyChunk({ ...base, api, maxPages: 2 });
    expect(first.survey).toMatchObject({ pages: 2, scanned: 6, complete: false, error: null });
    expect(first.survey.nextMarker).toBeDefined();
    expect(first.ids).toEqual(['u0', 'u1', 'u2', 'u3', 'u4', 'u5']);
    const second = await surveyChunk({
      ...base,
      api,
      maxPages: 2,
      startMarker: first.survey.nextMarker,
      seen: new Set(first.ids),
    });
    expect(second.survey).toMatchObject({ pages: 2, scanned: 4, complete: true, nextMarker: undefined });
    expect([...first.candidates, ...second.candidates].map((c) => c.uploadId).sort()).toEqual([
      'u0',
      'u2',
      'u4',
      'u6',
      'u8',
    ]);
    expect(api.calls.filter((c) => c.op === 'list')).toHaveLength(4);
    expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
  });

  it('an upload an earlier invocation listed is a duplicate: not counted, judged or measured again', async () => {
    // Page 1: u0 u1 u2; page 2 repeats u0 (stale) and u1 (fresh), then u3.
    const repeated = [uploads[0], uploads[1], uploads[2], uploads[0], uploads[1], uploads[3]].map((u) => ({
      ...(u as (typeof uploads)[number]),
    }));
    const api = new FakeVaultApi().addVault('v', repeated, [3]);
    const first = await surveyChunk({ ...base, api, maxPages: 1 });
    const second = await surveyChunk({
      ...base,
      api,
      startMarker: first.survey.nextMarker,
      seen: new Set(first.ids),
    });
    expect(second.survey).toMatchObject({ scanned: 1, duplicates: 2 });
    expect(second.ids).toEqual(['u3']);
    expect(second.candidates).toEqual([]);
    expect(api.calls.filter((c) => c.op === 'listParts').map((c) => c.uploadId)).toEqual(['u2', 'u0']);
  });

  it('judges as the single-account plan does: excluded uploads skipped and never measured, the oldest measured within max-list-parts', async () => {
    const api = new FakeVaultApi().addVault('v', uploads);
    const pattern = compilePattern('^keep:');
    const found = await surveyChunk({ ...base, api, exclude: pattern as never, maxListParts: 2 });
    const verdicts = Object.fromEntries(found.candidates.map((c) => [c.uploadId, c.verdict]));
    expect(verdicts).toEqual({
      u0: 'eligible',
      u2: 'eligible',
      u4: 'skipped',
      u6: 'eligible',
      u8: 'eligible',
    });
    // The two oldest that may be measured: u8 (38 days) and u6 (36); u4 is excluded.
    expect(api.calls.filter((c) => c.op === 'listParts').map((c) => c.uploadId)).toEqual(['u8', 'u6']);
    expect(found.candidates.map((c) => c.uploadId)).toEqual(['u8', 'u6', 'u4', 'u2', 'u0']);
    expect(found.candidates.find((c) => c.uploadId === 'u8')).toMatchObject({
      partCount: 0,
      bytesUploaded: 0,
    });
    expect(found.candidates.find((c) => c.uploadId === 'u0')).toMatchObject({
      partCount: null,
      fingerprint: null,
    });
  });

  it('lists nothing at its deadline, and says the vault is not done', async () => {
    const api = new FakeVaultApi().addVault('v', uploads);
    const found = await surveyChunk({ ...base, api, deadline: NOW });
    expect(found.survey).toMatchObject({ pages: 0, scanned: 0, complete: false, error: null });
    expect(api.calls).toEqual([]);
  });

  it('says when Glacier refused the marker it resumed from, and only then', async () => {
    const api = new FakeVaultApi().addVault('v', uploads);
    api.failList.set('v', Object.assign(new Error('bad marker'), { name: 'InvalidParameterValueException' }));
    const resumed = await surveyChunk({ ...base, api, startMarker: 'expired' });
    expect(resumed.survey).toMatchObject({ markerRejected: true, pages: 0 });
    const fromStart = await surveyChunk({ ...base, api });
    expect(fromStart.survey.markerRejected).toBeUndefined();
    expect(fromStart.survey.error).toMatch(/InvalidParameterValueException/);
  });

  it('quiet-period: a record its own run wrote proves nothing, one from an earlier run does', async () => {
    const api = new FakeVaultApi().addVault('v', [uploadAged('u0', 30, NOW)]);
    api.parts.set('u0', [{ range: '0-1', treeHash: 'h' }]);
    const state = new MemoryStateStore();
    const print = fingerprintParts([{ range: '0-1', treeHash: 'h' }]).fingerprint;
    const earlier: UploadHistory = {
      firstSeen: NOW - 5 * DAY,
      lastSeen: NOW - 3 * DAY,
      lastChanged: NOW - 5 * DAY,
      fingerprint: print,
      partCount: 1,
      bytes: 2,
      seenCount: 1,
      ttl: Math.ceil((NOW + 30 * DAY) / 1000),
      runId: 'run-earlier',
    };
    const quietPeriod = {
      quietPeriodMs: 2 * DAY,
      account: '111111111111',
      region: 'eu-west-1',
      runId: 'run-now',
    };
    const key = '111111111111:eu-west-1:v#u0';
    await state.put(key, { ...earlier, runId: 'run-now' }, undefined);
    const own = await surveyChunk({ ...base, api, quietPeriod, state });
    expect(own.candidates[0]).toMatchObject({ verdict: 'pending', reason: 'first seen by this run' });

    await state.put(key, earlier, await state.get(key));
    const next = await surveyChunk({ ...base, api, quietPeriod, state });
    expect(next.candidates[0]).toMatchObject({ verdict: 'eligible', fingerprint: print });
    expect((await state.get(key))?.runId).toBe('run-now');
  });

  it('quiet-period without a history table: every stale upload stays pending', async () => {
    const api = new FakeVaultApi().addVault('v', [uploadAged('u0', 30, NOW)]);
    const quietPeriod = { quietPeriodMs: 2 * DAY, account: '111111111111', region: 'eu-west-1', runId: 'r' };
    const found = await surveyChunk({ ...base, api, quietPeriod });
    expect(found.candidates[0]).toMatchObject({ verdict: 'pending' });
    expect(found.candidates[0]?.reason).toMatch(/state could not be read/);
  });

  it('stops listing at 70 % of its budget, so the uploads it found are still measured before its deadline', async () => {
    // One upload a page, each page request taking 10 s of a 100 s budget: pages start at 0 s to 60 s.
    const many = Array.from({ length: 20 }, (_, i) => uploadAged(`s${i}`, 30 + i, NOW));
    const api = new FakeVaultApi().addVault('v', many, [1]);
    let clock = NOW;
    api.onRequest = (op) => {
      if (op === 'list') clock += 10_000;
    };
    const found = await surveyChunk({ ...base, api, clock: () => clock, deadline: NOW + 100_000 });
    expect(found.survey).toMatchObject({ pages: 7, scanned: 7, complete: false, outOfTime: true });
    expect(found.survey.nextMarker).toBeDefined();
    expect(found.candidates).toHaveLength(7);
    expect(found.candidates.every((c) => c.partCount === 0 && c.verdict === 'eligible')).toBe(true);
    expect(api.calls.filter((c) => c.op === 'listParts')).toHaveLength(7);
  });

  it('measures with at most measure-concurrency part listings in flight, and one at a time below 1', async () => {
    for (const [measureConcurrency, peak] of [
      [3, 3],
      [0, 1],
    ] as const) {
      const api = new FakeVaultApi().addVault('v', uploads);
      let inFlight = 0;
      let most = 0;
      api.onRequest = async (op) => {
        if (op !== 'listParts') return;
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
      };
      const found = await surveyChunk({ ...base, api, measureConcurrency });
      expect(most).toBe(peak);
      expect(found.candidates.map((c) => c.partCount)).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('carries what ListParts showed into each candidate: bytes, part count and fingerprint', async () => {
    const api = new FakeVaultApi().addVault('v', [uploadAged('u0', 30, NOW)]);
    const parts = [
      { range: '0-1048575', treeHash: 'a' },
      { range: '1048576-1048999', treeHash: 'b' },
    ];
    api.parts.set('u0', parts);
    const found = await surveyChunk({ ...base, api });
    expect(found.candidates).toEqual([
      expect.objectContaining({
        uploadId: 'u0',
        verdict: 'eligible',
        bytesUploaded: 1_049_000,
        partCount: 2,
        fingerprint: fingerprintParts(parts).fingerprint,
      }),
    ]);
  });

  it('says why an excluded upload is skipped', async () => {
    const api = new FakeVaultApi().addVault('v', uploads);
    const found = await surveyChunk({ ...base, api, exclude: compilePattern('^keep:') as never });
    expect(found.candidates.filter((c) => c.verdict === 'skipped')).toEqual([
      expect.objectContaining({ uploadId: 'u4', reason: 'matched exclude', bytesUploaded: null }),
    ]);
  });

  it('orders uploads created at the same moment by upload id, however they were listed', async () => {
    const at = (id: string) => uploadAged(id, 30, NOW);
    const api = new FakeVaultApi().addVault('v', [at('c'), at('a'), at('e'), at('b'), at('d')]);
    const found = await surveyChunk({ ...base, api });
    expect(found.candidates.map((c) => c.uploadId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('tells its observer of a part listing that failed, and leaves that upload unmeasured', async () => {
    const api = new FakeVaultApi().addVault('v', [uploadAged('u0', 30, NOW)]);
    api.failParts.add('u0');
    const warnings: { vault: string; uploadId: string; message: string }[] = [];
    const found = await surveyChunk({ ...base, api, observer: { warning: (w) => warnings.push(w) } });
    expect(warnings).toEqual([
      {
        vault: 'v',
        uploadId: 'u0',
        message: 'parts could not be listed: ServiceUnavailableException: parts unavailable',
      },
    ]);
    expect(found.candidates[0]).toMatchObject({ verdict: 'eligible', fingerprint: null, partCount: null });
  });
});
