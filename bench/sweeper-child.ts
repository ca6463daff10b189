/**
 * One sweep in a process of its own, so its peak RSS belongs to one workload only. Started by
 * bench/run.ts with `fork` and the job as JSON in BENCH_JOB; sends one result over IPC and exits.
 * Log lines go to stdout, which the parent discards: the JSON logging costs CPU as it does in Lambda.
 */
import { readFile } from 'node:fs/promises';
import type { SweepReport } from '../lambda/core/types';
import type { RunLogger } from '../lambda/run';
import { invokeLocally, powertoolsLogger } from '../local/invoke';
import { baselineSweep } from './baseline';
import type { SweeperJob, SweeperReply, SweeperResult } from './protocol';

const DAY_MS = 86_400_000;

const send = (message: SweeperReply): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) return resolve();
    process.send(message, () => resolve());
  });

const cpuMs = (): number => {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
};

/** Run-queue wait of the main thread (its task id is the pid) in ms: ready to run, but no core free. */
async function runQueueWaitMs(): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8'))
      .trim()
      .split(/\s+/);
    return Number(fields[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

function fromReport(
  report: SweepReport,
): Omit<SweeperResult, 'wallMs' | 'peakRssBytes' | 'cpuMs' | 'runQueueWaitMs'> {
  const t = report.totals;
  return {
    scanned: t.scanned,
    stale: t.stale,
    aborted: t.aborted,
    failed: t.failed,
    vaultErrors: t.vaultErrors,
    complete: report.complete,
  };
}

/** Log lines whose first appearance marks a phase of the run. */
const MARKED = ['run starting', 'run planned', 'aborting upload', 'run finished'];

/** Passes every line on and notes when each marked message first appears (ms since `started`). */
function markingLogger(logger: RunLogger, started: number, marks: Record<string, number>): RunLogger {
  const mark = (message: string) => {
    if (MARKED.includes(message) && marks[message] === undefined)
      marks[message] = performance.now() - started;
  };
  return {
    info: (message, extra) => {
      mark(message);
      logger.info(message, extra);
    },
    warn: (message, extra) => logger.warn(message, extra),
    error: (message, extra) => logger.error(message, extra),
  };
}

async function run(
  job: SweeperJob,
): Promise<Omit<SweeperResult, 'wallMs' | 'peakRssBytes' | 'cpuMs' | 'runQueueWaitMs'>> {
  const started = Date.now();
  const remainingMs = () => job.remainingMs - (Date.now() - started);
  const sweeper = job.sweeper;
  if (sweeper.kind === 'idle') {
    return { scanned: 0, stale: 0, aborted: 0, failed: 0, vaultErrors: 0, complete: true };
  }
  if (sweeper.kind === 'baseline') {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_GLACIER: job.endpoint,
    });
    const { scanned, stale, aborted, failed } = await baselineSweep({
      vaults: job.vaults,
      olderThanMs: job.olderThanDays * DAY_MS,
      abort: job.action === 'abort',
      measure: sweeper.measure === true,
    });
    return { scanned, stale, aborted, failed, vaultErrors: 0, complete: true };
  }
  const marks: Record<string, number> = {};
  const result = await invokeLocally({
    endpoint: job.endpoint,
    topicArn: job.topicArn,
    logger: markingLogger(powertoolsLogger(), performance.now(), marks),
    clientOptions: { retryPolicy: sweeper.retryPolicy },
    remainingMs,
  });
  if (result.report === undefined) {
    return {
      scanned: 0,
      stale: 0,
      aborted: 0,
      failed: 0,
      vaultErrors: 0,
      complete: false,
      error: result.error?.message ?? 'no report',
    };
  }
  return { ...fromReport(result.report), marks };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_JOB ?? 'null') as SweeperJob | null;
  if (job === null) throw new Error('BENCH_JOB is not set');
  const waitBefore = await runQueueWaitMs();
  const cpuBefore = cpuMs();
  const started = performance.now();
  const outcome = await run(job);
  const wallMs = performance.now() - started;
  const waitAfter = await runQueueWaitMs();
  const result: SweeperResult = {
    ...outcome,
    wallMs,
    cpuMs: cpuMs() - cpuBefore,
    runQueueWaitMs: Number.isNaN(waitAfter - waitBefore) ? -1 : waitAfter - waitBefore,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  await send({ type: 'result', result });
}

main()
  .catch(async (error: unknown) => {
    await send({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exitCode = 1;
  })
  .finally(() => {
    // Keep-alive sockets and the SDK's timers would otherwise hold the process open.
    process.exit();
  });
