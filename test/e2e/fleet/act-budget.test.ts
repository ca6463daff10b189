import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../../local/emulator';
import { ACCOUNT_C } from '../../../local/fleet/demo';
import { LOCAL_RUN_BUCKET } from '../../../local/fleet/run';
import { synthesizeFleet } from '../../../local/fleet/synth';
import { abortedIds, must, runFleet } from './helpers';

/**
 * Act's time budget: a target's picks are carried out one at a time from a cursor; a pick the time
 * does not reach waits for the next Act invocation (the MorePicks loop), and a pick is never aborted
 * twice. Glacier answers this vault's ListParts and aborts 250 ms late, and Act is given 800 ms
 * beyond the 15 s it keeps in reserve, so one invocation carries out one or two picks.
 */

const RESERVE_MS = 15_000;
const PICKS = 6;
let emu: Emulator;
const synthesized = synthesizeFleet({ workerMaxPages: '150' });
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const seed = {
  vaults: [
    {
      name: 'budget',
      accountId: ACCOUNT_C,
      region: 'us-east-1',
      uploads: makeUploads(PICKS, { createdAt: (i) => daysAgo(30 + i), description: (i) => `old ${i}` }),
    },
  ],
};
const settings = { action: 'abort', 'max-aborts': '1000', vaults: 'budget', regions: 'us-east-1' };
const slowGlacier = () =>
  emu.setFaults({
    rules: ['ListParts', 'AbortMultipartUpload'].map((operation) => ({
      service: 'glacier' as const,
      operation,
      vault: 'budget',
      fault: 'latency' as const,
      latencyMs: 250,
    })),
  });

describe("Act's time budget", () => {
  it('a pick the time does not reach waits for the next Act invocation; every pick aborted once', async () => {
    const { result, report } = await runFleet(emu, synthesized, settings, {
      seed,
      remainingMs: { act: () => RESERVE_MS + 800 },
      // runFleet resets the emulator first: Glacier turns slow once Act starts.
      onStateEntered: (name) => {
        if (name === 'ActOnPicks') slowGlacier();
      },
    });
    expect(result.error).toBeUndefined();
    const acts = result.invocations.act ?? 0;
    expect(acts).toBeGreaterThanOrEqual(3);
    expect(acts).toBeLessThanOrEqual(PICKS);
    // Each abort sent once, all answered, all picks aborted.
    expect(emu.requests({ operation: 'AbortMultipartUpload', vault: 'budget' })).toHaveLength(PICKS);
    expect(abortedIds(emu)).toHaveLength(PICKS);
    const vault = must(report).vaults.find((v) => v.vault === 'budget' && v.account === ACCOUNT_C);
    expect(vault).toMatchObject({ stale: PICKS, aborted: PICKS, reported: 0 });
    // One outcomes record per Act invocation, each naming the picks it carried out, none twice.
    const records = emu
      .objects(LOCAL_RUN_BUCKET, `runs/${result.executionName}/act/`)
      .filter((o) => o.key.includes('/outcomes/'));
    expect(records).toHaveLength(acts);
    const carried = records.flatMap(
      (o) => (JSON.parse(o.body.toString('utf8')) as { outcomes: { uploadId: string }[] }).outcomes,
    );
    expect(new Set(carried.map((o) => o.uploadId)).size).toBe(PICKS);
    expect(carried).toHaveLength(PICKS);
  });

  it('an Act with no time for a single pick fails its target: named in the report, nothing aborted', async () => {
    const { result, report } = await runFleet(emu, synthesized, settings, {
      seed,
      remainingMs: { act: () => RESERVE_MS },
    });
    expect(result.error).toBeUndefined();
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    const run = must(report);
    const target = run.targets.find((t) => t.account === ACCOUNT_C && t.region === 'us-east-1');
    expect(target).toMatchObject({ status: 'error' });
    expect(target?.error).toMatch(/^Act failed: .*no time left to carry out a single pick/);
    expect(run.totals.targetErrors).toBe(1);
    expect(run.complete).toBe(false);
  });
});
