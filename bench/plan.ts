/**
 * `npm run bench -- --only plan`: plan-then-act (issue 13) against the same-work sequential loop.
 * 20 vaults × 250 uploads, 10 % stale, abort mode, at 10 and 25 ms latency: the handler lists every
 * page, measures every stale upload (ListParts) and aborts it; the loop does exactly those requests,
 * one at a time. Prints a table and writes bench/out/plan.md; never touches BENCHMARKS.md.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RETRY_POLICY } from '../lambda/adapters/clients';
import { type Measured, measure, medianOf } from './measure';
import { startEmulatorChild } from './processes';
import type { RequestSummary, SweeperResult } from './protocol';
import type { Figure } from './report';
import { median } from './stats';
import {
  minimumRequests,
  planBoundMs,
  planWorkload,
  staleCount,
  TOPIC,
  totalPages,
  writeSeedFile,
} from './workloads';

export interface PlanBenchOptions {
  readonly quick: boolean;
  readonly latencies: readonly number[];
  readonly repeats: number;
  readonly vaultConcurrency: number;
  readonly abortConcurrency: number;
  readonly remainingMs: number;
  readonly outDir: string;
  readonly log: (line: string) => void;
}

const mark = (r: SweeperResult, name: string): number | undefined => r.marks?.[name];

/** The median run by wall time, so its phases and CPU belong to one run. */
function medianRun(m: Measured): { result: SweeperResult; summary: RequestSummary } {
  const walls = m.results.map((r) => r.wallMs);
  const at = Math.max(0, walls.indexOf(median(walls)));
  return { result: m.results[at] as SweeperResult, summary: m.summaries[at] as RequestSummary };
}

export async function runPlanBench(options: PlanBenchOptions): Promise<Figure[]> {
  const w = planWorkload(options.quick);
  const vc = options.vaultConcurrency;
  const ac = options.abortConcurrency;
  const seedFile = await writeSeedFile(options.outDir, w);
  const figures: Figure[] = [];
  const minimum = minimumRequests(w);
  options.log(
    `plan: ${w.vaults} vaults × ${w.uploadsPerVault} uploads, ${w.staleShare * 100} % stale, ${w.action} mode; ` +
      `latencies ${options.latencies.join(', ')} ms; ${options.repeats} repeats`,
  );
  const emulator = await startEmulatorChild(seedFile, TOPIC);
  try {
    for (const latencyMs of options.latencies) {
      const faults = { latencyMs, throttleRate: 0, faultSeed: 1 };
      const section = `plan @ ${latencyMs} ms`;
      const handler = await measure(
        emulator,
        w,
        { kind: 'handler', retryPolicy: RETRY_POLICY },
        faults,
        options.repeats,
        options.remainingMs,
        options.log,
      );
      const loop = await measure(
        emulator,
        w,
        { kind: 'baseline', measure: true },
        faults,
        options.repeats,
        options.remainingMs,
        options.log,
      );
      const wall = medianOf(handler, (r) => r.wallMs);
      const base = medianOf(loop, (r) => r.wallMs);
      const bound = planBoundMs(w, latencyMs, vc, ac);
      const loopRequests = median(loop.summaries.map((s) => s.total));
      figures.push({
        section,
        name: `speed-up over the same-work sequential loop (medians of ${options.repeats})`,
        value: `${Math.round(base)} ms / ${Math.round(wall)} ms = ${(base / wall).toFixed(1)}×`,
        target: latencyMs >= 25 ? '≥ 15×' : 'informational',
        met: latencyMs >= 25 ? base / wall >= 15 : null,
      });
      figures.push({
        section,
        name: 'wall time / latency bound of the concurrency',
        value: `${Math.round(wall)} ms / ${Math.round(bound)} ms = ${(wall / bound).toFixed(2)}; the bound allows ${(base / bound).toFixed(1)}× over the loop`,
        target: 'informational',
        met: null,
        note: `bound = max(${totalPages(w)} pages × ${latencyMs} ms / ${vc}, ${staleCount(w)} ListParts × ${latencyMs} ms / (${vc} × ${ac})) + ${staleCount(w)} aborts × ${latencyMs} ms / (${vc} × ${ac})`,
      });
      const { result, summary } = medianRun(handler);
      const started = mark(result, 'run starting') ?? 0;
      const planned = mark(result, 'run planned');
      const firstAbort = mark(result, 'aborting upload');
      const finished = mark(result, 'run finished');
      figures.push({
        section,
        name: 'where the time went (the median run)',
        value:
          `wall ${Math.round(result.wallMs)} ms` +
          (planned !== undefined ? `; planning (list + measure) ${Math.round(planned - started)} ms` : '') +
          (planned !== undefined && finished !== undefined
            ? `; acting ${Math.round(finished - planned)} ms`
            : firstAbort !== undefined
              ? `; first abort at ${Math.round(firstAbort - started)} ms`
              : '') +
          `; sweeper CPU ${Math.round(result.cpuMs)} ms (${(result.cpuMs / summary.total).toFixed(2)} ms per request), ` +
          `waited ${Math.round(result.runQueueWaitMs)} ms for a core; emulator CPU ${Math.round(summary.emulatorCpuMs)} ms`,
        target: 'informational',
        met: null,
      });
      if (planned !== undefined && finished !== undefined) {
        const acting = medianOf(
          handler,
          (r) => (r.marks?.['run finished'] ?? 0) - (r.marks?.['run planned'] ?? 0),
        );
        const planning = medianOf(
          handler,
          (r) => (r.marks?.['run planned'] ?? 0) - (r.marks?.['run starting'] ?? 0),
        );
        figures.push({
          section,
          name: 'planning vs acting (medians; for the planning share)',
          value:
            `planning ${Math.round(planning)} ms for ${totalPages(w)} pages and ${staleCount(w)} part listings; ` +
            `acting ${Math.round(acting)} ms for ${staleCount(w)} aborts = ${(acting / staleCount(w)).toFixed(2)} ms per pick at ${vc * ac} in flight`,
          target: 'informational',
          met: null,
        });
      }
      const aborted = result.aborted;
      figures.push({
        section,
        name: 'requests made / minimum (handler; the loop)',
        value: `${summary.total} / ${minimum}; loop ${loopRequests} (its minimum ${minimum - 2}: no SSM, no SNS)`,
        target: 'equal',
        met: summary.total === minimum && loopRequests === minimum - 2,
      });
      figures.push({
        section,
        name: 'aborted = stale, no abort repeated',
        value: `${aborted} of ${staleCount(w)}, ${summary.repeatedAborts} repeated`,
        target: 'equal, 0 repeated',
        met: aborted === staleCount(w) && summary.repeatedAborts === 0,
      });
    }
  } finally {
    await emulator.stop();
  }
  const lines = [
    `Plan-then-act bench: ${w.vaults} vaults × ${w.uploadsPerVault} uploads, ${w.staleShare * 100} % stale, abort mode, concurrency ${vc} × ${ac}`,
    '',
    '| section | figure | measured | target |',
    '|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.section} | ${f.note ? `${f.name} (${f.note})` : f.name} | ${f.value.replaceAll('|', '\\|')} | ${f.target} |`,
    ),
  ];
  await writeFile(join(options.outDir, 'plan.md'), `${lines.join('\n')}\n`);
  return figures;
}
