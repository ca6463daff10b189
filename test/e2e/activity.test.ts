import { UploadMultipartPartCommand } from '@aws-sdk/client-glacier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../lambda/core/types';
import { daysAgo, type Emulator, startEmulator } from '../../local/emulator';
import { invokeLocally } from '../../local/invoke';
import { type LocalStateTable, startStateTable } from '../../local/state-table';
import { parseReport } from './helpers/report-schema';
import { type SdkClients, sdkClients } from './helpers/sdk-clients';
import { tally } from './reliability/harness';

const DAY = 86_400_000;
const MIB = 1_048_576;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:sweeper';
const partRange = (i: number) => ({
  range: `${i * MIB}-${(i + 1) * MIB - 1}`,
  treeHash: String(i).repeat(64).slice(0, 64),
});

let emu: Emulator;
let table: LocalStateTable;
let clients: SdkClients;
let ids: { slow: string; idle: string; young: string };

beforeAll(async () => {
  [emu, table] = await Promise.all([startEmulator(), startStateTable()]);
  clients = sdkClients(emu.url);
});

afterAll(async () => {
  clients.destroy();
  await Promise.all([emu.stop(), table.stop()]);
});

beforeEach(async () => {
  emu.reset();
  const seeded = emu.seed({
    topics: ['sweeper'],
    vaults: [
      {
        name: 'archive',
        uploads: [
          // A 20-day-old upload on a slow link: still receiving parts.
          {
            createdAt: daysAgo(20),
            description: 'slow 20 TB archive',
            partSizeBytes: MIB,
            parts: [partRange(0), partRange(1)],
          },
          { createdAt: daysAgo(15), description: 'abandoned', partSizeBytes: MIB, parts: [partRange(0)] },
          { createdAt: daysAgo(1), description: 'fresh', partSizeBytes: MIB },
        ],
      },
    ],
    parameters: [
      { name: '/glacier-sweeper/vaults', type: 'StringList', value: 'archive' },
      { name: '/glacier-sweeper/action', value: 'abort' },
      { name: '/glacier-sweeper/quiet-period', value: '2d' },
    ],
  });
  const [slow, idle, young] = seeded.uploadIds.archive ?? [];
  ids = { slow: slow ?? '', idle: idle ?? '', young: young ?? '' };
  await table.drop().catch(() => undefined);
  await table.create();
});

const start = Date.now();
/** One scheduled run, `days` after the first, as the handler sees it. */
async function runAt(days: number): Promise<SweepReport> {
  const result = await invokeLocally({
    endpoint: emu.url,
    topicArn: TOPIC,
    stateTable: table,
    clock: () => start + days * DAY,
  });
  if (!result.report) throw result.error ?? new Error('no report');
  return result.report;
}

const outcomeOf = (report: SweepReport, id: string) =>
  report.vaults[0]?.staleUploads.find((u) => u.uploadId === id)?.outcome;
const abortedIds = () =>
  emu
    .requests({ operation: 'AbortMultipartUpload' })
    .filter((r) => r.status === 204)
    .map((r) => r.uploadId);

async function uploadPart(uploadId: string, index: number): Promise<void> {
  await clients.glacier.send(
    new UploadMultipartPartCommand({
      accountId: '-',
      vaultName: 'archive',
      uploadId,
      range: `bytes ${index * MIB}-${(index + 1) * MIB - 1}/*`,
      body: Buffer.alloc(MIB, index),
    }),
  );
}

