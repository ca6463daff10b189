import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../../../lambda/adapters/clients';
import { type Emulator, startEmulator } from '../../../local/emulator';
import {
  faultsInjected,
  messagesOf,
  publishedReport,
  reportOf,
  reports,
  run,
  seedThreeVaults,
  THREE_VAULTS,
  tally,
  violations,
} from './harness';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const VAULTS = THREE_VAULTS;
const setup = (parameters: Record<string, string> = {}) => seedThreeVaults(emu, parameters);

const STALE_PER_VAULT = { alpha: 41, beta: 21, gamma: 9 };

describe('SNS faults', () => {
  it('SNS throttled then recovering: the report is published once and the run succeeds', async () => {
    const { topicArn, before } = setup();
    emu.setFaults({ rules: [{ service: 'sns', operation: 'Publish', fault: 'throttle', times: 3 }] });
    const result = await run(emu, topicArn);
    const report = reportOf(result);

    tally('faults', faultsInjected(emu));
    const publishes = emu.requests({ service: 'sns', operation: 'Publish' });
    expect(publishes.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    expect(reports(emu)).toHaveLength(1);
    expect(publishedReport(reports(emu)[0] ?? fail()).totals).toEqual(report.totals);
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
  });

  it('SNS down for the whole run: the invocation fails after the whole report is logged', async () => {
    const { topicArn, before } = setup();
    emu.setFaults({ rules: [{ service: 'sns', fault: 'error' }] });
    const result = await run(emu, topicArn);

    tally('faults', faultsInjected(emu));
    expect(result.report).toBeUndefined();
    expect(result.error?.message).toMatch(/could not be published/);
    expect(result.error?.message).toContain(topicArn);
    expect(emu.requests({ service: 'sns', operation: 'Publish' })).toHaveLength(MAX_ATTEMPTS);
    expect(emu.published()).toEqual([]);

    const lines = result.logger.lines;
    const dump = messagesOf(lines, 'report could not be published; the whole report follows');
    expect(dump).toHaveLength(1);
    // Logged last: after every audit line, so nothing of the run is missing from the log.
    expect(lines.at(-1)).toBe(dump[0]);
    const logged = dump[0]?.extra.report as Parameters<typeof violations>[1];
    expect(violations(emu, logged, { before, mustComplete: VAULTS })).toEqual([]);
    expect(logged.totals).toMatchObject({ stale: 71, aborted: 71 });
    // The whole report: every stale upload, untrimmed, with its outcome.
    for (const v of VAULTS) {
      const entry = logged.vaults.find((x) => x.vault === v);
      expect(entry?.staleUploads).toHaveLength(STALE_PER_VAULT[v]);
      expect(entry?.staleUploadsOmitted).toBe(0);
    }
    expect(messagesOf(lines, 'stale upload')).toHaveLength(71);
  });
});

function fail(): never {
  throw new Error('expected a published report');
}
