import type { FleetReport } from '../../../lambda/core/fleet-types';
import { OUTCOMES } from '../../../lambda/core/types';
import type { Emulator, Seed } from '../../../local/emulator';
import {
  ACCOUNT_B,
  ACCOUNT_C,
  ACCOUNT_DENIED,
  FLEET_TOPIC,
  fleetDemoParameters,
  fleetDemoSeed,
} from '../../../local/fleet/demo';
import { LOCAL_RUN_BUCKET, type LocalFleetOptions, runFleetLocally } from '../../../local/fleet/run';
import type { SynthesizedFleet } from '../../../local/fleet/synth';
import { expectValidReport } from '../helpers/report-schema';

/**
 * One local run on the demo's fleet (3 accounts × 2 regions), with these settings and extra seed.
 * With `again`, a later run over what the emulator holds now (uploads, parts, the run bucket, the
 * topic): nothing is reset or seeded but the settings, and the request record is cleared, so that
 * the checks below are this run's.
 */
export async function runFleet(
  emu: Emulator,
  synthesized: SynthesizedFleet,
  settings: Record<string, string>,
  extra: Partial<LocalFleetOptions> & { seed?: Seed; again?: boolean } = {},
) {
  const { again, seed, ...options } = extra;
  let topicArns: Record<string, string>;
  if (again) {
    emu.clearRequests();
    topicArns = emu.seed({ topics: [FLEET_TOPIC] }).topicArns;
  } else {
    emu.reset();
    topicArns = emu.seed(fleetDemoSeed()).topicArns;
    if (seed) emu.seed(seed);
  }
  emu.seed(
    fleetDemoParameters({
      accounts: [ACCOUNT_B, ACCOUNT_C, ACCOUNT_DENIED].join(','),
      regions: 'us-east-1,eu-west-1',
      vaults: '*',
      ...settings,
    }),
  );
  const topicArn = topicArns[FLEET_TOPIC] as string;
  const result = await runFleetLocally({
    endpoint: emu.url,
    topicArn,
    synthesized,
    context: { workerMaxPages: '150' },
    ...options,
  });
  // This run's report: an earlier run's may be in the bucket too.
  const reportKey = `reports/${encodeURIComponent(result.executionName)}/fleet.json`;
  const reports = emu.objects(LOCAL_RUN_BUCKET, 'reports/').filter((o) => o.key === reportKey);
  if (reports[0] !== undefined) {
    const problems = fleetViolations(
      emu,
      JSON.parse(reports[0].body.toString('utf8')) as FleetReport,
      settings,
    );
    if (problems.length > 0) throw new Error(`fleet invariants broken:\n${problems.join('\n')}`);
  }
  // The full report in S3 and every published JSON copy match the contract's schema.
  const report = reports[0]
    ? expectValidReport(JSON.parse(reports[0].body.toString('utf8')) as FleetReport)
    : undefined;
  for (const message of emu.published()) {
    const sqs = message.structured?.sqs;
    if (typeof sqs === 'string') expectValidReport(JSON.parse(sqs));
  }
  return { result, report, topicArn };
}

/** Every upload the emulator aborted: `account/region/vault/uploadId`, sorted. */
export const abortedIds = (emu: Emulator) =>
  emu
    .requests({ operation: 'AbortMultipartUpload' })
    .filter((r) => r.status === 204)
    .map((r) => `${r.accountId}/${r.region}/${r.vault}/${r.uploadId}`)
    .sort();

/** stale = Σ outcomes per vault and in the totals; no upload listed twice in a vault. */
export function countsHold(report: FleetReport): boolean {
  for (const v of report.vaults) {
    if (OUTCOMES.reduce((n, o) => n + v[o], 0) !== v.stale) return false;
    if (new Set(v.staleUploads.map((s) => s.uploadId)).size !== v.staleUploads.length) return false;
    // The full report lists every stale upload: its entries' outcomes are the counts.
    if (
      v.staleUploadsOmitted === 0 &&
      OUTCOMES.some((o) => v.staleUploads.filter((s) => s.outcome === o).length !== v[o])
    )
      return false;
  }
  return OUTCOMES.reduce((n, o) => n + report.totals[o], 0) === report.totals.stale;
}

/** The targets not swept, as `account/region:status`. */
export const notSwept = (report: FleetReport) =>
  report.targets.filter((t) => t.status !== 'swept').map((t) => `${t.account}/${t.region}:${t.status}`);

/** The value, or a failed test saying it is missing. */
export function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value (no report was written?)');
  return value;
}

