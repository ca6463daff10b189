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

/** One local run on the demo's fleet (3 accounts × 2 regions), with these settings and extra seed. */
export async function runFleet(
  emu: Emulator,
  synthesized: SynthesizedFleet,
  settings: Record<string, string>,
  extra: Partial<LocalFleetOptions> & { seed?: Seed } = {},
) {
  emu.reset();
  const { topicArns } = emu.seed(fleetDemoSeed());
  if (extra.seed) emu.seed(extra.seed);
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
    ...extra,
  });
  const reports = emu.objects(LOCAL_RUN_BUCKET, 'reports/').filter((o) => o.key.endsWith('/fleet.json'));
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
