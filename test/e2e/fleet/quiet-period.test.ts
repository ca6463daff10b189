import { GlacierClient, UploadMultipartPartCommand } from '@aws-sdk/client-glacier';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Candidate, FleetReport, PickOutcome } from '../../../lambda/core/fleet-types';
import type { SweepVaultEvent } from '../../../lambda/fleet/sweep-vault';
import { type Emulator, type Seed, startEmulator } from '../../../local/emulator';
import { listingKey } from '../../../local/emulator/glacier-store';
import { ACCOUNT_B, ACCOUNT_C } from '../../../local/fleet/demo';
import { LOCAL_RUN_BUCKET, type LocalFleetOptions } from '../../../local/fleet/run';
import { synthesizeFleet } from '../../../local/fleet/synth';
import { type LocalStateTable, startStateTable } from '../../../local/state-table';
import { FAKE_CREDENTIALS } from '../helpers/sdk-clients';
import { abortedIds, must, rejectNextListing, runFleet } from './helpers';

/**
 * `quiet-period` in fleet mode, end to end: the synthesized state machine on aws-local-stepfunctions,
 * the real handlers, the emulator, and the upload history in dynalite (`startStateTable`). The
 * handlers' clock is the test's: a run "days later" is the same emulator and table with the clock
 * moved. Every case is checked against the emulator's record (its 204s, the uploads it still holds)
 * and the table's items, beside the run's own S3 objects; `runFleet` checks the fleet invariants
 * (nothing aborted that was not picked, picks the oldest eligible, stale = Σ outcomes) on each run.
 */

const DAY = 86_400_000;
const MIB = 1_048_576;
/** One page a worker invocation: a vault of 60 uploads takes two invocations. */
const CONTEXT = { workerMaxPages: '1' };
const synthesized = synthesizeFleet(CONTEXT);
const QUIET = { action: 'abort', 'quiet-period': '2d', 'older-than': '7d', 'max-aborts': '50' };
const FIRST_SEEN = 'first seen by this run';
const CHANGED_SINCE_LAST_RUN = 'parts changed since the last run';
const CHANGED_SINCE_SURVEY = 'parts changed since they were measured in this run';

const part = (i: number) => ({ range: `${i * MIB}-${(i + 1) * MIB - 1}`, treeHash: String(i).repeat(64) });
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** The small fleet: vault `quiet` in two targets, two stale uploads and a young one in B's, one stale in C's. */
const B = { account: ACCOUNT_B, region: 'us-east-1' };
const C = { account: ACCOUNT_C, region: 'eu-west-1' };
const IDS = { idle: 'qp-idle', busy: 'qp-busy', young: 'qp-young', far: 'qp-far', farYoung: 'qp-far-young' };
const quietSeed = () => ({
  vaults: [
    {
      name: 'quiet',
      accountId: B.account,
      region: B.region,
      uploads: [
        { uploadId: IDS.idle, createdAt: ago(40), description: 'idle', partSizeBytes: MIB, parts: [part(0)] },
        {
          uploadId: IDS.busy,
          createdAt: ago(30),
          description: 'slow link',
          partSizeBytes: MIB,
          parts: [part(0), part(1)],
        },
        { uploadId: IDS.young, createdAt: ago(1), description: 'young', partSizeBytes: MIB },
      ],
    },
    {
      name: 'quiet',
      accountId: C.account,
      region: C.region,
      uploads: [
        {
          uploadId: IDS.far,
          createdAt: ago(50),
          description: 'far away',
          partSizeBytes: MIB,
          parts: [part(0), part(1), part(2)],
        },
        { uploadId: IDS.farYoung, createdAt: ago(2), description: 'young', partSizeBytes: MIB },
      ],
    },
  ],
});

/**
 * Vault `long` in C's us-east-1: 60 uploads, two pages of the emulator's 50, so with one page a
 * worker invocation it takes two. The emulator lists in `listingKey` order: two stale uploads are
 * on the first page, one on the second; the rest are a day old.
 */
