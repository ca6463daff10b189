import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type ClientOptions, createClients } from '../lambda/adapters/clients';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../lambda/core/defaults';
import type { SweepReport } from '../lambda/core/types';
import { handler, setDependencies } from '../lambda/handler';
import type { RunLogger } from '../lambda/run';

/** One structured log line as the handler wrote it. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

/** Keeps every log line in memory: tests assert on them, the demo prints them on request. */
export class MemoryLogger implements RunLogger {
  readonly lines: LogLine[] = [];
  info(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, extra });
  }
}

export interface LocalInvokeOptions {
  /** The emulator (or LocalStack) URL: set as AWS_ENDPOINT_URL_GLACIER/_SNS/_SSM, as a user would. */
  readonly endpoint: string;
  readonly topicArn: string;
  readonly region?: string;
  /** More function environment (SWEEPER_SSM_PREFIX, SWEEPER_VAULT_CONCURRENCY, …). */
  readonly env?: Record<string, string>;
  readonly event?: unknown;
  /** What `context.getRemainingTimeInMillis()` answers; default: a 10-minute invocation on the real clock. */
  readonly remainingMs?: () => number;
  readonly clock?: () => number;
  /** Default: a MemoryLogger. Pass a Powertools Logger to see the JSON lines Lambda would write. */
  readonly logger?: RunLogger;
  /** Client settings (retry mode, attempts, request timeout) for tests and benchmarks. */
  readonly clientOptions?: Omit<ClientOptions, 'endpoint' | 'region'>;
  /** Emit EMF metric lines to stdout (off by default: they would drown the demo's output). */
  readonly metrics?: boolean;
  /** The upload-history table (dynalite locally): sets AWS_ENDPOINT_URL_DYNAMODB and SWEEPER_STATE_TABLE. */
  readonly stateTable?: { readonly url: string; readonly tableName: string };
}

export interface LocalInvokeResult {
  readonly report?: SweepReport;
  /** Set when the handler threw (a configuration error, or the report could not be published). */
  readonly error?: Error;
  readonly logger: RunLogger;
}

const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

/**
 * Runs the real Lambda handler in this process against a local endpoint. The SDK finds the endpoint
 * through the standard AWS_ENDPOINT_URL_* variables, exactly as it would against LocalStack.
 */
export async function invokeLocally(options: LocalInvokeOptions): Promise<LocalInvokeResult> {
  const region = options.region ?? 'us-east-1';
  Object.assign(process.env, {
    ...FAKE_CREDENTIALS,
    AWS_REGION: region,
    AWS_ENDPOINT_URL_GLACIER: options.endpoint,
    AWS_ENDPOINT_URL_SNS: options.endpoint,
    AWS_ENDPOINT_URL_SSM: options.endpoint,
  });
  if (options.stateTable) process.env.AWS_ENDPOINT_URL_DYNAMODB = options.stateTable.url;
  const env = {
    ...process.env,
    SWEEPER_TOPIC_ARN: options.topicArn,
    ...(options.stateTable ? { SWEEPER_STATE_TABLE: options.stateTable.tableName } : {}),
    ...options.env,
  };
  const logger = options.logger ?? new MemoryLogger();
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  setDependencies({
    clients: createClients({ region, ...options.clientOptions }),
    logger,
    metrics: options.metrics ? metrics : silentMetrics(metrics),
    env,
    clock: options.clock ?? Date.now,
    newRunId: randomUUID,
  });
  const started = Date.now();
  const remainingMs = options.remainingMs ?? (() => 600_000 - (Date.now() - started));
  const context = fakeContext(region, remainingMs);
  try {
    const report = await handler(options.event ?? {}, context);
    return { report, logger };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)), logger };
  } finally {
    setDependencies(undefined);
  }
}

/** Powertools Metrics that computes everything but writes nothing. */
function silentMetrics(metrics: Metrics): Metrics {
  metrics.publishStoredMetrics = () => {
    metrics.clearMetrics();
    metrics.clearDimensions();
    return metrics;
  };
  return metrics;
}

function fakeContext(region: string, remainingMs: () => number): Context {
  const name = 'glacier-sweeper-local';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A Powertools Logger as the function uses it, for callers that want the real JSON lines. */
export const powertoolsLogger = (): Logger => new Logger({ serviceName: SERVICE_NAME });
