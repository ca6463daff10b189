import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPOKE_ROLE_NAME } from '../../../lambda/fleet/names';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../../local/emulator';
import { listingKey } from '../../../local/emulator/glacier-store';
import {
  ACCOUNT_B,
  ACCOUNT_C,
  ACCOUNT_DENIED,
  BIG_VAULT,
  fleetDemoParameters,
} from '../../../local/fleet/demo';
import { LOCAL_RUN_BUCKET } from '../../../local/fleet/run';
import { synthesizeFleet } from '../../../local/fleet/synth';
import {
  abortedIds,
  countsHold,
  fleetViolations,
  must,
  notSwept,
  rejectNextListing,
  runFleet,
} from './helpers';

let emu: Emulator;
const synthesized = synthesizeFleet({ workerMaxPages: '150' });
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

describe('the invariant checker itself', () => {
  it('catches too many picks, picks that are not the oldest, and an abort the emulator did not see', async () => {
    const { report } = await runFleet(emu, synthesized, { action: 'abort', 'max-aborts': '50' });
    const run = must(report);
    expect(fleetViolations(emu, run, { 'max-aborts': '50' })).toEqual([]);
    expect(fleetViolations(emu, run, { 'max-aborts': '3' })).toEqual([
      '50 picks, more than max-aborts 3',
      'the picks are not the 3 oldest eligible uploads of the run',
    ]);
    const reported = run.vaults.find((v) => v.staleUploads.some((u) => u.outcome === 'reported'));
    const tampered = {
      ...run,
      vaults: run.vaults.map((v) =>
        v === reported
          ? {
              ...v,
              staleUploads: v.staleUploads.map((u) =>
                u.outcome === 'reported' ? { ...u, outcome: 'aborted' as const } : u,
              ),
            }
          : v,
      ),
    };
    expect(fleetViolations(emu, tampered, { 'max-aborts': '50' }).join('\n')).toMatch(
      /stale = Σ outcomes[\s\S]*reported aborted but still there/,
    );
  });
});