const LONG = { account: ACCOUNT_C, region: 'us-east-1' };
const longIds = Array.from({ length: 60 }, (_, i) => `long-${String(i).padStart(2, '0')}`);
const longOrder = [...longIds].sort((a, b) => (listingKey(a) < listingKey(b) ? -1 : 1));
const LONG_STALE = {
  firstPage: [longOrder[0], longOrder[1]] as string[],
  secondPage: longOrder[55] as string,
};
const longSeed = () => {
  const stale = new Set([...LONG_STALE.firstPage, LONG_STALE.secondPage]);
  return {
    vaults: [
      {
        name: 'long',
        accountId: LONG.account,
        region: LONG.region,
        uploads: longIds.map((uploadId, i) => ({
          uploadId,
          createdAt: ago(stale.has(uploadId) ? 20 + i : 1),
          description: `long ${i}`,
          partSizeBytes: MIB,
          parts: [part(0)],
        })),
      },
    ],
  };
};

let emu: Emulator;
let table: LocalStateTable;
const glacier = new Map<string, GlacierClient>();
beforeAll(async () => {
  [emu, table] = await Promise.all([startEmulator(), startStateTable()]);
});
afterAll(async () => {
  for (const client of glacier.values()) client.destroy();
  await Promise.all([emu.stop(), table.stop()]);
});
beforeEach(async () => {
  await table.drop();
  await table.create();
});

/** The test's clock: a run "days later" sets it; a test may move it within a run. */
const T0 = Date.now();
let now = T0;
const clock = () => now;
const iso = (ms: number) => new Date(ms).toISOString();

/** One run at `at` (the clock stays there unless the test moves it), over the emulator as it is when `again`. */
function runAt(
  at: number,
  settings: Record<string, string>,
  extra: Partial<LocalFleetOptions> & { seed?: Seed; again?: boolean } = {},
) {
  now = at;
  return runFleet(emu, synthesized, settings, {
    context: CONTEXT,
    stateTable: table,
    clock,
    ...(extra.again ? {} : { seed: quietSeed() }),
    ...extra,
  });
}

/** A part uploaded by the owner, as the SDK sends it: the emulator computes its tree hash. */
async function uploadPart(
  where: { account: string; region: string },
  vault: string,
  uploadId: string,
  index: number,
) {
  let client = glacier.get(where.region);
  if (client === undefined) {
    client = new GlacierClient({ endpoint: emu.url, region: where.region, credentials: FAKE_CREDENTIALS });
    glacier.set(where.region, client);
  }
  await client.send(
    new UploadMultipartPartCommand({
      accountId: where.account,
      vaultName: vault,
      uploadId,
      range: `bytes ${index * MIB}-${(index + 1) * MIB - 1}/*`,
      body: Buffer.alloc(MIB, index),
    }),
  );
}

const historyKey = (where: { account: string; region: string }, vault: string, uploadId: string) =>
  `${where.account}:${where.region}:${vault}#${uploadId}`;

/** The table's items by key. */
async function history(): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await table.items()).map((item) => [String(item.pk), item]));
}

/** A run's S3 objects under its prefix, parsed. */
function runObjects(runId: string): { key: string; json: unknown }[] {
  return emu
    .objects(LOCAL_RUN_BUCKET, `runs/${encodeURIComponent(runId)}/`)
    .map((o) => ({ key: o.key, json: JSON.parse(o.body.toString('utf8')) as unknown }));
}

/**
 * Survey's verdicts as the worker wrote them (the chunks of the pass each vault's done.json names),
 * by `account/region/vault/uploadId`: the reason a pending upload is pending is here.
 */
function verdicts(runId: string): Map<string, Candidate> {
  const objects = runObjects(runId);
  const out = new Map<string, Candidate>();
  for (const { key, json } of objects) {
    const m = /targets\/([^/]+)\/([^/]+)\/vaults\/([^/]+)\/chunks\/(\d+)-\d+\.json$/.exec(key);
    if (m === null) continue;
    const done = objects.find((o) => o.key === key.replace(/chunks\/.*$/, 'done.json'))?.json as
      | { pass: number }
      | undefined;
    if (done !== undefined && done.pass !== Number(m[4])) continue;
    const [account, region, vault] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
    for (const c of (json as { candidates: Candidate[] }).candidates)
      out.set(`${account}/${region}/${vault}/${c.uploadId}`, c);
  }
  return out;
}