describe('activity-aware abort over HTTP (Glacier emulator + dynalite)', () => {
  it('marks, keeps pending, resets on a new part, and aborts only after a quiet period', async () => {
    const run1 = await runAt(0);
    expect([outcomeOf(run1, ids.slow), outcomeOf(run1, ids.idle)]).toEqual(['pending', 'pending']);
    expect(run1.vaults[0]?.staleUploads.find((u) => u.uploadId === ids.slow)).toMatchObject({
      partCount: 2,
      bytesUploaded: 2 * MIB,
    });
    expect(run1.totals).toMatchObject({ stale: 2, pending: 2, aborted: 0, bytesAtStake: 3 * MIB });
    expect((await table.items()).map((i) => i.pk).sort()).toEqual(
      [ids.slow, ids.idle].map((id) => `123456789012:us-east-1:archive#${id}`).sort(),
    );

    const run2 = await runAt(1);
    expect(run2.totals).toMatchObject({ pending: 2, aborted: 0 });

    await uploadPart(ids.slow, 2);
    const run3 = await runAt(2.1);
    expect(outcomeOf(run3, ids.idle)).toBe('aborted');
    expect(outcomeOf(run3, ids.slow)).toBe('pending');
    expect(run3.vaults[0]?.staleUploads.find((u) => u.uploadId === ids.slow)).toMatchObject({ partCount: 3 });

    const run4 = await runAt(4.2);
    expect(outcomeOf(run4, ids.slow)).toBe('aborted');
    expect(abortedIds()).toEqual([ids.idle, ids.slow]);
    expect(emu.uploads('archive').map((u) => u.uploadId)).toEqual([ids.young]);
    // Aborted uploads leave no history behind.
    expect(await table.items()).toEqual([]);
  });

  it('report mode reads and writes the history exactly as abort mode does, and aborts nothing', async () => {
    const setAction = (value: string) =>
      emu.seed({ parameters: [{ name: '/glacier-sweeper/action', value }] });
    setAction('report');
    await runAt(0);
    const afterReport = await table.items();
    await table.drop();
    await table.create();
    setAction('abort');
    await runAt(0);
    expect(await table.items()).toEqual(afterReport);
    expect(afterReport).toHaveLength(2);
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
  });

  it('after a week of report runs, the first abort run aborts what the last report run marked, at once', async () => {
    emu.seed({ parameters: [{ name: '/glacier-sweeper/action', value: 'report' }] });
    let last: SweepReport | undefined;
    for (const day of [0, 1, 2, 3, 4, 5, 6]) {
      last = await runAt(day);
      expect(last.action).toBe('report');
    }
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    const marked = last?.vaults[0]?.staleUploads.filter((u) => u.wouldAbort).map((u) => u.uploadId);
    expect(marked?.sort()).toEqual([ids.slow, ids.idle].sort());
    expect(last?.totals).toMatchObject({ stale: 2, reported: 2, wouldAbort: 2, pending: 0 });

    emu.seed({ parameters: [{ name: '/glacier-sweeper/action', value: 'abort' }] });
    const first = await runAt(6.1);
    expect(first.totals).toMatchObject({ aborted: 2, wouldAbort: 2 });
    expect(abortedIds().sort()).toEqual(marked?.sort());
  });

  it('in report mode shows when a pending upload may be aborted, and does not mark it', async () => {
    emu.seed({ parameters: [{ name: '/glacier-sweeper/action', value: 'report' }] });
    await runAt(0);
    await uploadPart(ids.slow, 2);
    const report = await runAt(2.1);
    const slow = report.vaults[0]?.staleUploads.find((u) => u.uploadId === ids.slow);
    expect(slow).toMatchObject({ outcome: 'reported', wouldAbort: false });
    expect(slow?.eligibleAt).toBe(new Date(start + 4.1 * DAY).toISOString());
    const idle = report.vaults[0]?.staleUploads.find((u) => u.uploadId === ids.idle);
    expect(idle).toMatchObject({ outcome: 'reported', wouldAbort: true });
    expect(idle?.eligibleAt).toBeUndefined();
  });

  it('never aborts on the first run after the state table was lost', async () => {
    await runAt(0);
    await table.drop();
    const lost = await runAt(5);
    expect(lost.totals).toMatchObject({ stale: 2, pending: 2, aborted: 0 });
    await table.create();
    const recreated = await runAt(6);
    expect(recreated.totals).toMatchObject({ pending: 2, aborted: 0 });
    expect(abortedIds()).toEqual([]);
    expect(emu.uploads('archive')).toHaveLength(3);
  });

  it('a history table that answers too slowly near the end of the budget is cancelled: nothing aborted, report published in time', async () => {
    // Run 1 records both stale uploads; three days later both are proven idle, unless the history
    // cannot be read in time. A 5 s invocation stops new work at 3 s and cancels requests at 4 s.
    await runAt(0);
    emu.clearRequests();
    table.setLatency(6_000);
    const invocationMs = 5_000;
    const started = Date.now();
    const result = await invokeLocally({
      endpoint: emu.url,
      topicArn: TOPIC,
      stateTable: table,
      clock: () => Date.now() + 3 * DAY,
      remainingMs: () => invocationMs - (Date.now() - started),
    });
    const elapsed = Date.now() - started;
    table.setLatency(0);
    tally('history-stop overrun ms', elapsed - invocationMs);

    expect(elapsed).toBeLessThan(invocationMs);
    expect(result.report?.totals).toMatchObject({ stale: 2, pending: 2, aborted: 0 });
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(emu.published().filter((m) => m.attributes.kind === 'report').length).toBeGreaterThan(0);
    expect(emu.uploads('archive')).toHaveLength(3);
  });

  it('tells the operator which uploads are pending and when they become eligible', async () => {
    await runAt(0);
    const message = emu.published().at(-1);
    expect(message?.subject).toContain('glacier-sweeper');
    const body = JSON.parse(message?.message ?? '{}') as Record<string, string>;
    expect(body.email).toContain('2 pending');
    expect(body.email).toContain('pending until');
    expect(body.email).toContain('3 MiB at stake');
    const json = parseReport(body.sqs ?? '{}');
    expect(
      json.vaults[0]?.staleUploads.every((u) => u.outcome === 'pending' && typeof u.eligibleAt === 'string'),
    ).toBe(true);
  });
});
