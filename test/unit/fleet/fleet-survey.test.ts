import { describe, expect, it } from 'vitest';
import type { StateStore, UploadHistory } from '../../../lambda/core/activity';
import { fingerprintParts } from '../../../lambda/core/activity';
import type { Duration } from '../../../lambda/core/duration';
import { parseDuration } from '../../../lambda/core/duration';
import { surveyVault } from '../../../lambda/core/fleet-survey';
import { compilePattern } from '../../../lambda/core/pattern';
import { FakeVaultApi, uploadAged } from '../helpers/fake-vault-api';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const vault = { name: 'v', olderThan: parseDuration('7d') as Duration };
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
};

class MemoryState implements StateStore {
  readonly items = new Map<string, UploadHistory>();
  async get(key: string) {
    return this.items.get(key);
  }
  async put(key: string, next: UploadHistory) {
    this.items.set(key, next);
  }
  async delete(key: string) {
    this.items.delete(key);
  }
}

describe('surveyVault', () => {
  it('lists from the marker until the page budget and returns where the next invocation starts', async () => {
    const api = new FakeVaultApi().addVault('v', uploads, [3]);
    const first = await surveyVault({ ...base, api, maxPages: 2 });
    expect(first).toMatchObject({ pages: 2, scanned: 6 });
    expect(first.marker).toBeDefined();
    const second = await surveyVault({ ...base, api, maxPages: 2, startMarker: first.marker });
    expect(second).toMatchObject({ pages: 2, scanned: 4, marker: undefined });
    expect([...first.candidates, ...second.candidates].map((c) => c.uploadId).sort()).toEqual([
      'u0',
      'u2',
      'u4',
      'u6',
      'u8',
    ]);
    expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
  });

  it('judges as the single-account run does: excluded uploads skipped and not measured, the rest measured within max-list-parts', async () => {
    const api = new FakeVaultApi().addVault('v', uploads);
    const found = await surveyVault({
      ...base,
      api,
      exclude: compilePattern('^keep:') as never,
      maxListParts: 2,
    });
    const verdicts = Object.fromEntries(found.candidates.map((c) => [c.uploadId, c.verdict]));
    expect(verdicts).toEqual({
      u0: 'eligible',
      u2: 'eligible',
      u4: 'skipped',
      u6: 'eligible',
      u8: 'eligible',
    });
    expect(api.calls.filter((c) => c.op === 'listParts')).toHaveLength(2);
    expect(found.candidates.map((c) => c.createdMs)).toEqual(
      [...found.candidates.map((c) => c.createdMs)].sort((a, b) => a - b),
    );
  });

  it('stops at the deadline before any page', async () => {
    const api = new FakeVaultApi().addVault('v', uploads);
    const found = await surveyVault({ ...base, api, deadline: NOW });
    expect(found).toMatchObject({ pages: 0, scanned: 0, marker: undefined });
  });

  it('quiet-period: a record its own run wrote proves nothing, one from an earlier run does', async () => {
    const api = new FakeVaultApi().addVault('v', [uploadAged('u0', 30, NOW)]);
    api.parts.set('u0', [{ range: '0-1', treeHash: 'h' }]);
    const state = new MemoryState();
    const print = fingerprintParts([{ range: '0-1', treeHash: 'h' }]).fingerprint;
    const earlier: UploadHistory = {
      firstSeen: NOW - 5 * 86_400_000,
      lastSeen: NOW - 3 * 86_400_000,
      lastChanged: NOW - 5 * 86_400_000,
      fingerprint: print,
      partCount: 1,
      bytes: 2,
      seenCount: 1,
      ttl: Math.ceil((NOW + 30 * 86_400_000) / 1000),
      runId: 'run-earlier',
    };
    const activity = { quietPeriodMs: 2 * 86_400_000, state, account: '111111111111', region: 'eu-west-1' };
    state.items.set('111111111111:eu-west-1:v#u0', { ...earlier, runId: 'run-now' });
    const own = await surveyVault({ ...base, api, activity: { ...activity, runId: 'run-now' } });
    expect(own.candidates[0]).toMatchObject({ verdict: 'pending', reason: 'first seen by this run' });

    state.items.set('111111111111:eu-west-1:v#u0', earlier);
    const next = await surveyVault({ ...base, api, activity: { ...activity, runId: 'run-now' } });
    expect(next.candidates[0]).toMatchObject({ verdict: 'eligible', fingerprint: print });
    expect(state.items.get('111111111111:eu-west-1:v#u0')?.runId).toBe('run-now');
  });
});
