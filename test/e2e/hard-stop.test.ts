import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../lambda/adapters/clients';
import { GlacierVaultApi } from '../../lambda/adapters/glacier';
import { isCancellation } from '../../lambda/core/errors';
import { hardStopAfter } from '../../lambda/core/notify';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../local/emulator';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    seed: { vaults: [{ name: 'v', uploads: makeUploads(3, { createdAt: daysAgo(30) }) }] },
  });
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
});

afterAll(() => emu.stop());

describe('hard stop of requests in flight', () => {
  it('cancels a hung request (and its retries) when the signal fires, long before the request timeout', async () => {
    emu.setFaults({ rules: [{ operation: 'ListMultipartUploads', fault: 'hang' }] });
    const clients = createClients({ region: 'us-east-1', endpoint: emu.url });
    const api = new GlacierVaultApi(clients.glacier, '-', AbortSignal.timeout(300));
    const started = Date.now();
    const error = await api.listUploadsPage('v', undefined).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    // The name the sweep relies on to call the vault unfinished rather than broken.
    expect(isCancellation(error)).toBe(true);
    // The client's request timeout is 10 s with 5 attempts: only the signal explains a stop this early.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(emu.requests({ operation: 'ListMultipartUploads' })).toHaveLength(1);
    clients.glacier.destroy();
  });

  it('leaves requests alone while the signal has not fired', async () => {
    emu.setFaults({});
    const clients = createClients({ region: 'us-east-1', endpoint: emu.url });
    const api = new GlacierVaultApi(clients.glacier, '-', AbortSignal.timeout(60_000));
    expect((await api.listUploadsPage('v', undefined)).uploads).toHaveLength(3);
    clients.glacier.destroy();
  });
});

describe('hardStopAfter', () => {
  it.each([
    [600_000, 570_000],
    [60_000, 54_000],
    [5_000, 4_000],
    [500, 0],
    [74_999, 67_499],
    [1_234.5, 234],
  ])('with %d ms left cancels after %d ms, keeping a reserve for the publish', (remaining, expected) => {
    expect(hardStopAfter(remaining)).toBe(expected);
    // AbortSignal.timeout throws a RangeError for anything but a whole number of milliseconds.
    expect(() => AbortSignal.timeout(hardStopAfter(remaining))).not.toThrow();
  });
});
