import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { clientConfig } from '../../lambda/adapters/clients';
import { createFleetClients, type FleetClients } from '../../lambda/adapters/fleet-clients';
import { S3RunStore } from '../../lambda/adapters/run-store';
import { ENV, SERVICE_NAME } from '../../lambda/core/defaults';
import { runAct } from '../../lambda/fleet/act';
import { FLEET_ENV, type FleetDeps, setFleetDependencies } from '../../lambda/fleet/deps';
import { FLEET_METRIC_NAMESPACE, FLEET_STATE_MACHINE_NAME } from '../../lambda/fleet/names';
import { runPlan } from '../../lambda/fleet/plan';
import { runReport } from '../../lambda/fleet/report';
import { runResolve } from '../../lambda/fleet/resolve';
import { runSelect } from '../../lambda/fleet/select';
import { runSweepVault } from '../../lambda/fleet/sweep-vault';
import { MemoryLogger } from '../invoke';
import { type StepName, type SynthesizedFleet, synthesizeFleet } from './synth';

/** One event of the engine's log (aws-local-stepfunctions does not export its type). */
export interface EventLog {
  readonly type: string;
  readonly timestamp: number;
  readonly state?: { name: string; type: string; input?: unknown; output?: unknown };
  readonly [key: string]: unknown;
}

export const LOCAL_RUN_BUCKET = 'glacier-sweeper-fleet-runs';
export const LOCAL_HUB_ACCOUNT = '123456789012';

export interface LocalFleetOptions {
  /** The emulator URL: every client of the hub is aimed at it. */
  readonly endpoint: string;
  readonly topicArn: string;
  readonly region?: string;
  /** Context for the synth (`workerMaxPages`, `maxConcurrency`, …), as `-c` would pass it. */
  readonly context?: Record<string, string>;
  /** The definition, when already synthesized (tests run several executions on one synth). */
  readonly synthesized?: SynthesizedFleet;
  readonly executionName?: string;
  readonly input?: Record<string, unknown>;
  /** Executions reported as running, for the overlap check. */
  readonly running?: string[];
  /** Replace a step's handler (a test's crashing worker); default the real one. */
  readonly wrap?: Partial<
    Record<StepName, (input: unknown, real: (input: unknown) => Promise<unknown>) => Promise<unknown>>
  >;
  /** Called between steps (a test switches a setting between Survey and Act). */
  readonly onStateEntered?: (name: string) => Promise<void> | void;
  readonly env?: Record<string, string>;
  /**
   * The upload-history table (dynalite locally, `startStateTable()`): sets SWEEPER_STATE_TABLE and
   * aims the hub's DynamoDB client at it. Without it the table is unset, as before.
   */
  readonly stateTable?: { readonly url: string; readonly tableName: string };
  /**
   * The handlers' clock (epoch ms), read on every call, and the execution's StartTime; default
   * `Date.now`. A test moves it to run days later, or within a run.
   */
  readonly clock?: () => number;
  /**
   * A step's remaining invocation time (Lambda's `getRemainingTimeInMillis`), read as the handler
   * reads it; default 300,000 ms for every step. A test shortens Act's or the worker's budget.
   */
  readonly remainingMs?: Partial<Record<'sweep-vault' | 'act', () => number>>;
}

export interface LocalFleetResult {
  /** The execution's name: the run id, and the run's prefix and report key in the run bucket. */
  readonly executionName: string;
  readonly output?: unknown;
  readonly error?: Error;
  readonly events: EventLog[];
  readonly logger: MemoryLogger;
  /** Lambda invocations by step. */
  readonly invocations: Record<string, number>;
  readonly synthesized: SynthesizedFleet;
}

/**
 * Runs the synthesized fleet state machine on aws-local-stepfunctions, its Lambda tasks bound to the
 * real handlers (taskResourceLocalHandlers), the handlers' clients aimed at the emulator.
 */
