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
  sweepable,
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

describe('Glacier faults', () => {
  it('30 % of Glacier requests throttled: retries recover, every vault swept completely', async () => {
    const { topicArn, before } = setup();
    emu.setFaults({ seed: 30, rules: [{ service: 'glacier', fault: 'throttle', rate: 0.3 }] });
    const report = reportOf(await run(emu, topicArn));

    const throttled = emu.requests({ service: 'glacier', fault: 'throttle' });
    tally('faults', faultsInjected(emu));
    expect(throttled.length).toBeGreaterThan(20);
    expect(throttled.every((r) => r.status === 400 && r.errorCode === 'ThrottlingException')).toBe(true);
    expect(sweepable(emu, VAULTS)).toEqual(VAULTS);
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
    // An abort throttled on every attempt is a failure (0.3^MAX_ATTEMPTS per upload): counted, never lost.
    expect(report.totals).toMatchObject({ stale: 71, vaultErrors: 0 });
    expect(report.totals.aborted + report.totals.failed).toBe(71);
    expect(report.totals.failed).toBeLessThanOrEqual(2);
    expect(emu.uploads('alpha').map((u) => u.uploadId)).toContain('alpha-edge-young');
    expect(publishedReport(reports(emu)[0] ?? fail()).totals).toEqual(report.totals);
  });

  it('bursts of 5xx on listing and aborts: retried, nothing lost, nothing double-counted', async () => {
    const { topicArn, before } = setup();
    emu.setFaults({
      seed: 5,
      rules: [
        { service: 'glacier', operation: 'ListMultipartUploads', vault: 'alpha', fault: 'error', times: 4 },
        { service: 'glacier', operation: 'AbortMultipartUpload', fault: 'error', status: 503, times: 12 },
        // Random bursts on the list and abort calls (ListParts, which only measures, is left alone).
        { service: 'glacier', operation: 'ListMultipartUploads', fault: 'error', rate: 0.1 },
        { service: 'glacier', operation: 'AbortMultipartUpload', fault: 'error', rate: 0.1 },
      ],
    });
    const report = reportOf(await run(emu, topicArn));

    tally('faults', faultsInjected(emu));
    expect(emu.requests({ fault: 'error' }).length).toBeGreaterThanOrEqual(16);
    // The first page of alpha needed five attempts: four bursts, then an answer.
    const alphaPages = emu.requests({ operation: 'ListMultipartUploads', vault: 'alpha' });
    expect(alphaPages.slice(0, 4).every((r) => r.status === 500)).toBe(true);
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
    expect(report.totals.stale).toBe(71);
    expect(report.totals.aborted + report.totals.failed).toBe(71);
    expect(report.totals.failed).toBeLessThanOrEqual(2);
  });

  it('connection resets: the SDK retries on a new connection and the sweep completes', async () => {
    const { topicArn, before } = setup();
    emu.setFaults({ seed: 7, rules: [{ service: 'glacier', fault: 'reset', rate: 0.2 }] });
    const report = reportOf(await run(emu, topicArn));

    const resets = emu.requests({ fault: 'reset' });
    tally('faults', faultsInjected(emu));
    expect(resets.length).toBeGreaterThan(10);
    expect(resets.every((r) => r.status === null)).toBe(true);
    expect(sweepable(emu, VAULTS)).toEqual(VAULTS);
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
    expect(report.totals.aborted + report.totals.failed).toBe(71);
    expect(report.totals.failed).toBeLessThanOrEqual(2);
  });

  it("a hung list and a hung abort: the SDK's request timeout fires and the retry succeeds", async () => {
    const { topicArn, before } = setup();
    emu.setFaults({
      rules: [
        { service: 'glacier', operation: 'ListMultipartUploads', vault: 'beta', fault: 'hang', times: 1 },
        {
          service: 'glacier',
          operation: 'AbortMultipartUpload',
          uploadId: 'gamma-stale-3',
          fault: 'hang',
          times: 1,
        },
      ],
    });
    const started = Date.now();
    // 1.5 s, not less: on a loaded machine a shorter timeout also fires on aborts the emulator has
    // already answered, and their retry meets 404 (`gone`, the known limit in RELIABILITY.md); a run
    // whose 70 aborts start together once the plan is made met that at 300 ms.
    const report = reportOf(await run(emu, topicArn, { clientOptions: { requestTimeoutMs: 1_500 } }));
    const elapsed = Date.now() - started;

    tally('faults', faultsInjected(emu));
    const hung = emu.requests({ fault: 'hang' });
    expect(hung.map((r) => [r.operation, r.status])).toEqual(
      expect.arrayContaining([
        ['ListMultipartUploads', null],
        ['AbortMultipartUpload', null],
      ]),
    );
    expect(hung).toHaveLength(2);
    // Without the timeout the run would wait for ever on the hung sockets.
    expect(elapsed).toBeLessThan(15_000);
    expect(emu.requests({ operation: 'AbortMultipartUpload', uploadId: 'gamma-stale-3' })).toHaveLength(2);
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
    expect(report.vaults.find((v) => v.vault === 'gamma')?.staleUploads).toContainEqual(
      expect.objectContaining({ uploadId: 'gamma-stale-3', outcome: 'aborted' }),
    );
  });

  it.each([
    ['a retried 5xx', { status: 500, code: 'ServiceUnavailableException' }, MAX_ATTEMPTS],
    ['an AccessDenied that is not retried', { status: 403, code: 'AccessDeniedException' }, 1],
  ])(
    'one vault whose listing always fails (%s): the others are swept, it is a vault error',
    async (_name, fault, attempts) => {
      const { topicArn, before } = setup();
      emu.setFaults({
        rules: [
          { service: 'glacier', operation: 'ListMultipartUploads', vault: 'beta', fault: 'error', ...fault },
        ],
      });
      const result = await run(emu, topicArn);
      const report = reportOf(result);

      tally('faults', faultsInjected(emu));
      expect(emu.requests({ operation: 'ListMultipartUploads', vault: 'beta' })).toHaveLength(attempts);
      const beta = report.vaults.find((v) => v.vault === 'beta');
      expect(beta).toMatchObject({ complete: false, scanned: 0, stale: 0 });
      expect(beta?.error).toContain(fault.code);
      expect(emu.requests({ operation: 'AbortMultipartUpload', vault: 'beta' })).toEqual([]);
      expect(emu.uploads('beta')).toHaveLength(before.byVault.get('beta')?.length ?? -1);
      expect(report).toMatchObject({ complete: false, totals: { vaultErrors: 1, aborted: 50, failed: 0 } });
      expect(violations(emu, report, { before, mustComplete: ['alpha', 'gamma'] })).toEqual([]);
      const published = reports(emu);
      expect(published).toHaveLength(1);
      expect(publishedReport(published[0] ?? fail()).vaults.find((v) => v.vault === 'beta')?.error).toContain(
        fault.code,
      );
      expect(
        messagesOf(result.logger.lines, 'vault swept').find((l) => l.extra.vault === 'beta')?.level,
      ).toBe('error');
    },
  );

  it('abort failing for specific uploads: each is failed, logged as an error, kept; the rest proceed', async () => {
    const { topicArn, before } = setup();
    emu.setFaults({
      rules: [
        { operation: 'AbortMultipartUpload', uploadId: 'alpha-stale-7', fault: 'error' },
        {
          operation: 'AbortMultipartUpload',
          uploadId: 'beta-stale-2',
          fault: 'error',
          status: 502,
          code: 'ServiceUnavailableException',
        },
        {
          operation: 'AbortMultipartUpload',
          uploadId: 'gamma-stale-1',
          fault: 'error',
          status: 403,
          code: 'AccessDeniedException',
        },
        // Answered as already gone: counted apart, not a failure.
        {
          operation: 'AbortMultipartUpload',
          uploadId: 'gamma-stale-2',
          fault: 'error',
          status: 404,
          code: 'ResourceNotFoundException',
        },
      ],
    });
    const result = await run(emu, topicArn);
    const report = reportOf(result);

    tally('faults', faultsInjected(emu));
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
    expect(report.totals).toMatchObject({ stale: 71, aborted: 67, failed: 3, gone: 1 });
    const failedIds = report.vaults.flatMap((v) => v.staleUploads.filter((u) => u.outcome === 'failed'));
    expect(failedIds.map((u) => u.uploadId).sort()).toEqual([
      'alpha-stale-7',
      'beta-stale-2',
      'gamma-stale-1',
    ]);
    expect(emu.requests({ uploadId: 'alpha-stale-7', operation: 'AbortMultipartUpload' })).toHaveLength(
      MAX_ATTEMPTS,
    );
    expect(emu.requests({ uploadId: 'gamma-stale-1', operation: 'AbortMultipartUpload' })).toHaveLength(1);
    for (const id of ['alpha-stale-7', 'beta-stale-2', 'gamma-stale-1', 'gamma-stale-2']) {
      const vault = id.split('-')[0] as string;
      expect(emu.uploads(vault).some((u) => u.uploadId === id)).toBe(true);
    }
    const errors = result.logger.lines.filter((l) => l.message === 'stale upload' && l.level === 'error');
    expect(errors.map((l) => l.extra.uploadId).sort()).toEqual([
      'alpha-stale-7',
      'beta-stale-2',
      'gamma-stale-1',
    ]);
    expect(errors.every((l) => typeof l.extra.reason === 'string' && l.extra.reason.length > 0)).toBe(true);
  });
});

describe('the checker itself', () => {
  it("catches a fresh upload aborted behind the report's back, and a vault left unfinished", async () => {
    const { topicArn, before } = setup({ action: 'report' });
    const report = reportOf(await run(emu, topicArn));
    expect(violations(emu, report, { before, mustComplete: VAULTS })).toEqual([]);
    const response = await fetch(`${emu.url}/-/vaults/alpha/multipart-uploads/alpha-edge-young`, {
      method: 'DELETE',
      headers: { 'x-amz-glacier-version': '2012-06-01' },
    });
    expect(response.status).toBe(204);
    const unfinished = {
      ...report,
      vaults: report.vaults.map((v) => ({ ...v, complete: false, error: 'x' })),
    };
    expect(violations(emu, unfinished, { before, mustComplete: ['beta'] })).toEqual([
      'aborted alpha-edge-young, younger than 604800000 ms at run start',
      'aborted: report says 0, emulator recorded 1',
      'aborted entries: report says 0, emulator recorded 1',
      'alpha-edge-young: emulator says aborted, report says undefined',
      'beta was not swept completely (x)',
    ]);
  });
});

function fail(): never {
  throw new Error('expected a published report');
}
