import { describe, expect, it } from 'vitest';
import { act, PARTS_CHANGED } from '../../lambda/core/act';
import { fingerprintParts, stateKey, type UploadHistory } from '../../lambda/core/activity';
import type { Judged } from '../../lambda/core/plan';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';

/**
 * `act` with `recheck` and `quiet-period` (fleet mode's Act): its picks were planned in another
 * invocation and carry no history, so the history it writes is conditional on the stored record.
 */

const NOW = Date.parse('2026-11-30T03:00:00.000Z');
const DAY = 86_400_000;
const QUIET = { quietPeriodMs: 2 * DAY, account: '111111111111', region: 'eu-west-1', runId: 'run-2' };
const KEY = stateKey(QUIET.account, QUIET.region, 'v', 'u1');
const seen = fingerprintParts([{ range: '0-1', treeHash: 'a' }]);
const stored: UploadHistory = {
  firstSeen: NOW - 5 * DAY,
  lastSeen: NOW - 60_000,
  lastChanged: NOW - 5 * DAY,
  fingerprint: seen.fingerprint,
  partCount: 1,
  bytes: 2,
  seenCount: 2,
  ttl: Math.ceil((NOW + 30 * DAY) / 1000),
  runId: 'run-2',
};

function setup(parts: { range: string; treeHash: string }[]) {
  const api = new FakeVaultApi().addVault('v', [uploadAged('u1', 30, NOW)]);
  api.parts.set('u1', parts);
  const state = new MemoryStateStore();
  state.items.set(KEY, stored);
  const pick: Judged = {
    vault: 'v',
    uploadId: 'u1',
    createdMs: NOW - 30 * DAY,
    excluded: false,
    parts: seen,
  };
  const input = {
    picks: [pick],
    maxAborts: 1,
    deadline: NOW + 60_000,
    limits: { concurrency: 1, perKey: 1 },
    quietPeriod: QUIET,
    recheck: { olderThanMs: () => 7 * DAY, exclude: undefined },
  };
  return { api, state, input };
}

describe('act with recheck and quiet-period: the history', () => {
  it('records a change it finds over the stored record, with the run, so the quiet period starts again', async () => {
    const { api, state, input } = setup([
      { range: '0-1', treeHash: 'a' },
      { range: '2-3', treeHash: 'b' },
    ]);
    const [outcome] = await act(input, { api, state, clock: () => NOW });
    expect(outcome).toMatchObject({ outcome: 'pending', reason: PARTS_CHANGED, eligibleAt: NOW + 2 * DAY });
    expect(state.items.get(KEY)).toMatchObject({
      partCount: 2,
      lastChanged: NOW,
      seenCount: 3,
      runId: 'run-2',
    });
    expect(api.aborted).toEqual([]);
  });

  it('deletes the record of an upload it aborted', async () => {
    const { api, state, input } = setup([{ range: '0-1', treeHash: 'a' }]);
    const [outcome] = await act(input, { api, state, clock: () => NOW });
    expect(outcome?.outcome).toBe('aborted');
    expect(state.items.has(KEY)).toBe(false);
  });

  it('without quiet-period leaves the history alone, even for a pick found gone', async () => {
    const { api, state, input } = setup([{ range: '0-1', treeHash: 'a' }]);
    Object.assign(api, {
      listPartsPage: async () => {
        throw Object.assign(new Error('no such upload'), { name: 'ResourceNotFoundException' });
      },
    });
    const warnings: string[] = [];
    const outcomes = await act(
      { ...input, quietPeriod: undefined },
      { api, state, clock: () => NOW, observer: { warning: (w) => warnings.push(w.message) } },
    );
    expect(outcomes).toEqual([{ vault: 'v', uploadId: 'u1', outcome: 'gone' }]);
    expect(state.items.get(KEY)).toEqual(stored);
    expect(warnings).toEqual([]);
  });
});
