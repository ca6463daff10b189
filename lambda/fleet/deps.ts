import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { createFleetClients, type FleetClients } from '../adapters/fleet-clients';
import { type RunStore, S3RunStore } from '../adapters/run-store';
import { publish } from '../adapters/sns';
import { readParameters } from '../adapters/ssm';
import { ENV, FLEET_PARAM, PARAM, SERVICE_NAME } from '../core/defaults';
import { errorSummary } from '../core/errors';
import {
  type FleetSettings,
  fleetParameterKeys,
  fleetSsmNames,
  parseFleetSettings,
  type RawFleetSettings,
} from '../core/fleet-settings';
import { cleanText } from '../core/sanitize';
import { ConfigError, parseSsmPrefix } from '../core/settings';
import { buildAlertMessage } from '../core/sns-message';
import type { RunLogger } from '../run';
import { cleaningLogger } from '../run';
import { DEFAULT_FLEET_SSM_PREFIX, FLEET_ENV, FLEET_METRIC_NAMESPACE } from './names';

// The names live with the other names hub and constructs share (names.ts imports nothing): the
// constructs set these variables, the handlers read them.
export { FLEET_ENV };

export const DEFAULT_WORKER_MAX_PAGES = 200;
export const DEFAULT_VAULT_BATCH_SIZE = 25;
/** Picks one Act invocation carries out at most before it hands its cursor back. */
export const ACT_BATCH = 100;

/** Which executions of the state machine are running (the overlap check). */
export interface ExecutionsPort {
  running(stateMachineArn: string): Promise<string[]>;
}

export interface FleetDeps {
  readonly clients: FleetClients;
  readonly store: RunStore;
  readonly logger: RunLogger;
  readonly metrics: Metrics;
  readonly env: Record<string, string | undefined>;
  readonly clock: () => number;
  readonly executions: ExecutionsPort;
}

export interface FleetRuntime {
  readonly prefix: string;
  readonly topicArn: string;
  readonly region: string;
  readonly stateTable: string | undefined;
  readonly workerMaxPages: number;
  readonly vaultBatchSize: number;
  readonly measureConcurrency: number;
  readonly accountMessages: boolean;
  readonly accountMetrics: boolean;
}

function whole(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1)
    throw new ConfigError(name, `${name} = ${JSON.stringify(raw)}: must be a whole number of 1 or more`);
  return Number(raw);
}

export function fleetRuntime(env: Record<string, string | undefined>): FleetRuntime {
  const topicArn = env[ENV.topicArn]?.trim();
  if (!topicArn)
    throw new ConfigError(ENV.topicArn, `${ENV.topicArn} is not set: the hub needs its SNS topic`);
  return {
    prefix: parseSsmPrefix(env[ENV.ssmPrefix] || DEFAULT_FLEET_SSM_PREFIX, ENV.ssmPrefix),
    topicArn,
    region: env.AWS_REGION ?? 'us-east-1',
    stateTable: env[ENV.stateTable]?.trim() || undefined,
    workerMaxPages: whole(env, FLEET_ENV.workerMaxPages, DEFAULT_WORKER_MAX_PAGES),
    vaultBatchSize: whole(env, FLEET_ENV.vaultBatchSize, DEFAULT_VAULT_BATCH_SIZE),
    measureConcurrency: whole(env, FLEET_ENV.measureConcurrency, 8),
    accountMessages: env[FLEET_ENV.accountMessages] === 'on',
    accountMetrics: env[FLEET_ENV.accountMetrics] !== 'off',
  };
}

