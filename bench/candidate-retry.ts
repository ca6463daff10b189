import { randomUUID } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GlacierClient } from '@aws-sdk/client-glacier';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { Context } from 'aws-lambda';
import { type Clients, CONNECTION_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../lambda/adapters/clients';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../lambda/core/defaults';
import type { SweepReport } from '../lambda/core/types';
import { handler, setDependencies } from '../lambda/handler';
import type { RunLogger } from '../lambda/run';

/**
 * The retry policy proposed for lambda/adapters/clients.ts when throttling misses its target: full
 * jitter from a 50 ms base (the SDK's throttling base is 1 s, i.e. ~50 round trips of a 10 ms call),
 * with more attempts and a 5 s cap so a sustained throttle is still waited out for ~11 s in total.
 */
export const CANDIDATE_MAX_ATTEMPTS = 8;
export const CANDIDATE_BASE_MS = 50;
export const CANDIDATE_CAP_MS = 5_000;

export const candidateBackoff = (attempt: number): number =>
  Math.floor(Math.random() * Math.min(CANDIDATE_CAP_MS, CANDIDATE_BASE_MS * 2 ** attempt));

function candidateClients(region: string): Clients {
  const config = {
    region,
    retryStrategy: new ConfiguredRetryStrategy(CANDIDATE_MAX_ATTEMPTS, candidateBackoff),
    requestHandler: {
      requestTimeout: REQUEST_TIMEOUT_MS,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
  return { glacier: new GlacierClient(config), sns: new SNSClient(config), ssm: new SSMClient(config) };
}

/**
 * local/invoke.ts's invokeLocally with the candidate clients: it builds its clients itself, so the
 * candidate goes in through the handler's own `setDependencies`. The handler and run are the shipped ones.
 */
export async function invokeWithCandidateRetry(options: {
  endpoint: string;
  topicArn: string;
  logger: RunLogger;
  remainingMs: () => number;
}): Promise<SweepReport> {
  const region = 'us-east-1';
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_ENDPOINT_URL_GLACIER: options.endpoint,
    AWS_ENDPOINT_URL_SNS: options.endpoint,
    AWS_ENDPOINT_URL_SSM: options.endpoint,
  });
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  // Computed but never written, as invokeLocally does by default.
  metrics.publishStoredMetrics = () => {
    metrics.clearMetrics();
    return metrics;
  };
  setDependencies({
    clients: candidateClients(region),
    logger: options.logger,
    metrics,
    env: { ...process.env, SWEEPER_TOPIC_ARN: options.topicArn },
    clock: Date.now,
    newRunId: randomUUID,
  });
  const name = 'glacier-sweeper-bench';
  const context = {
    functionName: name,
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${name}`,
    getRemainingTimeInMillis: options.remainingMs,
  } as unknown as Context;
  try {
    return await handler({}, context);
  } finally {
    setDependencies(undefined);
  }
}
