import { describe, expect, it } from 'vitest';
import {
  type ActInput,
  act,
  MAX_ABORTS_REACHED,
  PARTS_CHANGED,
  REMEASURE_AFTER_MS,
  TIME_BEFORE_ABORT,
} from '../../lambda/core/act';
import { fingerprintParts, stateKey } from '../../lambda/core/activity';
import { CANCELLED_WHILE_MEASURING, type QuietPeriod } from '../../lambda/core/measure';
import type { Judged } from '../../lambda/core/plan';
import type { PartsPage } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { MemoryStateStore } from './helpers/memory-state';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const DAY = 86_400_000;
const QUIET: QuietPeriod = { quietPeriodMs: 2 * DAY, account: '123456789012', region: 'us-east-1' };
const part = (i: number, hash = 'h') => ({ range: `${i * 1024}-${i * 1024 + 1023}`, treeHash: hash });

/** Picks as the plan hands them over: plain data, here measured at `measuredAt` with one part each. */
function picks(ids: string[], measuredAt = NOW): Judged[] {
  return ids.map((uploadId, i) => ({
    vault: 'alpha',
    uploadId,
    createdMs: NOW - (100 - i) * DAY,
    excluded: false,
    parts: fingerprintParts([part(0)]),
    measuredAt,
    activity: { idle: true },
  }));
}

function setup(ids: string[]) {
  const api = new FakeVaultApi().addVault(
    'alpha',
    ids.map((id) => uploadAged(id, 100, NOW)),
  );
  for (const id of ids) api.parts.set(id, [part(0)]);
  return { api, state: new MemoryStateStore() };
}

/** A history record as the plan's measurement left it, for an upload with the given fingerprint. */
const historyOf = (fingerprint: string) => ({
  firstSeen: NOW - 3 * DAY,
  lastSeen: NOW - 10 * 60_000,
  lastChanged: NOW - 3 * DAY,
  fingerprint,
  partCount: 1,
  bytes: 1024,
  seenCount: 2,
  ttl: Math.ceil((NOW + 30 * DAY) / 1000),
});

const input = (over: Partial<ActInput>): ActInput => ({
  picks: [],
  maxAborts: 1000,
  deadline: NOW + 60_000,
  limits: { concurrency: 4, perKey: 2 },
  ...over,
});

