import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlacierClient } from '@aws-sdk/client-glacier';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * Retry policy of every client. Standard mode retries throttling and transient errors with jittered
 * backoff per request; adaptive mode's shared client-side rate limiter shrinks the send rate of the
 * whole client on each throttle. Chosen by measurement: see BENCHMARKS.md, "Throttling".
 */
export const RETRY_MODE: 'standard' | 'adaptive' = 'standard';
export const MAX_ATTEMPTS = 5;
/** A hung request must not eat the time budget: Glacier list/abort calls answer in well under a second. */
export const REQUEST_TIMEOUT_MS = 10_000;
export const CONNECTION_TIMEOUT_MS = 3_000;

export interface ClientOptions {
  readonly region?: string | undefined;
  /** Overrides AWS_ENDPOINT_URL_* (the CLI's --endpoint-url). */
  readonly endpoint?: string | undefined;
  readonly retryMode?: 'standard' | 'adaptive';
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
}

export interface Clients {
  readonly glacier: GlacierClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  /** Upload history for `quiet-period`; constructed lazily by the SDK, so unused it costs nothing. */
  readonly dynamodb: DynamoDBClient;
}

/** Builds the clients with one configuration; called once per container, never at import time. */
export function createClients(options: ClientOptions = {}): Clients {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    retryMode: options.retryMode ?? RETRY_MODE,
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      // Without it, smithy's handler only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
  return {
    glacier: new GlacierClient(config),
    sns: new SNSClient(config),
    ssm: new SSMClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}
