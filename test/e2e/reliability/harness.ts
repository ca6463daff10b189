import { MAX_ATTEMPTS } from '../../../lambda/adapters/clients';
import { DEFAULT_SSM_PREFIX } from '../../../lambda/core/defaults';
import type { SweepReport, VaultReport } from '../../../lambda/core/types';
import type { Emulator, PublishedMessage, RecordedRequest, SeedUpload } from '../../../local/emulator';
import { daysAgo } from '../../../local/emulator';
import {
  invokeLocally,
  type LocalInvokeOptions,
  type LocalInvokeResult,
  type LogLine,
  MemoryLogger,
} from '../../../local/invoke';
// The oracle reads dates with its own parser: the one under test would agree with its own bugs.
import { referenceCreationMs } from '../../unit/helpers/creation-dates';
import { expectValidReport, parseReport } from '../helpers/report-schema';

export const TOPIC = 'glacier-sweeper-reliability';
export const DAY_MS = 86_400_000;

/** Writes the SSM parameters under the default prefix (vaults as a StringList) and creates the topic. */
export function configure(emu: Emulator, parameters: Record<string, string>): string {
  const seeded = emu.seed({
    parameters: Object.entries(parameters).map(([name, value]) => ({
      name: `${DEFAULT_SSM_PREFIX}/${name}`,
      value,
      type: name === 'vaults' ? ('StringList' as const) : ('String' as const),
    })),
    topics: [TOPIC],
  });
  return seeded.topicArns[TOPIC] as string;
}

/**
 * Uploads of one vault with ids that tell what they are, so a rule can target one and a failure
 * message names it: `<vault>-stale-3`, `<vault>-fresh-0`, and two that sit one hour either side of a
 * 7-day threshold (`<vault>-edge-old`, `<vault>-edge-young`).
 */
export function vaultUploads(vault: string, stale: number, fresh: number, now = new Date()): SeedUpload[] {
  const uploads: SeedUpload[] = [];
  for (let i = 0; i < stale; i += 1)
    uploads.push({ uploadId: `${vault}-stale-${i}`, createdAt: daysAgo(8 + (i % 30), now) });
  for (let i = 0; i < fresh; i += 1)
    uploads.push({ uploadId: `${vault}-fresh-${i}`, createdAt: daysAgo(i % 6, now) });
  uploads.push({
    uploadId: `${vault}-edge-old`,
    createdAt: new Date(now.getTime() - 7 * DAY_MS - 3_600_000),
  });
  uploads.push({
    uploadId: `${vault}-edge-young`,
    createdAt: new Date(now.getTime() - 7 * DAY_MS + 3_600_000),
  });
  return uploads;
}

/** What the emulator held before the run: the ground truth every assertion is made against. */
export interface Snapshot {
  readonly takenAt: number;
  readonly uploads: Map<string, { vault: string; creationDate: string | null | undefined }>;
  readonly byVault: Map<string, string[]>;
}

export function snapshot(emu: Emulator, vaults: readonly string[]): Snapshot {
  const uploads = new Map<string, { vault: string; creationDate: string | null | undefined }>();
  const byVault = new Map<string, string[]>();
  for (const vault of vaults) {
    // What a listing shows: each id once, each entry without an id on its own ('').
    const shown: string[] = [];
    const seen = new Set<string>();
    for (const u of emu.uploads(vault)) {
      const id = u.listedId === undefined ? u.uploadId : (u.listedId ?? '');
      if (id === u.uploadId) uploads.set(u.uploadId, { vault, creationDate: u.creationDate });
      if (id !== '' && seen.has(id)) continue;
      seen.add(id);
      shown.push(id);
    }
    byVault.set(vault, shown);
  }
  return { takenAt: Date.now(), uploads, byVault };
}

export function run(
  emu: Emulator,
  topicArn: string,
  options: Partial<LocalInvokeOptions> = {},
): Promise<LocalInvokeResult & { logger: MemoryLogger }> {
  const logger = new MemoryLogger();
  return invokeLocally({ endpoint: emu.url, topicArn, logger, ...options }) as Promise<
    LocalInvokeResult & { logger: MemoryLogger }
  >;
}

