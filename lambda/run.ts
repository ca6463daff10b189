import { setMaxListeners } from 'node:events';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clients } from './adapters/clients';
import { DynamoStateStore } from './adapters/dynamodb-state';
import { GlacierVaultApi } from './adapters/glacier';
import { emitRunMetrics } from './adapters/metrics';
import { publish } from './adapters/sns';
import { loadConfig } from './config';
import {
  DEFAULT_SSM_PREFIX,
  ENV,
  GLACIER_MAX_DESCRIPTION_CHARS,
  MAX_ABORT_CONCURRENCY,
  MAX_VAULT_CONCURRENCY,
} from './core/defaults';
import { errorSummary } from './core/errors';
import { parseRunRequest } from './core/event';
import { deadlineFor, hardStopAfter, shouldNotify } from './core/notify';
import { cleanDeep, cleanText } from './core/sanitize';
import { ConfigError, ssmNames } from './core/settings';
import { buildAlertMessage, buildReportMessage, trimForResponse } from './core/sns-message';
import { type SweepObserver, sweepRun } from './core/sweep';
import type { SweepReport } from './core/types';

/** The part of Powertools Logger the run uses; structured extras go in the second argument. */
export interface RunLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface RunDeps {
  readonly clients: Clients;
  readonly logger: RunLogger;
  readonly metrics: Metrics;
  readonly env: Record<string, string | undefined>;
  readonly clock: () => number;
  readonly newRunId: () => string;
}

export interface InvocationInfo {
  readonly remainingMs: () => number;
  /** Gives the function's own account id for the email header. */
  readonly functionArn?: string | undefined;
}

/** One log line per stale upload and per abort: the log, retained a year, is the audit trail. */
export function auditObserver(logger: RunLogger, runId: string): SweepObserver {
  return {
    abortStarting: (event) => logger.info('aborting upload', { runId, ...event }),
    staleUpload: (event) => {
      const level = event.outcome === 'failed' ? 'error' : 'info';
      logger[level]('stale upload', { runId, ...event });
    },
    warning: (event) => logger.warn('upload check incomplete', { runId, ...event }),
    // The plan before any abort: what the run is about to do, and whether planning ran out of time.
    planned: (event) => logger.info('run planned', { runId, ...event }),
    anomaly: (event) =>
      logger.warn('upload with an untrustworthy CreationDate: never aborted', { runId, ...event }),
    vaultDone: ({ staleUploads: _s, anomalies: _a, ...summary }) => {
      logger[summary.error === null ? 'info' : 'error']('vault swept', { runId, ...summary });
    },
  };
}

const accountOf = (arn: string | undefined): string => arn?.split(':')[4] || '-';

/**
 * Every log line of a run goes through here: descriptions, upload ids, vault names and error messages
 * come from outside, and the log's JSON would carry their C1 and bidi controls raw to whoever reads it
 * in a terminal. Strings are cleaned as the email cleans them, each capped at Glacier's description limit.
 */
export function cleaningLogger(logger: RunLogger): RunLogger {
  const clean = (message: string, extra: Record<string, unknown>) =>
    [
      cleanText(message, GLACIER_MAX_DESCRIPTION_CHARS),
      cleanDeep(extra, GLACIER_MAX_DESCRIPTION_CHARS),
    ] as const;
  return {
    info: (message, extra) => logger.info(...clean(message, extra)),
    warn: (message, extra) => logger.warn(...clean(message, extra)),
    error: (message, extra) => logger.error(...clean(message, extra)),
  };
}

/**
 * Config → sweep → metrics → publish → report. Throws only for a configuration error (after one alert)
 * or when the report could not be published (after logging the whole report).
 */
