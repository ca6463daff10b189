import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../local/emulator';
import {
  configure,
  faultsInjected,
  reportOf,
  reports,
  run,
  snapshot,
  sweepable,
  tally,
  vaultUploads,
  violations,
} from './harness';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

const VAULTS = ['p1', 'p2'];
// Whole percents: fc.double leans on its bounds, which would leave most runs fault-free.
const percent = (max: number) => fc.integer({ min: 0, max }).map((n) => n / 100);

describe('random fault mixes', () => {
  it('never abort a young upload, account for every stale one, and always publish or fail loudly', async () => {
    let injected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          // Throttles are kept rarer than 5xx, so that most runs finish every vault.
          throttleRate: percent(15),
          errorRate: percent(25),
          resetRate: percent(15),
          stale: fc.tuple(fc.integer({ min: 4, max: 14 }), fc.integer({ min: 4, max: 14 })),
          action: fc.constantFrom('abort', 'report'),
          maxAborts: fc.integer({ min: 0, max: 40 }),
        }),
        async (mix) => {
          emu.reset();
          emu.seed({
            vaults: VAULTS.map((name, i) => ({ name, uploads: vaultUploads(name, mix.stale[i] ?? 0, 3) })),
          });
          const topicArn = configure(emu, {
            vaults: VAULTS.join(','),
            action: mix.action,
            'max-aborts': String(mix.maxAborts),
          });
          const before = snapshot(emu, VAULTS);
          emu.setFaults({
            seed: mix.seed,
            rules: [
              { service: 'glacier', fault: 'throttle', rate: mix.throttleRate },
              { service: 'glacier', fault: 'error', rate: mix.errorRate },
              { service: 'glacier', fault: 'reset', rate: mix.resetRate },
            ],
          });
          const result = await run(emu, topicArn);
          injected += faultsInjected(emu);
          const report = reportOf(result);
          expect(violations(emu, report, { before, mustComplete: sweepable(emu, VAULTS) })).toEqual([]);
          expect(report.totals.aborted + report.totals.gone + report.totals.failed).toBeLessThanOrEqual(
            mix.maxAborts,
          );
          if (mix.action === 'report')
            expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
          // Every run here has stale edge uploads, so every run must be reported.
          expect(reports(emu)).toHaveLength(1);
        },
      ),
      { numRuns: 15, seed: 20_261_127 },
    );
    tally('faults', injected);
    expect(injected).toBeGreaterThan(8);
  });
});
