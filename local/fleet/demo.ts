import { DEFAULT_FLEET_SSM_PREFIX, SPOKE_ROLE_NAME } from '../../lambda/fleet/names';
import { daysAgo, type Emulator, makeUploads, type Seed, startEmulator } from '../emulator';
import { LOCAL_RUN_BUCKET, type LocalFleetResult, runFleetLocally } from './run';

export const FLEET_TOPIC = 'glacier-sweeper-fleet';
export const ACCOUNT_B = '210987654321';
export const ACCOUNT_C = '310987654321';
/** Its spoke role denies the hub: listed apart ("no spoke role"), not as an error. */
export const ACCOUNT_DENIED = '410987654321';
export const FLEET_REGIONS = ['us-east-1', 'eu-west-1'];
export const BIG_VAULT = 'archive-2019';
export const BIG_VAULT_UPLOADS = 20_000;
/** 150 pages of 50 a worker invocation: the 400 pages of the big vault take 3 invocations. */
export const DEMO_WORKER_PAGES = '150';

/** 3 accounts × 2 regions: one account whose role is denied, one tagged vault, one vault of 20,000 uploads. */
export function fleetDemoSeed(now: Date = new Date()): Seed {
  const stale = (days: number) => daysAgo(days, now);
  return {
    accounts: [{ id: ACCOUNT_B }, { id: ACCOUNT_C }, { id: ACCOUNT_DENIED }],
    roles: [
      { accountId: ACCOUNT_B, name: SPOKE_ROLE_NAME },
      { accountId: ACCOUNT_C, name: SPOKE_ROLE_NAME },
      { accountId: ACCOUNT_DENIED, name: SPOKE_ROLE_NAME, deny: true },
    ],
    vaults: [
      {
        name: BIG_VAULT,
        accountId: ACCOUNT_B,
        region: 'us-east-1',
        // Every hundredth upload is stale (200 of them, 30 to 229 days old); the rest are a day old.
        uploads: makeUploads(BIG_VAULT_UPLOADS, {
          createdAt: (i) => (i % 100 === 0 ? stale(30 + i / 100) : stale(1)),
          description: (i) => `archive part ${i}`,
        }),
      },
      {
        name: 'legal-hold',
        accountId: ACCOUNT_B,
        region: 'us-east-1',
        tags: { 'glacier-sweeper': 'skip' },
        uploads: makeUploads(3, { createdAt: stale(400), description: 'legal hold' }),
      },
      {
        name: 'backups',
        accountId: ACCOUNT_B,
        region: 'eu-west-1',
        uploads: makeUploads(40, {
          createdAt: (i) => stale(i < 10 ? 300 + i : 2),
          description: (i) => `eu backup ${i}`,
        }),
      },
      {
        name: 'backups',
        accountId: ACCOUNT_C,
        region: 'us-east-1',
        uploads: makeUploads(60, {
          createdAt: (i) => stale(i < 20 ? 10 + i : 1),
          description: (i) => `nightly ${i}`,
        }),
      },
      {
        name: 'logs',
        accountId: ACCOUNT_C,
        region: 'eu-west-1',
        uploads: makeUploads(5, { createdAt: stale(500), description: 'old logs' }),
      },
    ],
    buckets: [LOCAL_RUN_BUCKET],
    topics: [FLEET_TOPIC],
  };
}

/** The hub's parameters for the demo (StringLists as the stack creates them). */
export function fleetDemoParameters(
  settings: Record<string, string>,
  prefix = DEFAULT_FLEET_SSM_PREFIX,
): Seed {
  const lists = new Set(['accounts', 'exclude-accounts', 'abort-accounts', 'regions', 'vaults']);
  return {
    parameters: Object.entries(settings).map(([name, value]) => ({
      name: `${prefix}/${name}`,
      value,
      type: lists.has(name) ? ('StringList' as const) : ('String' as const),
    })),
  };
}

export interface FleetDemoOptions {
  readonly abort?: boolean;
  readonly write?: (s: string) => void;
  readonly emulator?: Emulator;
}

export interface FleetDemoResult {
  readonly run: LocalFleetResult;
  readonly emulator: Emulator;
  readonly exitCode: number;
}

/** `npm run demo -- --fleet`: the synthesized state machine, the real handlers, the emulator. */
export async function runFleetDemo(options: FleetDemoOptions = {}): Promise<FleetDemoResult> {
  const write = options.write ?? ((s: string) => process.stdout.write(s));
  const emu = options.emulator ?? (await startEmulator());
  emu.reset();
  const { topicArns } = emu.seed(fleetDemoSeed());
  emu.seed(
    fleetDemoParameters({
      accounts: [ACCOUNT_B, ACCOUNT_C, ACCOUNT_DENIED].join(','),
      regions: FLEET_REGIONS.join(','),
      vaults: '*',
      'older-than': '7d',
      action: options.abort ? 'abort' : 'report',
      'max-aborts': '50',
    }),
  );
  const topicArn = topicArns[FLEET_TOPIC] as string;
  write(
    `glacier-sweeper fleet demo: the synthesized state machine on aws-local-stepfunctions, its tasks bound to the real handlers, against the emulator at ${emu.url}\n` +
      `Seeded: accounts ${ACCOUNT_B}, ${ACCOUNT_C}, ${ACCOUNT_DENIED} (its spoke role denies the hub) × regions ${FLEET_REGIONS.join(', ')}; ` +
      `vault ${BIG_VAULT} of ${BIG_VAULT_UPLOADS} uploads, vault legal-hold tagged glacier-sweeper=skip.\n` +
      `Settings: action ${options.abort ? 'abort' : 'report'} · max-aborts 50 · worker page budget ${DEMO_WORKER_PAGES}\n\n`,
  );
  const run = await runFleetLocally({
    endpoint: emu.url,
    topicArn,
    context: { workerMaxPages: DEMO_WORKER_PAGES },
  });
  const message = emu.published({ topicArn }).at(-1);
  if (message !== undefined) {
    const body = JSON.parse(message.message) as { email: string };
    write(`── What SNS received ──\nSubject: ${message.subject}\n\n${body.email}\n\n`);
  }
  const transitions = run.events.filter((e) => e.type === 'StateEntered').length;
  const glacier = emu.requests({ service: 'glacier' });
  const count = (op: string) => glacier.filter((r) => r.operation === op).length;
  write(
    [
      '── Summary ──',
      run.error ? `Execution FAILED: ${run.error.message}` : 'Execution succeeded.',
      `Lambda invocations: ${Object.entries(run.invocations)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ')}`,
      `State transitions (StateEntered events): ${transitions}`,
      `Glacier requests: ListTagsForVault ${count('ListTagsForVault')} · ListVaults ${count('ListVaults')} · ListMultipartUploads ${count('ListMultipartUploads')} · ListParts ${count('ListParts')} · AbortMultipartUpload ${count('AbortMultipartUpload')}`,
      `Uploads left in ${BIG_VAULT}: ${emu.uploads(BIG_VAULT, { accountId: ACCOUNT_B, region: 'us-east-1' }).length} of ${BIG_VAULT_UPLOADS}; legal-hold: ${emu.uploads('legal-hold', { accountId: ACCOUNT_B, region: 'us-east-1' }).length} of 3`,
      '',
    ].join('\n'),
  );
  return { run, emulator: emu, exitCode: run.error ? 1 : 0 };
}