/** Reads the hub's twelve parameters (two GetParameters calls) into raw values by key. */
export async function readFleetParameters(deps: FleetDeps, prefix: string): Promise<RawFleetSettings> {
  const { sweep, fleet } = fleetParameterKeys();
  const byName = new Map<string, string>();
  for (const key of sweep) byName.set(`${prefix}/${PARAM[key]}`, key);
  for (const key of fleet) byName.set(`${prefix}/${FLEET_PARAM[key]}`, key);
  // account-id is read too, so that a leftover one is refused rather than ignored.
  byName.set(`${prefix}/${PARAM.accountId}`, 'accountId');
  let values: Map<string, string>;
  try {
    values = await readParameters(deps.clients.ssm, [...byName.keys()]);
  } catch (error) {
    throw new ConfigError(
      `${prefix}/*`,
      `could not read the SSM parameters under ${prefix}: ${errorSummary(error)}`,
    );
  }
  const raw: Record<string, string> = {};
  for (const [name, value] of values) {
    const key = byName.get(name);
    if (key !== undefined) raw[key] = value;
  }
  return raw as RawFleetSettings;
}

export function parseRaw(raw: RawFleetSettings, runtime: FleetRuntime): FleetSettings {
  return parseFleetSettings(raw, fleetSsmNames(runtime.prefix), runtime.region);
}

/** What an alert is about: a configuration error, or a run that ended or failed for another reason. */
export type FleetAlert =
  | { readonly kind: 'config'; readonly parameter?: string; readonly message: string }
  | { readonly kind: 'overlapping-run' | 'unpublished-report'; readonly message: string };

const ALERT_HEADLINE = {
  'overlapping-run': 'run ended at once, another execution is running, nothing aborted',
  'unpublished-report': 'the report could not be published; it is in S3',
} as const;

/** One alert on the topic; a failure to publish it is logged, never thrown over the cause. */
export async function alert(
  deps: FleetDeps,
  runtime: FleetRuntime,
  runId: string,
  what: FleetAlert,
): Promise<void> {
  const logger = cleaningLogger(deps.logger);
  logger.error('fleet run alert', { runId, ...what });
  const notification =
    what.kind === 'config'
      ? buildAlertMessage(
          { ...(what.parameter === undefined ? {} : { parameter: what.parameter }), message: what.message },
          { runId, region: runtime.region, account: '(hub)', prefix: runtime.prefix },
        )
      : {
          subject: `glacier-sweeper fleet: ${ALERT_HEADLINE[what.kind]}`.slice(0, 99),
          message: `${cleanText(what.message, 4000)}\n\nRun ${cleanText(runId, 100)} · hub ${cleanText(runtime.region, 40)}`,
          attributes: { kind: 'alert', action: 'report' },
        };
  try {
    await publish(deps.clients.sns, runtime.topicArn, notification);
  } catch (publishError) {
    logger.error('the alert could not be published', { runId, error: errorSummary(publishError) });
  }
}

let current: FleetDeps | undefined;

/** Built on the first invocation and reused by the container, never at import. */
export function fleetDependencies(): FleetDeps {
  if (current !== undefined) return current;
  const env = process.env;
  const partition = env[FLEET_ENV.partition];
  const clients = createFleetClients({ region: env.AWS_REGION, ...(partition ? { partition } : {}) });
  const bucket = env[FLEET_ENV.runBucket] ?? '';
  current = {
    clients,
    store: new S3RunStore(clients.s3, bucket),
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: FLEET_METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
    env,
    clock: Date.now,
    executions: {
      running: async (stateMachineArn) => {
        const names: string[] = [];
        let nextToken: string | undefined;
        do {
          const out = await clients.sfn.send(
            new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', nextToken }),
          );
          for (const e of out.executions ?? []) if (e.name) names.push(e.name);
          nextToken = out.nextToken;
        } while (nextToken);
        return names;
      },
    },
  };
  return current;
}

/** For the local runner and tests: other dependencies (clients aimed at the emulator). */
export function setFleetDependencies(next: FleetDeps | undefined): void {
  current = next;
}

/** Serializable form of a Step Functions error caught into the state. */
export interface CaughtError {
  readonly Error?: string;
  readonly Cause?: string;
}

/** A short message from a caught error: Lambda's Cause is JSON with errorType and errorMessage. */
export function caughtSummary(failure: CaughtError): string {
  let message = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorType?: string; errorMessage?: string };
    if (parsed.errorMessage !== undefined) message = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage}`;
  } catch {
    // Not JSON: the cause as it is.
  }
  const text = `${failure.Error ?? 'Error'}${message ? `: ${message}` : ''}`.replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