export function reportOf(result: LocalInvokeResult): SweepReport {
  if (result.error) throw result.error;
  if (!result.report) throw new Error('the handler returned no report');
  return expectValidReport(result.report);
}

const aborts = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => r.service === 'glacier' && r.operation === 'AbortMultipartUpload');

/** Upload ids grouped by how their abort requests ended, from the emulator's record alone. */
export function abortFates(requests: readonly RecordedRequest[]): {
  aborted: Set<string>;
  gone: Set<string>;
  failed: Set<string>;
} {
  const statuses = new Map<string, (number | null)[]>();
  for (const r of aborts(requests)) {
    const id = r.uploadId ?? '';
    statuses.set(id, [...(statuses.get(id) ?? []), r.status]);
  }
  const aborted = new Set<string>();
  const gone = new Set<string>();
  const failed = new Set<string>();
  for (const [id, list] of statuses) {
    // A 204 is final: the SDK never retries a success, and the emulator applies faults before the effect.
    if (list.includes(204)) aborted.add(id);
    else if (list.includes(404)) gone.add(id);
    else failed.add(id);
  }
  return { aborted, gone, failed };
}

export interface InvariantInput {
  readonly before: Snapshot;
  /** Threshold per vault in ms (7 days unless given). */
  readonly thresholdMs?: Record<string, number>;
  /** Vaults that must have been listed to the end. */
  readonly mustComplete?: readonly string[];
}

const outcomeSum = (v: VaultReport | SweepReport['totals']) =>
  v.aborted + v.gone + v.failed + v.skipped + v.reported;

/**
 * The safety and accounting properties of the issue, checked against the emulator's own record and
 * state rather than against the report's word. Returns a list of violations (empty when all hold) so a
 * failure shows every broken property at once.
 */
export function violations(emu: Emulator, report: SweepReport, input: InvariantInput): string[] {
  const problems: string[] = [];
  const { before } = input;
  const thresholdOf = (vault: string) => input.thresholdMs?.[vault] ?? 7 * DAY_MS;
  const requests = emu.requests();
  const fates = abortFates(requests);

  // 1. Nothing younger than its threshold (or without a trustworthy date) was ever aborted.
  for (const id of fates.aborted) {
    const known = before.uploads.get(id);
    if (known === undefined) {
      problems.push(`aborted ${id}, which was not in the vaults before the run`);
      continue;
    }
    const created = known.creationDate ? referenceCreationMs(known.creationDate) : undefined;
    if (created === undefined) problems.push(`aborted ${id} whose CreationDate is ${known.creationDate}`);
    else if (before.takenAt - created < thresholdOf(known.vault))
      problems.push(`aborted ${id}, younger than ${thresholdOf(known.vault)} ms at run start`);
  }

  // 2. Every stale upload has exactly one outcome, and the sums agree.
  const listedOutcome = new Map<string, string>();
  for (const v of report.vaults) {
    for (const entry of v.staleUploads) {
      if (listedOutcome.has(entry.uploadId)) problems.push(`${entry.uploadId} listed twice`);
      listedOutcome.set(entry.uploadId, entry.outcome);
    }
    if (v.stale !== outcomeSum(v)) problems.push(`${v.vault}: stale ${v.stale} != sum of outcomes`);
    if (v.staleUploads.length + v.staleUploadsOmitted !== v.stale)
      problems.push(`${v.vault}: ${v.staleUploads.length} listed + omitted != stale ${v.stale}`);
  }
  if (report.totals.stale !== outcomeSum(report.totals)) problems.push('totals: stale != sum of outcomes');

  // 3. The report's counts match the emulator's record of abort requests.
  const count = (outcome: string) => [...listedOutcome.values()].filter((o) => o === outcome).length;
  const expectSame = (what: string, reported: number, recorded: number) => {
    if (reported !== recorded)
      problems.push(`${what}: report says ${reported}, emulator recorded ${recorded}`);
  };
  expectSame('aborted', report.totals.aborted, fates.aborted.size);
  expectSame('gone', report.totals.gone, fates.gone.size);
  expectSame('failed', report.totals.failed, fates.failed.size);
  expectSame('aborted entries', count('aborted'), fates.aborted.size);
  for (const [name, ids] of Object.entries(fates)) {
    for (const id of ids) {
      const outcome = listedOutcome.get(id);
      if (outcome !== name) problems.push(`${id}: emulator says ${name}, report says ${outcome}`);
    }
  }
  // An upload the report calls aborted must really be gone; any other must still be there.
  for (const [id, outcome] of listedOutcome) {
    const vault = before.uploads.get(id)?.vault;
    if (vault === undefined) continue;
    const present = emu.uploads(vault).some((u) => u.uploadId === id);
    if ((outcome === 'aborted') === present)
      problems.push(`${id}: outcome ${outcome}, still present ${present}`);
  }

  // 4. Completed vaults were listed to the end: every upload scanned, every stale one judged.
  for (const v of report.vaults) {
    const ids = before.byVault.get(v.vault);
    if (!v.complete || ids === undefined) continue;
    if (v.scanned !== ids.length) problems.push(`${v.vault}: scanned ${v.scanned} of ${ids.length}`);
    for (const id of ids) {
      const created = referenceCreationMs(before.uploads.get(id)?.creationDate ?? '');
      const ageAtStart = created === undefined ? undefined : before.takenAt - created;
      // One minute of slack for the run's own duration around the threshold.
      if (ageAtStart !== undefined && ageAtStart >= thresholdOf(v.vault) + 60_000 && !listedOutcome.has(id))
        problems.push(`${v.vault}: stale ${id} has no outcome`);
    }
  }
  for (const name of input.mustComplete ?? []) {
    const v = report.vaults.find((x) => x.vault === name);
    if (!v?.complete || v.error !== null) problems.push(`${name} was not swept completely (${v?.error})`);
  }
  return problems;
}