export async function runSweep(
  event: unknown,
  invocation: InvocationInfo,
  deps: RunDeps,
): Promise<SweepReport> {
  const { clients } = deps;
  const logger = cleaningLogger(deps.logger);
  const runId = deps.newRunId();
  const region = deps.env.AWS_REGION ?? 'unknown-region';
  const ownAccount = accountOf(invocation.functionArn);
  let config: Awaited<ReturnType<typeof loadConfig>>;
  let request: ReturnType<typeof parseRunRequest>;
  try {
    config = await loadConfig(deps.env, clients.ssm);
    request = parseRunRequest(event, config.settings);
  } catch (error) {
    if (error instanceof ConfigError)
      await alertConfigError(error, deps, { runId, region, account: ownAccount });
    throw error;
  }
  const { runtime, settings } = config;
  for (const warning of request.warnings) logger.warn(warning, { runId });
  const account = settings.accountId === '-' ? ownAccount : settings.accountId;
  logger.info('run starting', {
    runId,
    action: request.forceReport ? 'report' : settings.action,
    vaults: settings.vaults === '*' ? '*' : settings.vaults.map((v) => v.name),
  });

  const hardStop = AbortSignal.timeout(hardStopAfter(invocation.remainingMs()));
  // Every request in flight listens to this one signal; more than Node's default 10 is expected.
  setMaxListeners(MAX_VAULT_CONCURRENCY * (MAX_ABORT_CONCURRENCY + 1) + 1, hardStop);
  const sweep = sweepRun({
    api: new GlacierVaultApi(clients.glacier, settings.accountId, hardStop),
    settings,
    clock: deps.clock,
    deadline: deadlineFor(deps.clock(), invocation.remainingMs()),
    vaultConcurrency: runtime.vaultConcurrency,
    abortConcurrency: runtime.abortConcurrency,
    runId,
    region,
    account,
    state:
      runtime.stateTable === undefined
        ? undefined
        : new DynamoStateStore(clients.dynamodb, runtime.stateTable, hardStop),
    onlyVaults: request.onlyVaults,
    vaultPattern: runtime.vaultPattern,
    vaultPatternNames: {
      pattern: ENV.vaultPattern,
      text: deps.env[ENV.vaultPattern] ?? '',
      vaults: ssmNames(runtime.ssmPrefix).name('vaults'),
    },
    forceReport: request.forceReport,
    observer: auditObserver(logger, runId),
  });
  let report: SweepReport;
  try {
    report = await sweep;
  } catch (error) {
    // The core refuses some settings only once it sees them together (a named vault outside the pattern).
    if (error instanceof ConfigError)
      await alertConfigError(error, deps, { runId, region, account: ownAccount });
    throw error;
  }
  logger.info('run finished', {
    runId,
    complete: report.complete,
    planComplete: report.planComplete,
    capped: report.capped,
    totals: report.totals,
  });

  if (shouldNotify(report, settings.notify)) {
    const notification = buildReportMessage(report, { account });
    try {
      await publish(clients.sns, runtime.topicArn, notification);
    } catch (error) {
      emitRunMetrics(deps.metrics, report, { runCompleted: false, perVault: config.perVaultMetrics });
      logger.error('report could not be published; the whole report follows', {
        runId,
        error: errorSummary(error),
        report,
      });
      throw new Error(
        `glacier-sweeper: the report of run ${runId} could not be published to ${runtime.topicArn}: ${errorSummary(error)}`,
      );
    }
  }
  emitRunMetrics(deps.metrics, report, { runCompleted: true, perVault: config.perVaultMetrics });
  return trimForResponse(report);
}

async function alertConfigError(
  error: ConfigError,
  deps: RunDeps,
  ctx: { runId: string; region: string; account: string },
): Promise<void> {
  // The message quotes the bad value, which may be anything an operator (or a script) put there.
  const logger = cleaningLogger(deps.logger);
  logger.error('configuration error: nothing was swept or aborted', {
    runId: ctx.runId,
    setting: error.setting,
    error: error.message,
  });
  const topicArn = deps.env[ENV.topicArn];
  if (!topicArn) return;
  const prefix = deps.env[ENV.ssmPrefix] || DEFAULT_SSM_PREFIX;
  try {
    await publish(
      deps.clients.sns,
      topicArn,
      buildAlertMessage({ parameter: error.setting, message: error.message }, { ...ctx, prefix }),
    );
  } catch (publishError) {
    logger.error('the configuration alert could not be published', {
      runId: ctx.runId,
      error: errorSummary(publishError),
    });
  }
}
