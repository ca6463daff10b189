/** One sweeper kind measured `repeats` times on a freshly reseeded emulator. */
import { type EmulatorHandle, runSweeperChild } from './processes';
import type { FaultSettings, RequestSummary, SweeperJob, SweeperKind, SweeperResult } from './protocol';
import { median } from './stats';
import { OLDER_THAN_DAYS, vaultNames, type Workload } from './workloads';

const MB = 1024 * 1024;

export interface Measured {
  results: SweeperResult[];
  summaries: RequestSummary[];
}

export const medianOf = (m: Measured, pick: (r: SweeperResult) => number): number =>
  median(m.results.map(pick));

export async function measure(
  emulator: EmulatorHandle,
  w: Workload,
  sweeper: SweeperKind,
  faults: FaultSettings,
  repeats: number,
  remainingMs: number,
  log: (line: string) => void,
): Promise<Measured> {
  const out: Measured = { results: [], summaries: [] };
  for (let i = 0; i < repeats; i += 1) {
    await emulator.reset(faults);
    const job: SweeperJob = {
      sweeper,
      endpoint: emulator.url,
      topicArn: emulator.topicArn,
      vaults: vaultNames(w),
      action: w.action,
      olderThanDays: OLDER_THAN_DAYS,
      remainingMs,
    };
    const result = await runSweeperChild(job, remainingMs + 60_000);
    if (result.error !== undefined)
      throw new Error(`${w.name} ${sweeper.kind}: the handler threw: ${result.error}`);
    const summary = await emulator.summary();
    out.results.push(result);
    out.summaries.push(summary);
    const label =
      'retryPolicy' in sweeper
        ? `${sweeper.kind}/${sweeper.retryPolicy}`
        : sweeper.kind === 'baseline' && sweeper.measure
          ? 'baseline/same-work'
          : sweeper.kind;
    log(
      `  ${w.name} ${label}${faults.throttleRate > 0 ? ` throttle ${faults.throttleRate}` : ''} #${i + 1}: ` +
        `${Math.round(result.wallMs)} ms, ${summary.total} requests, scanned ${result.scanned}, ` +
        `aborted ${result.aborted}, failed ${result.failed}, vault errors ${result.vaultErrors}, ` +
        `RSS ${(result.peakRssBytes / MB).toFixed(1)} MB, CPU ${Math.round(result.cpuMs)} ms, ` +
        `waited for a core ${Math.round(result.runQueueWaitMs)} ms, emulator CPU ${Math.round(summary.emulatorCpuMs)} ms` +
        `${result.complete ? '' : ', INCOMPLETE'}`,
    );
  }
  return out;
}