/**
 * The vaults that could be swept: those where no page request was refused `maxAttempts` times in a
 * row. Random faults draw from the emulator's seeded PRNG in arrival order, and the SDK's retry
 * jitter varies that order, so a test asks the record which vaults were sweepable instead of
 * assuming that none was unlucky.
 */
export function sweepable(emu: Emulator, vaults: readonly string[], maxAttempts = MAX_ATTEMPTS): string[] {
  return vaults.filter((vault) => {
    let run = 0;
    for (const r of emu.requests({ operation: 'ListMultipartUploads', vault })) {
      run = r.status === 200 ? 0 : run + 1;
      if (run >= maxAttempts) return false;
    }
    return true;
  });
}

/** The report as published, parsed back from the `sqs` entry of the message. */
export function publishedReport(message: PublishedMessage): SweepReport {
  const sqs = message.structured?.sqs;
  if (typeof sqs !== 'string') throw new Error('published message has no sqs entry');
  return parseReport(sqs);
}

export function reports(emu: Emulator): PublishedMessage[] {
  return emu.published().filter((m) => m.attributes.kind === 'report');
}

/** Injected faults the emulator answered, for the closing tally (`RELIABILITY_TALLY=1`). */
export function faultsInjected(emu: Emulator): number {
  return emu.requests().filter((r) => r.fault !== null).length;
}

export function tally(what: string, n: number): void {
  if (process.env.RELIABILITY_TALLY) console.log(`RELIABILITY ${what} ${n}`);
}

export const messagesOf = (lines: readonly LogLine[], message: string) =>
  lines.filter((line) => line.message === message);

export const THREE_VAULTS = ['alpha', 'beta', 'gamma'] as const;

/** Three vaults in abort mode: alpha spans two pages, each has edge cases either side of 7 days. */
export function seedThreeVaults(emu: Emulator, parameters: Record<string, string> = {}) {
  emu.seed({
    vaults: [
      { name: 'alpha', uploads: vaultUploads('alpha', 40, 15) },
      { name: 'beta', uploads: vaultUploads('beta', 20, 10) },
      { name: 'gamma', uploads: vaultUploads('gamma', 8, 4) },
    ],
  });
  const topicArn = configure(emu, { vaults: THREE_VAULTS.join(','), action: 'abort', ...parameters });
  return { topicArn, before: snapshot(emu, THREE_VAULTS) };
}