/** Act's outcomes as it recorded them (`outcomes/<cursor>.json`), by `account/region/vault/uploadId`. */
function actOutcomes(runId: string): Map<string, PickOutcome> {
  const out = new Map<string, PickOutcome>();
  for (const { key, json } of runObjects(runId)) {
    const m = /\/act\/([^/]+)\/([^/]+)\/outcomes\/\d+\.json$/.exec(key);
    if (m === null) continue;
    const [account, region] = [m[1], m[2]].map((s) => decodeURIComponent(s ?? ''));
    for (const o of (json as { outcomes: PickOutcome[] }).outcomes)
      out.set(`${account}/${region}/${o.vault}/${o.uploadId}`, o);
  }
  return out;
}

/** The report's stale uploads, by `account/region/vault/uploadId`. */
function staleEntries(report: FleetReport) {
  const out = new Map<string, FleetReport['vaults'][number]['staleUploads'][number]>();
  for (const v of report.vaults)
    for (const s of v.staleUploads) out.set(`${v.account}/${v.region}/${v.vault}/${s.uploadId}`, s);
  return out;
}

const id = (where: { account: string; region: string }, vault: string, uploadId: string) =>
  `${where.account}/${where.region}/${vault}/${uploadId}`;
const left = (where: { account: string; region: string }, vault: string) =>
  emu
    .uploads(vault, { accountId: where.account, region: where.region })
    .map((u) => u.uploadId)
    .sort();