export async function runFleetLocally(options: LocalFleetOptions): Promise<LocalFleetResult> {
  const region = options.region ?? 'us-east-1';
  const synthesized = options.synthesized ?? synthesizeFleet(options.context);
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
  });
  const env: Record<string, string | undefined> = {
    ...process.env,
    AWS_REGION: region,
    [ENV.topicArn]: options.topicArn,
    [FLEET_ENV.runBucket]: LOCAL_RUN_BUCKET,
    [FLEET_ENV.workerMaxPages]: options.context?.workerMaxPages ?? '200',
    [FLEET_ENV.vaultBatchSize]: options.context?.vaultsPerBatch ?? '25',
    ...(options.stateTable === undefined ? {} : { [ENV.stateTable]: options.stateTable.tableName }),
    ...options.env,
  };
  const hub = createFleetClients({ endpoint: options.endpoint, region, maxAttempts: 3 }, env);
  // Every other client is aimed at the emulator; the history is dynalite's, at an endpoint of its own.
  const history =
    options.stateTable === undefined
      ? undefined
      : new DynamoDBClient(clientConfig({ endpoint: options.stateTable.url, region, maxAttempts: 3 }));
  const clients: FleetClients = history === undefined ? hub : { ...hub, dynamodb: history };
  const clock = options.clock ?? Date.now;
  const logger = new MemoryLogger();
  const metrics = new Metrics({ namespace: FLEET_METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  metrics.publishStoredMetrics = () => {
    metrics.clearMetrics();
    metrics.clearDimensions();
    return metrics;
  };
  const deps: FleetDeps = {
    clients,
    store: new S3RunStore(clients.s3, LOCAL_RUN_BUCKET),
    logger,
    metrics,
    env,
    clock,
    executions: { running: async () => [...(options.running ?? []), name] },
  };
  const name = options.executionName ?? `local-${randomUUID().slice(0, 8)}`;
  setFleetDependencies(deps);
  const remaining = () => 300_000;
  const real: Record<StepName, (input: unknown) => Promise<unknown>> = {
    plan: (input) => runPlan(input as never, deps),
    resolve: (input) => runResolve(input as never, deps),
    'sweep-vault': (input) =>
      runSweepVault(input as never, deps, options.remainingMs?.['sweep-vault'] ?? remaining),
    select: (input) => runSelect(input as never, deps),
    act: (input) => runAct(input as never, deps, options.remainingMs?.act ?? remaining),
    report: (input) => runReport(input as never, deps),
  };
  const invocations: Record<string, number> = {};
  const handlers: Record<string, (input: never) => Promise<never>> = {};
  for (const [stateName, step] of Object.entries(synthesized.taskSteps)) {
    handlers[stateName] = (async (input: unknown) => {
      invocations[step] = (invocations[step] ?? 0) + 1;
      await options.onStateEntered?.(stateName);
      const wrap = options.wrap?.[step];
      try {
        return await (wrap ? wrap(input, real[step]) : real[step](input));
      } catch (error) {
        // As Lambda reports a function error: the error's name is what Retry and Catch match.
        throw error instanceof Error ? error : new Error(String(error));
      }
    }) as never;
  }
  const machine = new StateMachine(synthesized.definition as never, {
    validationOptions: { checkPaths: true, checkArn: true },
  });
  const started = new Date(clock()).toISOString();
  const execution = machine.run((options.input ?? {}) as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: retryOverrides(synthesized),
    },
    context: {
      Execution: {
        Id: `arn:aws:states:${region}:${LOCAL_HUB_ACCOUNT}:execution:${FLEET_STATE_MACHINE_NAME}:${name}`,
        Name: name,
        StartTime: started,
        Input: (options.input ?? {}) as never,
      },
      StateMachine: {
        Id: `arn:aws:states:${region}:${LOCAL_HUB_ACCOUNT}:stateMachine:${FLEET_STATE_MACHINE_NAME}`,
        Name: FLEET_STATE_MACHINE_NAME,
      },
    },
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event as unknown as EventLog);
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { executionName: name, output, events, logger, invocations, synthesized };
  } catch (error) {
    await collecting.catch(() => undefined);
    return {
      executionName: name,
      error: error instanceof Error ? error : new Error(String(error)),
      events,
      logger,
      invocations,
      synthesized,
    };
  } finally {
    setFleetDependencies(undefined);
    history?.destroy();
  }
}

/** Retries wait 0 ms locally: the definition's intervals are for AWS. */
function retryOverrides(synthesized: SynthesizedFleet): Record<string, number> {
  return Object.fromEntries(Object.keys(synthesized.taskSteps).map((name) => [name, 0]));
}