describe('fleet faults, each with its stated outcome; every other target completes', () => {
  it('a region not enabled is listed apart from errors', async () => {
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'report' },
      {
        seed: { accounts: [{ id: ACCOUNT_C, disabledRegions: ['eu-west-1'] }] },
      },
    );
    expect(result.error).toBeUndefined();
    expect(notSwept(must(report))).toEqual([
      `${ACCOUNT_C}/eu-west-1:region-not-enabled`,
      `${ACCOUNT_DENIED}/us-east-1:no-spoke`,
      `${ACCOUNT_DENIED}/eu-west-1:no-spoke`,
    ]);
    expect(report?.totals).toMatchObject({ targetErrors: 0, regionsNotEnabled: 1, noSpoke: 2 });
  });

  it('a vault gone between Survey and Act is one vault error, not a gone per pick; the others are aborted', async () => {
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'abort', 'max-aborts': '50' },
      {
        onStateEntered: (name) => {
          if (name !== 'ActOnPicks') return;
          // Someone empties and deletes the eu-west-1 backups vault of B while the run is between its steps.
          emu.addFaultRule({
            service: 'glacier',
            accountId: ACCOUNT_B,
            region: 'eu-west-1',
            vault: 'backups',
            fault: 'error',
            status: 404,
            code: 'ResourceNotFoundException',
          });
        },
      },
    );
    expect(result.error).toBeUndefined();
    const vault = report?.vaults.find((v) => v.account === ACCOUNT_B && v.region === 'eu-west-1');
    expect(vault).toMatchObject({ gone: 0, aborted: 0, error: expect.stringContaining('no longer exists') });
    expect(report?.totals.aborted).toBe(50 - (vault?.reported ?? 0));
    expect(abortedIds(emu).some((id) => id.includes('/eu-west-1/backups/'))).toBe(false);
    expect(countsHold(must(report))).toBe(true);
  });

  it('a pick changed between Survey and Act (now excluded) is skipped, never aborted', async () => {
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'abort', 'max-aborts': '50' },
      {
        onStateEntered: (name) => {
          if (name === 'ActOnPicks') emu.seed(fleetDemoParameters({ exclude: '^old logs' }));
        },
      },
    );
    expect(result.error).toBeUndefined();
    const logs = report?.vaults.find((v) => v.vault === 'logs');
    expect(logs).toMatchObject({ stale: 5, skipped: 5, aborted: 0 });
    expect(abortedIds(emu).some((id) => id.includes('/logs/'))).toBe(false);
    expect(countsHold(must(report))).toBe(true);
  });

  it('an upload aborted by someone else between Survey and Act is gone', async () => {
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'abort', 'max-aborts': '5' },
      {
        onStateEntered: (name) => {
          if (name === 'ActOnPicks')
            emu.addFaultRule({
              service: 'glacier',
              operation: 'ListParts',
              vault: 'logs',
              fault: 'error',
              status: 404,
              code: 'ResourceNotFoundException',
            });
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(report?.vaults.find((v) => v.vault === 'logs')).toMatchObject({
      gone: 5,
      aborted: 0,
      error: null,
    });
  });

  it('a marker Glacier rejects on resume restarts the vault from the first page once, and the report says so', async () => {
    let armed = false;
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'report' },
      {
        wrap: {
          'sweep-vault': async (input, real) => {
            const event = input as { marker?: string | null; invocation?: number; account: string };
            if (!armed && event.account === ACCOUNT_B && event.marker && event.invocation === 1) {
              armed = true;
              rejectNextListing(emu, { vault: BIG_VAULT });
            }
            return real(input);
          },
        },
      },
    );
    expect(result.error).toBeUndefined();
    const big = report?.vaults.find((v) => v.vault === BIG_VAULT);
    expect(big).toMatchObject({
      restarted: true,
      complete: true,
      scanned: 20_000,
      stale: 200,
      duplicates: 0,
    });
    expect(JSON.parse(emu.published()[0]?.message ?? '{}').email).toContain(
      'listed again from the first page',
    );
  });

  it('Select failing after its retries: nothing aborted, the run still reports and says so', async () => {
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'abort' },
      {
        wrap: {
          select: async () => {
            throw Object.assign(new Error('out of memory'), { name: 'Runtime.OutOfMemory' });
          },
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(abortedIds(emu)).toEqual([]);
    expect(report).toMatchObject({ selectFailed: true, complete: false, action: 'report' });
    expect(JSON.parse(emu.published()[0]?.message ?? '{}').email).toContain('Select did not finish');
  });

  it('the report cannot be published: the execution fails, the full report is in S3, the error says where', async () => {
    const { result } = await runFleet(
      emu,
      synthesized,
      { action: 'report' },
      {
        onStateEntered: (name) => {
          if (name === 'Report')
            emu.addFaultRule({ service: 'sns', operation: 'Publish', fault: 'error', status: 500 });
        },
      },
    );
    expect(result.error?.message).toMatch(/could not be published.*s3 key reports\/.*\/fleet\.json/);
    expect(emu.objects(LOCAL_RUN_BUCKET, 'reports/').some((o) => o.key.endsWith('/fleet.json'))).toBe(true);
  });

  it.each([
    ['regions', { regions: 'eu-west-1,Mars' }],
    ['exclude-accounts', { 'exclude-accounts': 'abc' }],
    ['abort-accounts', { 'abort-accounts': '1234567890123' }],
    ['account-id', { 'account-id': '-' }],
  ])(
    'a bad %s: a configuration error naming it, nothing listed, one alert, the execution fails',
    async (name, settings) => {
      const { result } = await runFleet(emu, synthesized, settings);
      expect(result.error?.message).toContain(`/glacier-sweeper-fleet/${name}`);
      expect(emu.requests({ service: 'glacier' })).toEqual([]);
      expect(emu.requests({ service: 'sts' })).toEqual([]);
      expect(emu.published()).toHaveLength(1);
    },
  );

  it('abort-accounts: aborts only there, reports everywhere else (the staged rollout)', async () => {
    const { result, report } = await runFleet(emu, synthesized, {
      action: 'abort',
      'max-aborts': '1000',
      'abort-accounts': ACCOUNT_C,
    });
    expect(result.error).toBeUndefined();
    expect(new Set(abortedIds(emu).map((id) => id.split('/')[0]))).toEqual(new Set([ACCOUNT_C]));
    expect(report?.accounts.find((a) => a.account === ACCOUNT_B)?.totals).toMatchObject({ aborted: 0 });
    expect(report?.accounts.find((a) => a.account === ACCOUNT_C)?.totals).toMatchObject({
      aborted: 25,
      stale: 25,
    });
  });

  it('accounts = organization: every ACTIVE account, ListAccounts throttled and retried', async () => {
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { accounts: 'organization', action: 'report' },
      {
        seed: {
          accounts: [{ id: '510987654321', state: 'SUSPENDED' }],
          organization: { pageSize: 2 },
          roles: [{ name: SPOKE_ROLE_NAME }],
        },
        onStateEntered: () => undefined,
        env: {},
        running: [],
        wrap: {
          plan: async (input, real) => {
            emu.addFaultRule({ service: 'organizations', fault: 'throttle', times: 2 });
            return real(input);
          },
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(
      emu
        .requests({ operation: 'ListAccounts' })
        .map((r) => r.status)
        .slice(0, 2),
    ).toEqual([429, 429]);
    expect(new Set(report?.targets.map((t) => t.account))).toEqual(
      new Set(['123456789012', ACCOUNT_B, ACCOUNT_C, ACCOUNT_DENIED]),
    );
  });

  it('an upload listed again by a later worker invocation is one upload, fresh or stale: counted, picked and aborted once', async () => {
    // 152 pages of 50: the worker lists 150 an invocation, so the first page and the last are listed
    // by different invocations. The emulator lists in the order of listingKey: the two uploads
    // listed first are listed again, under their own ids, as the last two.
    const ids = Array.from({ length: 7_600 }, (_, i) => `upload-${String(i).padStart(4, '0')}`);
    const order = [...ids].sort((a, b) => (listingKey(a) < listingKey(b) ? -1 : 1));
    const [staleId, freshId] = order;
    const [lastButOne, last] = order.slice(-2);
    const uploads = makeUploads(7_600, { description: (i) => `u ${i}` }).map((upload, i) => {
      const uploadId = ids[i] as string;
      const stale = uploadId === staleId || uploadId === last;
      const listedId = uploadId === last ? staleId : uploadId === lastButOne ? freshId : undefined;
      return { ...upload, uploadId, createdAt: daysAgo(stale ? 90 : 1), ...(listedId ? { listedId } : {}) };
    });
    const { result, report } = await runFleet(
      emu,
      synthesized,
      { action: 'abort', 'max-aborts': '1000', vaults: 'repeats' },
      {
        seed: { vaults: [{ name: 'repeats', accountId: ACCOUNT_C, region: 'us-east-1', uploads }] },
      },
    );
    expect(result.error).toBeUndefined();
    const vault = report?.vaults.find(
      (v) => v.vault === 'repeats' && v.account === ACCOUNT_C && v.region === 'us-east-1',
    );
    expect(report?.totals.absent).toBe(3);
    expect(vault).toMatchObject({ scanned: 7_598, duplicates: 2, stale: 1, aborted: 1 });
    expect(emu.requests({ operation: 'AbortMultipartUpload', vault: 'repeats' })).toHaveLength(1);
  });

  it('one SNS message per account, with attribute account, when asked', async () => {
    const { result } = await runFleet(
      emu,
      synthesized,
      { action: 'report' },
      { env: { SWEEPER_ACCOUNT_MESSAGES: 'on' } },
    );
    expect(result.error).toBeUndefined();
    const accounts = emu
      .published()
      .map((m) => (m.attributes as Record<string, { value?: string } | string>).account);
    expect(accounts).toHaveLength(4);
  });
});
