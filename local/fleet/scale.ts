import { MAX_FLEET_TARGETS } from '../../lambda/core/defaults';
import { SPOKE_ROLE_NAME } from '../../lambda/fleet/names';
import { daysAgo, type Emulator, makeUploads, type Seed } from '../emulator';
import { FLEET_TOPIC, fleetDemoParameters } from './demo';
import type { EventLog, LocalFleetResult } from './run';
import { LOCAL_RUN_BUCKET, runFleetLocally } from './run';
import type { SynthesizedFleet } from './synth';

/** `accounts` accounts × 2 regions × `vaults` vaults of `uploads` uploads (every fifth stale). */
export function scaleSeed(
  accounts: number,
  vaults: number,
  uploads = 10,
  now = new Date(),
): { seed: Seed; ids: string[] } {
  const ids = Array.from({ length: accounts }, (_, i) => String(600000000000 + i));
  return {
    ids,
    seed: {
      accounts: ids.map((id) => ({ id })),
      roles: ids.map((accountId) => ({ accountId, name: SPOKE_ROLE_NAME })),
      vaults: ids.flatMap((accountId) =>
        ['us-east-1', 'eu-west-1'].flatMap((region) =>
          Array.from({ length: vaults }, (_, v) => ({
            name: `vault-${v}`,
            accountId,
            region,
            uploads: makeUploads(uploads, { createdAt: (i) => daysAgo(i % 5 === 0 ? 20 + i : 1, now) }),
          })),
        ),
      ),
      buckets: [LOCAL_RUN_BUCKET],
      topics: [FLEET_TOPIC],
    },
  };
}

/** Which execution a state's events belong to on AWS: the parent, or a Distributed Map child. */
const CHILD_OF: Record<string, 'target' | 'batch' | 'act'> = {
  Resolve: 'target',
  RecordTargetError: 'target',
  SurveyBatches: 'target',
  Vaults: 'batch',
  SweepVault: 'batch',
  MoreUploads: 'batch',
  VaultListed: 'batch',
  RecordVaultError: 'batch',
  ActOnPicks: 'act',
  MorePicks: 'act',
  PicksDone: 'act',
  RecordActError: 'act',
};

/**
 * History events a state adds on AWS, by type (Step Functions' history: a Task is TaskStateEntered,
 * TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited; Choice and Succeed enter and exit; a
 * Map enters, starts, succeeds and exits, and an inline Map adds two events per iteration). A model,
 * not a measurement: the local engine has no history of its own.
 */
const EVENTS_PER_STATE: Record<string, number> = { Task: 5, Choice: 2, Succeed: 2, Pass: 2, Map: 4, Fail: 2 };

/**
 * One fleet run over the scale seed on an emulator as seeded so far: every vault of every target
 * (`vaults = *`), `action = abort`, `max-aborts` 1000, so every stale upload is picked. The bench and
 * the scale test measure the same run.
 */
export async function runScaleFleet(
  emu: Emulator,
  synthesized: SynthesizedFleet,
  accounts: number,
  vaults: number,
  uploads?: number,
): Promise<LocalFleetResult> {
  const { seed, ids } = scaleSeed(accounts, vaults, uploads);
  const { topicArns } = emu.seed(seed);
  emu.seed(
    fleetDemoParameters({
      accounts: ids.join(','),
      regions: 'us-east-1,eu-west-1',
      vaults: '*',
      action: 'abort',
      'max-aborts': '1000',
    }),
  );
  return runFleetLocally({ endpoint: emu.url, topicArn: topicArns[FLEET_TOPIC] as string, synthesized });
}

export interface ExecutionCounts {
  /** Estimated history events per execution, the largest first. */
  readonly largestExecutionEvents: number;
  readonly parentEvents: number;
  readonly executions: number;
  /** State transitions (StateEntered), the unit Standard workflows are billed by. */
  readonly transitions: number;
  /** Largest state input or output, in bytes of JSON. */
  readonly largestPayloadBytes: number;
  readonly largestPayloadState: string;
}

export function countExecutions(events: readonly EventLog[]): ExecutionCounts {
  const perExecution = new Map<string, number>();
  let transitions = 0;
  let largestPayloadBytes = 0;
  let largestPayloadState = '';
  const add = (key: string, n: number) => perExecution.set(key, (perExecution.get(key) ?? 0) + n);
  for (const event of events) {
    const state = event.state;
    for (const payload of [state?.input, state?.output]) {
      if (payload === undefined) continue;
      const bytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
      if (bytes > largestPayloadBytes) {
        largestPayloadBytes = bytes;
        largestPayloadState = state?.name ?? '';
      }
    }
    if (event.type === 'StateRetried') add(keyOf(event), 3);
    if (event.type === 'MapIterationStarted') {
      const parent = (event as { parentState?: { name: string } }).parentState?.name ?? '';
      if (parent === 'Vaults')
        add(
          keyOf({
            ...event,
            state: {
              name: 'Vaults',
              type: 'Map',
              input: (event as { parentState?: { input?: unknown } }).parentState?.input,
            },
          }),
          2,
        );
    }
    if (event.type !== 'StateEntered' || state === undefined) continue;
    transitions += 1;
    add(keyOf(event), EVENTS_PER_STATE[state.type] ?? 2);
  }
  // Each child execution also starts and ends.
  for (const key of perExecution.keys()) add(key, 2);
  const counts = [...perExecution.entries()];
  return {
    largestExecutionEvents: Math.max(...counts.map(([, n]) => n)),
    parentEvents: perExecution.get('parent') ?? 0,
    executions: counts.length,
    transitions,
    largestPayloadBytes,
    largestPayloadState,
  };
}

function keyOf(event: EventLog): string {
  const name = event.state?.name ?? '';
  const kind = CHILD_OF[name];
  if (kind === undefined) return 'parent';
  const input = (event.state?.input ?? {}) as { account?: string; region?: string };
  return `${kind}:${input.account}/${input.region}`;
}

/**
 * The target list's cost in the state, linear in the targets: bytes of Plan's output at `n` targets and
 * the extrapolation to MAX_FLEET_TARGETS (the list is carried twice by the time Report runs: Plan's
 * targets and Select's targets with picks).
 */
export function targetsAtCap(planOutputBytes: number, targets: number, baseBytes = 200): number {
  const perTarget = (planOutputBytes - baseBytes) / targets;
  return Math.ceil(baseBytes + 2 * perTarget * MAX_FLEET_TARGETS);
}
