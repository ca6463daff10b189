import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator';
import { countExecutions, runScaleFleet, targetsAtCap } from '../../../local/fleet/scale';
import { synthesizeFleet } from '../../../local/fleet/synth';

// The local engine cannot show Step Functions' payload and history limits: these are measured from
// its events (payload sizes exactly, history events by the per-state model in local/fleet/scale.ts).
const PAYLOAD_LIMIT = 262_144;
const HISTORY_LIMIT = 25_000;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

describe('100 targets × 3 vaults', () => {
  it('keeps every payload and every execution far from the limits; the target list fits at the cap', async () => {
    const run = await runScaleFleet(emu, synthesizeFleet(), 50, 3);
    expect(run.error).toBeUndefined();
    expect(run.invocations).toMatchObject({
      plan: 1,
      resolve: 100,
      'sweep-vault': 300,
      select: 1,
      act: 100,
      report: 1,
    });
    const counts = countExecutions(run.events);
    expect(counts.executions).toBe(1 + 100 + 100 + 100);
    expect(counts.largestPayloadBytes).toBeLessThan(PAYLOAD_LIMIT / 10);
    expect(counts.largestExecutionEvents).toBeLessThan(HISTORY_LIMIT / 100);
    const planOutput = run.events.find((e) => e.type === 'StateExited' && e.state?.name === 'Plan')?.state
      ?.output;
    expect(targetsAtCap(Buffer.byteLength(JSON.stringify(planOutput)), 100)).toBeLessThan(PAYLOAD_LIMIT);
    // Every stale upload aborted, each once.
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(100 * 3 * 2);
  });
});