describe('act', () => {
  it('starts no abort at or after the deadline: the rest are reported, and say why', async () => {
    const { api } = setup(['p0', 'p1', 'p2']);
    let clock = NOW;
    const sentAt: number[] = [];
    api.onRequest = (op) => {
      if (op === 'abort') {
        sentAt.push(clock);
        clock += 40_000;
      }
    };
    const outcomes = await act(
      input({ picks: picks(['p0', 'p1', 'p2']), limits: { concurrency: 1, perKey: 1 } }),
      { api, clock: () => clock },
    );
    expect(outcomes.map((o) => [o.uploadId, o.outcome, o.reason])).toEqual([
      ['p0', 'aborted', undefined],
      ['p1', 'aborted', undefined],
      ['p2', 'reported', TIME_BEFORE_ABORT],
    ]);
    expect(sentAt.every((t) => t < NOW + 60_000)).toBe(true);
  });

  it('acts on nothing when the deadline passed between planning and acting', async () => {
    const { api } = setup(['p0', 'p1']);
    const outcomes = await act(input({ picks: picks(['p0', 'p1']), deadline: NOW }), {
      api,
      clock: () => NOW,
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['reported', 'reported']);
    expect(api.calls).toEqual([]);
  });

  it('never starts more aborts than max-aborts, whatever the picks', async () => {
    const { api } = setup(['p0', 'p1', 'p2']);
    const outcomes = await act(input({ picks: picks(['p0', 'p1', 'p2']), maxAborts: 1 }), {
      api,
      clock: () => NOW,
    });
    expect(api.calls.filter((c) => c.op === 'abort')).toHaveLength(1);
    expect(outcomes.map((o) => o.outcome)).toEqual(['aborted', 'reported', 'reported']);
    expect(outcomes[1]?.reason).toBe(MAX_ABORTS_REACHED);
  });

  it('counts a vanished upload as gone and a failing abort as failed', async () => {
    const { api } = setup(['p0', 'p1']);
    api.goneOnAbort.add('p0');
    api.failAbort.add('p1');
    const outcomes = await act(input({ picks: picks(['p0', 'p1']) }), { api, clock: () => NOW });
    expect(outcomes.map((o) => o.outcome)).toEqual(['gone', 'failed']);
    expect(outcomes[1]?.reason).toContain('ServiceUnavailableException');
  });

  it('with quiet-period, forgets the history of what it aborted or found gone', async () => {
    const { api, state } = setup(['p0', 'p1']);
    api.goneOnAbort.add('p1');
    for (const id of ['p0', 'p1'])
      await state.put(stateKey('123456789012', 'us-east-1', 'alpha', id), {} as never, undefined);
    await act(input({ picks: picks(['p0', 'p1']), quietPeriod: QUIET }), { api, state, clock: () => NOW });
    expect(state.items.size).toBe(0);
  });

  it('with quiet-period, does not list parts measured within the window again', async () => {
    const { api, state } = setup(['p0']);
    const at = NOW + REMEASURE_AFTER_MS;
    const outcomes = await act(input({ picks: picks(['p0']), quietPeriod: QUIET, deadline: at + 1 }), {
      api,
      state,
      clock: () => at,
    });
    expect(api.calls.map((c) => c.op)).toEqual(['abort']);
    expect(outcomes[0]?.outcome).toBe('aborted');
  });

  it('with quiet-period, lists parts measured longer ago again and aborts when they are unchanged', async () => {
    const { api, state } = setup(['p0']);
    const at = NOW + REMEASURE_AFTER_MS + 1;
    const outcomes = await act(input({ picks: picks(['p0']), quietPeriod: QUIET, deadline: at + 1 }), {
      api,
      state,
      clock: () => at,
    });
    expect(api.calls.map((c) => c.op)).toEqual(['listParts', 'abort']);
    expect(outcomes[0]).toMatchObject({ outcome: 'aborted', parts: { partCount: 1 } });
  });

  it('with quiet-period, keeps a pick whose parts changed since they were measured, and records the change', async () => {
    const { api, state } = setup(['p0', 'p1']);
    const key = stateKey('123456789012', 'us-east-1', 'alpha', 'p0');
    const [first, second] = picks(['p0', 'p1'], NOW - 10 * 60_000);
    // What the plan stored for p0 when it measured it; then a part arrives.
    const stored = historyOf(first?.parts?.fingerprint ?? '');
    await state.put(key, stored, undefined);
    api.parts.set('p0', [part(0), part(1)]);
    const warnings: string[] = [];

    const outcomes = await act(
      input({ picks: [{ ...first, history: stored } as Judged, second as Judged], quietPeriod: QUIET }),
      { api, state, clock: () => NOW, observer: { warning: (w) => warnings.push(w.message) } },
    );

    expect(outcomes[0]).toMatchObject({
      uploadId: 'p0',
      outcome: 'pending',
      reason: 'parts changed since they were measured in this run',
      eligibleAt: NOW + 2 * DAY,
      parts: { partCount: 2, bytes: 2048 },
    });
    expect(outcomes[1]).toMatchObject({ uploadId: 'p1', outcome: 'aborted' });
    expect(api.aborted.map((a) => a.uploadId)).toEqual(['p1']);
    // The quiet period starts again from now.
    expect(state.items.get(key)).toMatchObject({ lastChanged: NOW, partCount: 2, seenCount: 3 });
    expect(warnings).toEqual([]);
  });

  it('with quiet-period, keeps a pick whose parts can no longer be listed', async () => {
    const { api, state } = setup(['p0']);
    api.failParts.add('p0');
    const outcomes = await act(input({ picks: picks(['p0'], NOW - DAY), quietPeriod: QUIET }), {
      api,
      state,
      clock: () => NOW,
    });
    expect(outcomes[0]).toMatchObject({ outcome: 'pending' });
    expect(outcomes[0]?.reason).toContain('parts could not be listed again before its abort');
    expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
  });

  it('says so when the history of a changed pick cannot be written, or of an aborted one deleted', async () => {
    const { api, state } = setup(['p0', 'p1']);
    api.parts.set('p0', [part(0), part(1)]);
    state.failPut = true;
    state.delete = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };
    const warnings: string[] = [];
    const outcomes = await act(input({ picks: picks(['p0', 'p1'], NOW - DAY), quietPeriod: QUIET }), {
      api,
      state,
      clock: () => NOW,
      observer: { warning: (w) => warnings.push(`${w.uploadId}: ${w.message}`) },
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['pending', 'aborted']);
    expect(warnings).toEqual([
      expect.stringMatching(/^p0: state could not be written/),
      expect.stringMatching(/^p1: state could not be deleted/),
    ]);
  });

  it('starts aborts in the order of the picks, within the limits per vault and in all', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const api = new FakeVaultApi()
      .addVault(
        'alpha',
        ids.slice(0, 8).map((id) => uploadAged(id, 100, NOW)),
      )
      .addVault(
        'beta',
        ids.slice(8).map((id) => uploadAged(id, 100, NOW)),
      );
    let inFlight = 0;
    let peak = 0;
    api.onRequest = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
    };
    const ordered = picks(ids).map((p, i) => ({ ...p, vault: i < 8 ? 'alpha' : 'beta' }));
    await act(input({ picks: ordered, limits: { concurrency: 3, perKey: 2 } }), { api, clock: () => NOW });
    const started = api.calls.filter((c) => c.op === 'abort').map((c) => c.uploadId);
    expect(new Set(started).size).toBe(12);
    expect(peak).toBe(3);
    expect(api.maxInFlightAborts).toBe(3);
    // alpha's first two, then beta's first as alpha waits at its limit of two.
    expect(started.slice(0, 3)).toEqual(['p0', 'p1', 'p8']);
  });

  it('takes its input as plain data: a JSON copy of the picks acts the same', async () => {
    const original = picks(['p0', 'p1']);
    const copy = JSON.parse(JSON.stringify(original)) as Judged[];
    const a = setup(['p0', 'p1']);
    const b = setup(['p0', 'p1']);
    const fromOriginal = await act(input({ picks: original }), { api: a.api, clock: () => NOW });
    const fromCopy = await act(input({ picks: copy }), { api: b.api, clock: () => NOW });
    expect(fromCopy).toEqual(fromOriginal);
    expect(JSON.parse(JSON.stringify(fromCopy))).toEqual(fromCopy);
  });
});

