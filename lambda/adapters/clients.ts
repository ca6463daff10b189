import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GlacierClient } from '@aws-sdk/client-glacier';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

/**
 * How failed requests are retried. `jittered` (the default): the SDK's standard retry strategy with
 * full-jitter exponential backoff from a 50 ms base, capped at 5 s, 8 attempts. The SDK's `standard`
 * mode waits from a 1 s base after a throttle — 50 round trips of a Glacier list call — and `adaptive`
 * adds a client-wide rate limiter that, under steady random throttling, crawls to a few requests a
 * second. Chosen by measurement: see BENCHMARKS.md, "Throttling".
 */
export type RetryPolicy = 'jittered' | 'standard' | 'adaptive';
export const RETRY_POLICY: RetryPolicy = 'jittered';
export const MAX_ATTEMPTS = 8;
export const RETRY_BASE_MS = 50;
export const RETRY_CAP_MS = 5_000;
/** A hung request must not eat the time budget: Glacier list/abort calls answer in well under a second. */
export const REQUEST_TIMEOUT_MS = 10_000;
export const CONNECTION_TIMEOUT_MS = 3_000;

/** Full jitter: a uniform wait in [0, min(cap, base × 2^attempt)). */
export const jitteredBackoff = (attempt: number): number =>
  Math.floor(Math.random() * Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt));

export interface ClientOptions {
  readonly region?: string | undefined;
  /** A named profile of the shared config and credentials files (the CLI's --profile); else AWS_PROFILE. */
  readonly profile?: string | undefined;
  /** Overrides AWS_ENDPOINT_URL_* (the CLI's --endpoint-url). */
  readonly endpoint?: string | undefined;
  readonly retryPolicy?: RetryPolicy;
  readonly maxAttempts?: number;
  readonly requestTimeoutMs?: number;
}

function retryConfig(policy: RetryPolicy, maxAttempts: number) {
  return policy === 'jittered'
    ? { retryStrategy: new ConfiguredRetryStrategy(maxAttempts, jitteredBackoff) }
    : { retryMode: policy, maxAttempts };
}

export interface Clients {
  readonly glacier: GlacierClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  /** Upload history for `quiet-period`; constructed lazily by the SDK, so unused it costs nothing. */
  readonly dynamodb: DynamoDBClient;
}

/**
 * The one client configuration (region, profile, endpoint, retries, timeouts), for the clients below
 * and for a client built elsewhere so that it behaves the same (the CLI's STS client).
 */
export function clientConfig(options: ClientOptions = {}) {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...retryConfig(options.retryPolicy ?? RETRY_POLICY, options.maxAttempts ?? MAX_ATTEMPTS),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      // Without it, smithy's handler only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/** Builds the clients with one configuration; called once per container, never at import time. */
export function createClients(options: ClientOptions = {}): Clients {
  const config = clientConfig(options);
  return {
    glacier: new GlacierClient(config),
    sns: new SNSClient(config),
    ssm: new SSMClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}