describe('fleet quiet-period, end to end (the synthesized state machine, the emulator, dynalite)', () => {
  it('the first run with quiet-period 2d aborts nothing: every stale upload pending, first seen, its history written with the run id', async () => {
    const { result, report } = await runAt(T0, { ...QUIET, vaults: 'quiet' });
    expect(result.error).toBeUndefined();
    const run = must(report);
    expect(run.totals).toMatchObject({ stale: 3, pending: 3, aborted: 0 });
    const entries = staleEntries(run);
    expect([...entries.keys()].sort()).toEqual(
      [id(B, 'quiet', IDS.idle), id(B, 'quiet', IDS.busy), id(C, 'quiet', IDS.far)].sort(),
    );
    for (const entry of entries.values())
      expect(entry).toMatchObject({ outcome: 'pending', wouldAbort: false, eligibleAt: iso(T0 + 2 * DAY) });
    const surveyed = verdicts(result.executionName);
    expect(surveyed.size).toBe(3);
    for (const verdict of surveyed.values())
      expect(verdict).toMatchObject({
        verdict: 'pending',
        reason: FIRST_SEEN,
        eligibleAt: iso(T0 + 2 * DAY),
      });
    // Nothing picked, so Act never ran; the emulator saw no abort and holds every upload.
    expect(result.invocations.act).toBeUndefined();
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(left(B, 'quiet')).toEqual([IDS.busy, IDS.idle, IDS.young].sort());
    expect(left(C, 'quiet')).toEqual([IDS.far, IDS.farYoung].sort());
    // One history item per measured stale upload, keyed by account and region, recording the run.
    const items = await history();
    expect([...items.keys()].sort()).toEqual(
      [
        historyKey(B, 'quiet', IDS.idle),
        historyKey(B, 'quiet', IDS.busy),
        historyKey(C, 'quiet', IDS.far),
      ].sort(),
    );
    expect(items.get(historyKey(B, 'quiet', IDS.busy))).toMatchObject({
      runId: result.executionName,
      firstSeen: T0,
      lastSeen: T0,
      lastChanged: T0,
      seenCount: 1,
      partCount: 2,
      bytes: 2 * MIB,
    });
    for (const item of items.values())
      expect(item).toMatchObject({ runId: result.executionName, lastChanged: T0, seenCount: 1 });
    // Only stale uploads are measured: ListParts once each, never for a young one.
    expect(
      emu
        .requests({ operation: 'ListParts' })
        .map((r) => r.uploadId)
        .sort(),
    ).toEqual([IDS.idle, IDS.busy, IDS.far].sort());
  });
  it('three days later: the upload whose parts did not change is aborted; the one that got a part between the runs stays pending, its quiet period restarting', async () => {
    const first = await runAt(T0, { ...QUIET, vaults: 'quiet' });
    expect(first.report?.totals).toMatchObject({ stale: 3, pending: 3, aborted: 0 });
    // The owner sends a third part of the slow upload between the runs.
    await uploadPart(B, 'quiet', IDS.busy, 2);

    const { result, report } = await runAt(T0 + 3 * DAY, { ...QUIET, vaults: 'quiet' }, { again: true });
    expect(result.error).toBeUndefined();
    // The emulator's record: the two unchanged uploads aborted, once each, and nothing else.
    expect(abortedIds(emu)).toEqual([id(B, 'quiet', IDS.idle), id(C, 'quiet', IDS.far)].sort());
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toHaveLength(2);
    expect(left(B, 'quiet')).toEqual([IDS.busy, IDS.young].sort());
    expect(left(C, 'quiet')).toEqual([IDS.farYoung]);
    const run = must(report);
    expect(run.totals).toMatchObject({ stale: 3, aborted: 2, pending: 1 });
    const entries = staleEntries(run);
    expect(entries.get(id(B, 'quiet', IDS.idle))).toMatchObject({ outcome: 'aborted', wouldAbort: true });
    expect(entries.get(id(C, 'quiet', IDS.far))).toMatchObject({ outcome: 'aborted', wouldAbort: true });
    expect(entries.get(id(B, 'quiet', IDS.busy))).toMatchObject({
      outcome: 'pending',
      wouldAbort: false,
      partCount: 3,
      bytesUploaded: 3 * MIB,
      eligibleAt: iso(T0 + 5 * DAY),
    });
    const surveyed = verdicts(result.executionName);
    expect(surveyed.get(id(B, 'quiet', IDS.idle))?.verdict).toBe('eligible');
    expect(surveyed.get(id(B, 'quiet', IDS.busy))).toMatchObject({
      verdict: 'pending',
      reason: CHANGED_SINCE_LAST_RUN,
    });
    // Its quiet period counts again from this run's sighting of the new part.
    expect((await history()).get(historyKey(B, 'quiet', IDS.busy))).toMatchObject({
      runId: result.executionName,
      firstSeen: T0,
      lastSeen: T0 + 3 * DAY,
      lastChanged: T0 + 3 * DAY,
      seenCount: 2,
      partCount: 3,
    });
  });

  it('a Survey that outlasts the quiet period cannot prove its own first sighting idle: the vault listed again from the first page 3 days on, nothing aborted', async () => {
    // The clock jumps 3 days (past the 2-day quiet period) before the vault's second worker
    // invocation, whose resumed listing Glacier rejects: the vault is listed again from the first
    // page, so the two stale uploads of that page are measured a second time by the same run, over
    // a history this run wrote 3 days "earlier". Only the run id on the record keeps them pending.
    let jumped = false;
    const { result, report } = await runAt(
      T0,
      { ...QUIET, vaults: 'long' },
      {
        seed: longSeed(),
        wrap: {
          'sweep-vault': async (input, real) => {
            const event = input as SweepVaultEvent;
            if (
              !jumped &&
              event.failure === undefined &&
              event.account === LONG.account &&
              event.region === LONG.region &&
              event.invocation === 1
            ) {
              jumped = true;
              now += 3 * DAY;
              rejectNextListing(emu, { vault: 'long', accountId: LONG.account, region: LONG.region });
            }
            return real(input);
          },
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(jumped).toBe(true);
    const vault = must(report).vaults.find((v) => v.vault === 'long' && v.account === LONG.account);
    expect(vault).toMatchObject({
      restarted: true,
      complete: true,
      scanned: 60,
      stale: 3,
      pending: 3,
      aborted: 0,
    });
    // The first page's stale uploads were measured twice (before and after the jump), the second
    // page's once, after it: every one first seen by this run, pending a quiet period from now.
    const parts = emu.requests({ operation: 'ListParts', vault: 'long' }).map((r) => r.uploadId);
    expect(parts.sort()).toEqual(
      [...LONG_STALE.firstPage, ...LONG_STALE.firstPage, LONG_STALE.secondPage].sort(),
    );
    const surveyed = verdicts(result.executionName);
    expect(surveyed.size).toBe(3);
    for (const verdict of surveyed.values())
      expect(verdict).toMatchObject({
        verdict: 'pending',
        reason: FIRST_SEEN,
        eligibleAt: iso(T0 + 5 * DAY),
      });
    for (const entry of staleEntries(must(report)).values())
      expect(entry).toMatchObject({ outcome: 'pending', wouldAbort: false, eligibleAt: iso(T0 + 5 * DAY) });
    expect(result.invocations.act).toBeUndefined();
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect(left(LONG, 'long')).toHaveLength(60);
    // The history the run wrote: seen twice, unchanged since T0, and recorded as this run's.
    const items = await history();
    expect(items.size).toBe(3);
    for (const uploadId of LONG_STALE.firstPage)
      expect(items.get(historyKey(LONG, 'long', uploadId))).toMatchObject({
        runId: result.executionName,
        firstSeen: T0,
        lastSeen: T0 + 3 * DAY,
        lastChanged: T0,
        seenCount: 2,
      });
    expect(items.get(historyKey(LONG, 'long', LONG_STALE.secondPage))).toMatchObject({
      runId: result.executionName,
      firstSeen: T0 + 3 * DAY,
      seenCount: 1,
    });
  });

  it('a worker invocation retried after the clock passed the quiet period measures its uploads again without proving them idle; the next execution can', async () => {
    // B's worker does its work (ListParts, history written at T0), then its result is lost
    // (Lambda.ServiceException, retried by the definition). The retry runs 3 days later.
    let failed = false;
    const settings = { ...QUIET, vaults: 'quiet', regions: 'us-east-1' };
    const { result, report } = await runAt(T0, settings, {
      wrap: {
        'sweep-vault': async (input, real) => {
          const event = input as SweepVaultEvent;
          const out = await real(input);
          if (!failed && event.failure === undefined && event.account === B.account) {
            failed = true;
            now += 3 * DAY;
            throw Object.assign(new Error('the invocation result was lost'), {
              name: 'Lambda.ServiceException',
            });
          }
          return out;
        },
      },
    });
    expect(result.error).toBeUndefined();
    // B's vault, invoked twice (the first lost, the retry); no other target has the vault.
    expect(result.invocations['sweep-vault']).toBe(2);
    expect(
      emu
        .requests({ operation: 'ListParts' })
        .map((r) => r.uploadId)
        .sort(),
    ).toEqual([IDS.busy, IDS.busy, IDS.idle, IDS.idle].sort());
    const surveyed = verdicts(result.executionName);
    expect([...surveyed.keys()].sort()).toEqual([id(B, 'quiet', IDS.busy), id(B, 'quiet', IDS.idle)].sort());
    for (const verdict of surveyed.values())
      expect(verdict).toMatchObject({
        verdict: 'pending',
        reason: FIRST_SEEN,
        eligibleAt: iso(T0 + 5 * DAY),
      });
    expect(must(report).totals).toMatchObject({ stale: 2, pending: 2, aborted: 0 });
    expect(result.invocations.act).toBeUndefined();
    expect(emu.requests({ operation: 'AbortMultipartUpload' })).toEqual([]);
    expect((await history()).get(historyKey(B, 'quiet', IDS.idle))).toMatchObject({
      runId: result.executionName,
      lastSeen: T0 + 3 * DAY,
      lastChanged: T0,
      seenCount: 2,
    });

    // The guard is the run's own record only: the next execution, an hour on, reads the same
    // history as an earlier run's (unchanged since T0, more than 2 days) and aborts both.
    const next = await runAt(T0 + 3 * DAY + 3_600_000, settings, { again: true });
    expect(next.result.error).toBeUndefined();
    expect(abortedIds(emu)).toEqual([id(B, 'quiet', IDS.busy), id(B, 'quiet', IDS.idle)].sort());
    expect(left(B, 'quiet')).toEqual([IDS.young]);
  });

  it('a pick whose parts change between Survey and Act is pending, never aborted; the other picks are aborted', async () => {
    await runAt(T0, { ...QUIET, vaults: 'quiet' });
    let sent = false;
    const { result, report } = await runAt(
      T0 + 3 * DAY,
      { ...QUIET, vaults: 'quiet' },
      {
        again: true,
        onStateEntered: async (name) => {
          // Survey judged it idle (unchanged for 3 days) and Select picked it; the owner resumes
          // the upload before Act reaches it.
          if (name !== 'ActOnPicks' || sent) return;
          sent = true;
          await uploadPart(B, 'quiet', IDS.idle, 1);
        },
      },
    );
    expect(result.error).toBeUndefined();
    expect(sent).toBe(true);
    expect(verdicts(result.executionName).get(id(B, 'quiet', IDS.idle))?.verdict).toBe('eligible');
    // The emulator's record: the other two picks aborted; the resumed upload not, and still there
    // with both its parts.
    expect(abortedIds(emu)).toEqual([id(B, 'quiet', IDS.busy), id(C, 'quiet', IDS.far)].sort());
    expect(emu.requests({ operation: 'AbortMultipartUpload', uploadId: IDS.idle })).toEqual([]);
    expect(
      emu.uploads('quiet', { accountId: B.account, region: B.region }).find((u) => u.uploadId === IDS.idle)
        ?.parts,
    ).toHaveLength(2);
    // Act listed it again (Survey once, Act once) and kept it.
    expect(emu.requests({ operation: 'ListParts', uploadId: IDS.idle })).toHaveLength(2);
    expect(actOutcomes(result.executionName).get(id(B, 'quiet', IDS.idle))).toEqual({
      vault: 'quiet',
      uploadId: IDS.idle,
      outcome: 'pending',
      reason: CHANGED_SINCE_SURVEY,
      eligibleAt: iso(T0 + 5 * DAY),
    });
    const run = must(report);
    expect(run.totals).toMatchObject({ stale: 3, aborted: 2, pending: 1 });
    expect(staleEntries(run).get(id(B, 'quiet', IDS.idle))).toMatchObject({
      outcome: 'pending',
      wouldAbort: true,
      eligibleAt: iso(T0 + 5 * DAY),
    });
  });
});

/**
 * Defects found while writing the cases above: each test failed on the code before its fix. The
 * flows are those of the passing cases above, which check what they rest on (the aborts, the picks).
 */
describe('fleet quiet-period: the history and the report, as the single-account run keeps them', () => {
  const US_ONLY = { ...QUIET, vaults: 'quiet', regions: 'us-east-1' };

  it("Act deletes an aborted upload's history, as the single-account run does", async () => {
    await runAt(T0, US_ONLY);
    await runAt(T0 + 3 * DAY, US_ONLY, { again: true });
    expect(abortedIds(emu)).toEqual([id(B, 'quiet', IDS.busy), id(B, 'quiet', IDS.idle)].sort());
    // As the single-account run (activity.test.ts: "Aborted uploads leave no history behind").
    expect([...(await history()).keys()]).toEqual([]);
  });

  it('a change Act finds is recorded in the history, so the quiet period counts from it', async () => {
    await runAt(T0, US_ONLY);
    let sent = false;
    await runAt(T0 + 3 * DAY, US_ONLY, {
      again: true,
      onStateEntered: async (name) => {
        if (name !== 'ActOnPicks' || sent) return;
        sent = true;
        await uploadPart(B, 'quiet', IDS.idle, 1);
      },
    });
    expect(emu.requests({ operation: 'AbortMultipartUpload', uploadId: IDS.idle })).toEqual([]);
    // act()'s own contract (lambda/core/act.ts, checkAgain): "its history records the change so
    // that the quiet period starts again".
    expect((await history()).get(historyKey(B, 'quiet', IDS.idle))).toMatchObject({
      partCount: 2,
      lastChanged: T0 + 3 * DAY,
    });
  });

  it("the fleet report's pending uploads carry their reason, as CONTRACT.md says of every stale upload entry", async () => {
    const { report } = await runAt(T0, US_ONLY);
    const entries = [...staleEntries(must(report)).values()];
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatchObject({ outcome: 'pending', reason: FIRST_SEEN });
  });

  it("an abort run's totals.wouldAbort counts its picks, as its vaults' wouldAbort do and the single-account totals do", async () => {
    await runAt(T0, US_ONLY);
    const { report } = await runAt(T0 + 3 * DAY, US_ONLY, { again: true });
    const run = must(report);
    expect(run.vaults.reduce((n, v) => n + v.wouldAbort, 0)).toBe(2);
    // Each account's totals count them too: only the run's totals say 0.
    expect(run.accounts.reduce((n, a) => n + a.totals.wouldAbort, 0)).toBe(2);
    expect(run.totals.wouldAbort).toBe(2);
  });
});
