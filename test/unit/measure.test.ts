import { describe, expect, it } from 'vitest';
import { stateKey } from '../../lambda/core/activity';
import { createScheduler, runScheduled } from '../../lambda/core/limit';
import { measureUploads, type QuietPeriod } from '../../lambda/core/measure';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const DAY = 86_400_000;
const QUIET: QuietPeriod = { quietPeriodMs: 2 * DAY, account: '123456789012', region: 'us-east-1' };
const ref = (vault: string, uploadId: string, age: number) => ({
  vault,
  uploadId,
  createdMs: NOW - age * DAY,
});

function api() {
  const fake = new FakeVaultApi()
    .addVault('alpha', [uploadAged('a1', 30, NOW), uploadAged('a2', 40, NOW)])
    .addVault('beta', [uploadAged('b1', 50, NOW)]);
  for (const id of ['a1', 'a2', 'b1']) fake.parts.set(id, [{ range: '0-1023', treeHash: id }]);
  return fake;
}

describe('measureUploads', () => {
  it('measures a plan in its order and keeps the results in it; without quiet-period no history is touched', async () => {
    const fake = api();
    const state = new MemoryStateStore();
    const uploads = [ref('beta', 'b1', 50), ref('alpha', 'a2', 40), ref('alpha', 'a1', 30)];
    const measured = await measureUploads(
      { uploads, deadline: NOW + 1, limits: { concurrency: 1, perKey: 1 } },
      { api: fake, state, clock: () => NOW },
    );
    expect(fake.calls.map((c) => c.uploadId)).toEqual(['b1', 'a2', 'a1']);
    expect(measured.map((m) => [m.uploadId, m.parts?.bytes, m.measuredAt, m.activity])).toEqual([
      ['b1', 1024, NOW, undefined],
      ['a2', 1024, NOW, undefined],
      ['a1', 1024, NOW, undefined],
    ]);
    expect(state.items.size).toBe(0);
  });

  it('starts nothing at or after its deadline: those uploads are unmeasured for time, not proven idle', async () => {
    const fake = api();
    const measured = await measureUploads(
      {
        uploads: [ref('alpha', 'a1', 30)],
        deadline: NOW,
        limits: { concurrency: 2, perKey: 2 },
        quietPeriod: QUIET,
      },
      { api: fake, state: new MemoryStateStore(), clock: () => NOW },
    );
    expect(fake.calls).toEqual([]);
    expect(measured[0]).toMatchObject({ unmeasured: 'time', activity: { idle: false } });
    expect(measured[0]?.activity).toHaveProperty(
      'reason',
      'time budget for planning ran out before its parts were listed',
    );
  });

  it('keeps the upload not proven idle when its history cannot be written, and says so', async () => {
    const fake = api();
    const state = new MemoryStateStore();
    state.failPut = true;
    const warnings: string[] = [];
    const [m] = await measureUploads(
      {
        uploads: [ref('alpha', 'a1', 30)],
        deadline: NOW + 1,
        limits: { concurrency: 1, perKey: 1 },
        quietPeriod: QUIET,
      },
      { api: fake, state, clock: () => NOW, observer: { warning: (w) => warnings.push(w.message) } },
    );
    expect(m).toMatchObject({ parts: { bytes: 1024 }, activity: { idle: false }, history: undefined });
    expect(warnings).toEqual([expect.stringContaining('state could not be written')]);
    expect(state.items.has(stateKey('123456789012', 'us-east-1', 'alpha', 'a1'))).toBe(false);
  });

  it('without a state table, nothing is proven idle', async () => {
    const [m] = await measureUploads(
      {
        uploads: [ref('alpha', 'a1', 30)],
        deadline: NOW + 1,
        limits: { concurrency: 1, perKey: 1 },
        quietPeriod: QUIET,
      },
      { api: api(), clock: () => NOW },
    );
    expect(m?.activity).toMatchObject({
      idle: false,
      reason: expect.stringContaining('no state table is configured'),
    });
  });
});

describe('the scheduler', () => {
  it('refuses limits that are not whole numbers of at least one', () => {
    expect(() => createScheduler({ concurrency: 0, perKey: 1 }, String, async () => 0)).toThrow(
      'concurrency must be a whole number ≥ 1, got 0',
    );
    expect(() => createScheduler({ concurrency: 2, perKey: 1.5 }, String, async () => 0)).toThrow(
      'perKey must be a whole number ≥ 1, got 1.5',
    );
  });

  it('rejects the item whose task throws, and goes on with the others', async () => {
    const done: number[] = [];
    const scheduler = createScheduler(
      { concurrency: 1, perKey: 1 },
      () => 'k',
      (n: number) => {
        if (n === 2) throw new Error('boom');
        done.push(n);
        return Promise.resolve(n);
      },
    );
    const results = await Promise.allSettled([1, 2, 3].map((n) => scheduler.add(n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(done).toEqual([1, 3]);
  });

  it('returns nothing for nothing', async () => {
    expect(await runScheduled([], { concurrency: 1, perKey: 1 }, String, async () => 0)).toEqual([]);
  });
});