describe('act, the checks before each abort', () => {
  it('without quiet-period or recheck sends the aborts alone: no pick is listed again, however old its measurement', async () => {
    const { api } = setup(['p0', 'p1', 'p2']);
    const [measuredLongAgo, unmeasured, measuredNow] = [
      ...picks(['p0'], NOW - DAY),
      { ...(picks(['p1'])[0] as Judged), parts: undefined, measuredAt: undefined },
      ...picks(['p2']),
    ];
    const outcomes = await act(input({ picks: [measuredLongAgo, unmeasured, measuredNow] as Judged[] }), {
      api,
      clock: () => NOW,
    });
    expect(api.calls.map((c) => [c.op, c.uploadId])).toEqual([
      ['abort', 'p0'],
      ['abort', 'p1'],
      ['abort', 'p2'],
    ]);
    expect(outcomes.map((o) => [o.outcome, o.parts])).toEqual([
      ['aborted', undefined],
      ['aborted', undefined],
      ['aborted', undefined],
    ]);
  });

  it('lists again a pick measured more than five minutes before its abort, not one measured within them', async () => {
    const FIVE_MINUTES = 5 * 60_000;
    const { api, state } = setup(['p0', 'p1', 'p2']);
    const measured = [
      ...picks(['p0'], NOW - FIVE_MINUTES),
      ...picks(['p1'], NOW - FIVE_MINUTES - 1),
      ...picks(['p2'], NOW - 4 * 60_000),
    ];
    await act(input({ picks: measured, quietPeriod: QUIET, limits: { concurrency: 1, perKey: 1 } }), {
      api,
      state,
      clock: () => NOW,
    });
    expect(api.calls.map((c) => [c.op, c.uploadId])).toEqual([
      ['abort', 'p0'],
      ['listParts', 'p1'],
      ['abort', 'p1'],
      ['abort', 'p2'],
    ]);
  });

  it('reads the clock again after listing the parts: a listing that ends at the deadline starts no abort', async () => {
    const deadline = NOW + 60_000;
    // p0's listing ends 1 ms before the deadline, p1's at the deadline itself.
    for (const [endsAt, expected] of [
      [deadline - 1, 'aborted'],
      [deadline, 'reported'],
    ] as const) {
      const { api, state } = setup(['p0']);
      let clock = NOW;
      api.onRequest = (op) => {
        if (op === 'listParts') clock = endsAt;
      };
      const outcomes = await act(input({ picks: picks(['p0'], NOW - DAY), quietPeriod: QUIET, deadline }), {
        api,
        state,
        clock: () => clock,
      });
      expect(outcomes[0]).toMatchObject({ outcome: expected, parts: { partCount: 1, bytes: 1024 } });
      if (expected === 'reported') {
        expect(outcomes[0]?.reason).toBe(TIME_BEFORE_ABORT);
        expect(api.calls.map((c) => c.op)).toEqual(['listParts']);
      } else {
        expect(api.calls.map((c) => c.op)).toEqual(['listParts', 'abort']);
      }
    }
  });

  it('with quiet-period, never aborts a pick whose parts were never seen, however recently it was measured', async () => {
    const { api, state } = setup(['p0']);
    const unseen = { ...(picks(['p0'])[0] as Judged), parts: undefined, measuredAt: NOW };
    const outcomes = await act(input({ picks: [unseen], quietPeriod: QUIET }), {
      api,
      state,
      clock: () => NOW,
    });
    expect(outcomes[0]).toMatchObject({
      outcome: 'pending',
      reason: PARTS_CHANGED,
      eligibleAt: NOW + 2 * DAY,
    });
    expect(api.calls.map((c) => c.op)).toEqual(['listParts']);
  });

  it('with quiet-period, a listing cancelled by the time budget keeps the pick and says so', async () => {
    const { api, state } = setup(['p0']);
    const cancelled = Object.assign(api, {
      listPartsPage: async (): Promise<PartsPage> => {
        throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
      },
    });
    const outcomes = await act(input({ picks: picks(['p0'], NOW - DAY), quietPeriod: QUIET }), {
      api: cancelled,
      state,
      clock: () => NOW,
    });
    expect(outcomes).toEqual([
      {
        vault: 'alpha',
        uploadId: 'p0',
        outcome: 'pending',
        reason: CANCELLED_WHILE_MEASURING,
        eligibleAt: NOW + 2 * DAY,
        parts: undefined,
      },
    ]);
    expect(api.aborted).toEqual([]);
  });

  it('with quiet-period alone, an upload not found when listed again is gone (its vault listed once to tell), its history deleted', async () => {
    const { api, state } = setup(['p0']);
    const list = api.listPartsPage.bind(api);
    Object.assign(api, {
      listPartsPage: async (vault: string, uploadId: string, marker: string | undefined) => {
        await list(vault, uploadId, marker);
        throw Object.assign(new Error('no such upload'), { name: 'ResourceNotFoundException' });
      },
    });
    const key = stateKey('123456789012', 'us-east-1', 'alpha', 'p0');
    await state.put(key, historyOf('f'), undefined);
    const outcomes = await act(input({ picks: picks(['p0'], NOW - DAY), quietPeriod: QUIET }), {
      api,
      state,
      clock: () => NOW,
    });
    expect(outcomes).toEqual([{ vault: 'alpha', uploadId: 'p0', outcome: 'gone' }]);
    expect(api.calls.map((c) => c.op)).toEqual(['listParts', 'list']);
    expect(api.aborted).toEqual([]);
    expect(await state.get(key)).toBeUndefined();
  });

  it('without quiet-period, leaves the history alone: nothing deleted, nothing to warn about', async () => {
    const { api, state } = setup(['p0']);
    const key = stateKey('123456789012', 'us-east-1', 'alpha', 'p0');
    await state.put(key, historyOf('f'), undefined);
    const warnings: string[] = [];
    const outcomes = await act(input({ picks: picks(['p0']) }), {
      api,
      state,
      clock: () => NOW,
      observer: { warning: (w) => warnings.push(w.message) },
    });
    expect(outcomes.map((o) => o.outcome)).toEqual(['aborted']);
    expect(state.items.get(key)).toEqual(historyOf('f'));
    expect(warnings).toEqual([]);
  });

  it('with quiet-period and no history store, keeps a changed pick and aborts an unchanged one without a warning', async () => {
    const { api } = setup(['p0', 'p1']);
    api.parts.set('p0', [part(0), part(1)]);
    const warnings: string[] = [];
    const outcomes = await act(input({ picks: picks(['p0', 'p1'], NOW - DAY), quietPeriod: QUIET }), {
      api,
      clock: () => NOW,
      observer: { warning: (w) => warnings.push(w.message) },
    });
    expect(outcomes.map((o) => [o.uploadId, o.outcome, o.reason])).toEqual([
      ['p0', 'pending', PARTS_CHANGED],
      ['p1', 'aborted', undefined],
    ]);
    expect(warnings).toEqual([]);
  });

  it('a history that cannot be written or deleted fails no pick, whether or not anyone takes warnings', async () => {
    for (const observer of [undefined, {}, { settled: () => {} }]) {
      const { api, state } = setup(['p0', 'p1']);
      api.parts.set('p0', [part(0), part(1)]);
      state.failPut = true;
      state.delete = async () => {
        throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      };
      const outcomes = await act(input({ picks: picks(['p0', 'p1'], NOW - DAY), quietPeriod: QUIET }), {
        api,
        state,
        clock: () => NOW,
        observer,
      });
      expect(outcomes.map((o) => [o.uploadId, o.outcome])).toEqual([
        ['p0', 'pending'],
        ['p1', 'aborted'],
      ]);
      expect(api.aborted.map((a) => a.uploadId)).toEqual(['p1']);
    }
  });
});
