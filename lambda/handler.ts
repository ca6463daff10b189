import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createClients } from './adapters/clients';
import { METRIC_NAMESPACE, SERVICE_NAME } from './core/defaults';
import type { SweepReport } from './core/types';
import { type RunDeps, runSweep } from './run';

let deps: RunDeps | undefined;

/** Clients and tools are built on the first invocation and reused by the container, never at import. */
function dependencies(): RunDeps {
  const current = deps ?? {
    clients: createClients({ region: process.env.AWS_REGION }),
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME }),
    env: process.env,
    clock: Date.now,
    newRunId: randomUUID,
  };
  deps = current;
  return current;
}

/** For tests and the demo: run the handler with other dependencies (e.g. clients aimed at an emulator). */
export function setDependencies(next: RunDeps | undefined): void {
  deps = next;
}

export const handler = async (event: unknown, context: Context): Promise<SweepReport> => {
  const current = dependencies();
  if (current.logger instanceof Logger) current.logger.addContext(context);
  return runSweep(
    event,
    { remainingMs: () => context.getRemainingTimeInMillis(), functionArn: context.invokedFunctionArn },
    current,
  );
};