interface StoredPick {
  vault: string;
  uploadId: string;
}

/**
 * The invariants every fleet case must keep, checked against the emulator's record and the run's
 * own S3 objects, never the report's word alone: nothing aborted that was not picked; picks at most
 * max-aborts; the picks are the oldest eligible uploads of the run (by an independent sort, ties by
 * account, region, vault, upload id); stale = Σ outcomes and no upload twice; every upload the report
 * says was aborted is gone from the emulator.
 */
export function fleetViolations(
  emu: Emulator,
  report: FleetReport,
  settings: Record<string, string>,
): string[] {
  const problems: string[] = [];
  const objects = emu.objects(LOCAL_RUN_BUCKET, `runs/${encodeURIComponent(report.runId)}/`);
  const json = <T>(key: string) =>
    JSON.parse(objects.find((o) => o.key === key)?.body.toString('utf8') ?? 'null') as T;
  const picked = new Set<string>();
  for (const object of objects.filter((o) => o.key.includes('/picks/'))) {
    const file = json<{ account: string; region: string; picks: StoredPick[] }>(object.key);
    for (const pick of file.picks)
      picked.add(`${file.account}/${file.region}/${pick.vault}/${pick.uploadId}`);
  }
  const maxAborts = Number(settings['max-aborts'] ?? '1000');
  if (picked.size > maxAborts) problems.push(`${picked.size} picks, more than max-aborts ${maxAborts}`);
  for (const id of abortedIds(emu)) if (!picked.has(id)) problems.push(`aborted without being picked: ${id}`);
  // The oldest eligible, by a plain sort over every chunk of the pass each vault's done.json names.
  const abortAccounts = settings['abort-accounts']?.split(',').map((a) => a.trim());
  const eligible: { key: string; ms: number; parts: string[] }[] = [];
  for (const object of objects.filter((o) => /\/chunks\/\d+-\d+\.json$/.test(o.key))) {
    const [, , , account, region, , vault] = object.key.split('/').map(decodeURIComponent);
    if (account === undefined || region === undefined || vault === undefined) continue;
    if (abortAccounts !== undefined && !abortAccounts.includes(account)) continue;
    const done = json<{ pass: number } | null>(object.key.replace(/chunks\/.*$/, 'done.json'));
    const pass = Number(object.key.split('/').at(-1)?.split('-')[0]);
    if (done !== null && done.pass !== pass) continue;
    const chunk = json<{ candidates: { uploadId: string; createdMs: number; verdict: string }[] }>(
      object.key,
    );
    for (const c of chunk.candidates)
      if (c.verdict === 'eligible')
        eligible.push({
          key: `${account}/${region}/${vault}/${c.uploadId}`,
          ms: c.createdMs,
          parts: [account, region, vault, c.uploadId],
        });
  }
  const unique = [...new Map(eligible.map((e) => [e.key, e])).values()];
  unique.sort((a, b) => a.ms - b.ms || (a.parts.join('\u0000') < b.parts.join('\u0000') ? -1 : 1));
  // Without a selection (Select failed) nothing may be picked at all.
  const selected = objects.some((o) => o.key.endsWith('/selection.json'));
  const oldest = new Set(unique.slice(0, selected ? maxAborts : 0).map((e) => e.key));
  if (oldest.size !== picked.size || [...oldest].some((k) => !picked.has(k)))
    problems.push(`the picks are not the ${oldest.size} oldest eligible uploads of the run`);
  if (!countsHold(report)) problems.push('stale = Σ outcomes does not hold, or an upload is listed twice');
  for (const v of report.vaults) {
    for (const s of v.staleUploads) {
      if (s.outcome !== 'aborted') continue;
      const left = emu
        .uploads(v.vault, { accountId: v.account, region: v.region })
        .some((u) => u.uploadId === s.uploadId);
      if (left)
        problems.push(`reported aborted but still there: ${v.account}/${v.region}/${v.vault}/${s.uploadId}`);
    }
  }
  return problems;
}

/**
 * Glacier refuses the next ListMultipartUploads of the vault with InvalidParameterValueException, as
 * it would a marker it no longer accepts (a resumed listing's start marker).
 */
export function rejectNextListing(
  emu: Emulator,
  where: { vault: string; accountId?: string; region?: string },
): void {
  emu.addFaultRule({
    service: 'glacier',
    operation: 'ListMultipartUploads',
    ...where,
    fault: 'error',
    status: 400,
    code: 'InvalidParameterValueException',
    times: 1,
  });
}
