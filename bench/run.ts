/**
 * `npm run bench`: how fast and lean a sweep is, against the local emulator with injected latency.
 * Each sweep runs in a child process of its own (peak RSS per workload), the emulator in another
 * (no shared event loop). See BENCHMARKS.md for the figures and what they mean.
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RETRY_POLICY } from '../lambda/adapters/clients';
import { DEFAULT_ABORT_CONCURRENCY, DEFAULT_VAULT_CONCURRENCY } from '../lambda/core/defaults';
import { type ColdStart, measureColdStart } from './cold-start';
import { type Measured, measure, medianOf } from './measure';
import { runPlanBench } from './plan';
import { killAllChildren, runSweeperChild, startEmulatorChild } from './processes';
import type { FaultSettings, RequestSummary, SweeperKind, SweeperResult } from './protocol';
import { type Figure, renderMarkdown, renderTable, writeBenchmarksFile } from './report';
import { max, median } from './stats';
import {
  minimumRequests,
  OLDER_THAN_DAYS,
  pagesPerVault,
  staleCount,
  TOPIC,
  totalPages,
  type Workload,
  wallBoundMs,
  workloads,
  writeSeedFile,
} from './workloads';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = fileURLToPath(new URL('./out/', import.meta.url));

const USAGE = `Usage: npm run bench -- [options]

  --quick            small workloads, one repeat, no cold start: a smoke run (never writes BENCHMARKS.md)
  --only plan        only plan-then-act against the same-work sequential loop, at 10 and 25 ms
                     (or --latency-ms), repeats 3 (or --repeat); prints, writes bench/out/plan.md only
  --repeat N         repeats of every sweeper run whose median is reported (default: S 3, M 3, L 1)
  --latency-ms N     injected latency per request (default 10)
  --no-cold-start    skip the CDK synth and import timing
  --no-throttle      skip the throttled runs
  --no-write         print only; leave BENCHMARKS.md alone
  --help`;

const MB = 1024 * 1024;
const TARGET_RSS = 200 * MB;
const TARGET_BUNDLE = 500 * 1024;
const TARGET_IMPORT_MS = 100;
const THROTTLE_RATE = 0.2;
/** Throttled runs get this invocation budget: the handler stops starting work at 80 % of it. */
const THROTTLED_REMAINING_MS = 75_000;
const DEFAULT_REMAINING_MS = 600_000;

/** Request-count checks shared by every unthrottled handler run. */
function requestFigures(section: string, w: Workload, m: Measured): Figure[] {
  const summary = m.summaries[m.summaries.length - 1] as RequestSummary;
  const minimum = minimumRequests(w);
  const pages = pagesPerVault(w);
  const listCalls = Object.values(summary.listCallsByVault);
  const worstList = listCalls.reduce((a, b) => Math.max(a, b), 0);
  const aborted = (m.results[m.results.length - 1] as SweeperResult).aborted;
  const figures: Figure[] = [
    {
      section,
      name: 'requests made / minimum needed',
      value: `${summary.total} / ${minimum} = ${(summary.total / minimum).toFixed(2)}`,
      target: '1.00',
      met: summary.total === minimum,
    },
    {
      section,
      name: 'list calls per vault (most)',
      value: `${worstList} (pages at limit 50: ${pages})`,
      target: `≤ ${pages + 1}`,
      met: worstList <= pages + 1 && listCalls.length === w.vaults,
    },
  ];
  if (w.action === 'abort') {
    figures.push({
      section,
      name: 'abort calls = stale uploads aborted',
      value: `${summary.abortCalls} calls, ${aborted} aborted of ${staleCount(w)} stale, ${summary.repeatedAborts} repeated`,
      target: 'equal, 0 repeated',
      met: summary.abortCalls === aborted && aborted === staleCount(w) && summary.repeatedAborts === 0,
    });
  }
  return figures;
}

/** Where the median run's time went: the sweeper's CPU, its wait for a core, the emulator's CPU. */
function timeFigure(section: string, m: Measured): Figure {
  const index = m.results.map((r) => r.wallMs).indexOf(median(m.results.map((r) => r.wallMs)));
  const at = Math.max(index, 0);
  const r = m.results[at] as SweeperResult;
  const s = m.summaries[at] as RequestSummary;
  return {
    section,
    name: 'where the time went (a median run)',
    value:
      `wall ${Math.round(r.wallMs)} ms: sweeper CPU ${Math.round(r.cpuMs)} ms (${(r.cpuMs / s.total).toFixed(2)} ms per request), ` +
      `sweeper waited ${Math.round(r.runQueueWaitMs)} ms for a core, emulator CPU ${Math.round(s.emulatorCpuMs)} ms`,
    target: 'informational',
    met: null,
  };
}

function machineNotes(): string[] {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const [one, five] = loadavg();
  return [
    `${cpus().length} cores (${cpu}), ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM (${(freemem() / 1024 ** 3).toFixed(1)} GB free)`,
    `Node ${process.version} (Lambda runs Node 24 on arm64), ${process.platform} ${process.arch}`,
    `load average at start: ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min)`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      'latency-ms': { type: 'string' },
      'no-cold-start': { type: 'boolean', default: false },
      'no-throttle': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const quick = values.quick === true;
  const repeatArg = values.repeat === undefined ? undefined : Number(values.repeat);
  if (repeatArg !== undefined && !(Number.isInteger(repeatArg) && repeatArg >= 1 && repeatArg <= 15)) {
    throw new Error(`--repeat must be a whole number from 1 to 15, got ${values.repeat}`);
  }
  const latencyMs = values['latency-ms'] === undefined ? 10 : Number(values['latency-ms']);
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0 && latencyMs <= 1000)) {
    throw new Error(`--latency-ms must be a number from 0 to 1000, got ${values['latency-ms']}`);
  }
  if (values.only !== undefined && values.only !== 'plan') {
    throw new Error(`--only takes plan, got ${values.only}`);
  }
  if (values.only === 'plan') {
    const figures = await runPlanBench({
      quick,
      latencies: values['latency-ms'] === undefined ? [10, 25] : [latencyMs],
      repeats: repeatArg ?? (quick ? 1 : 3),
      vaultConcurrency: DEFAULT_VAULT_CONCURRENCY,
      abortConcurrency: DEFAULT_ABORT_CONCURRENCY,
      remainingMs: DEFAULT_REMAINING_MS,
      outDir: OUT,
      log: (line) => console.error(line),
    });
    console.log(renderTable(figures));
    console.log(`\n${machineNotes().join('\n')}`);
    return;
  }
  const repeats = { S: repeatArg ?? (quick ? 1 : 3), M: repeatArg ?? (quick ? 1 : 3), L: repeatArg ?? 1 };
  const w = workloads(quick);
  const vc = DEFAULT_VAULT_CONCURRENCY;
  const ac = DEFAULT_ABORT_CONCURRENCY;
  const plain: FaultSettings = { latencyMs, throttleRate: 0, faultSeed: 1 };
  const throttled: FaultSettings = { latencyMs, throttleRate: THROTTLE_RATE, faultSeed: 1 };
  const shipped: SweeperKind = { kind: 'handler', retryPolicy: RETRY_POLICY };
  const started = Date.now();
  const log = (line: string) => console.error(line);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const notes = machineNotes();
  const figures: Figure[] = [];
  log(
    `glacier-sweeper benchmarks (${quick ? 'quick' : 'full'}), latency ${latencyMs} ms, concurrency ${vc} × ${ac}`,
  );

  let cold: ColdStart | undefined;
  if (!quick && !values['no-cold-start']) {
    log('cold start: cdk synth with the stack bundling, then import timing…');
    cold = await measureColdStart(ROOT, `${OUT}cdk.out`, 10);
  }

  const idle = await runSweeperChild(
    {
      sweeper: { kind: 'idle' },
      endpoint: 'http://127.0.0.1:9',
      topicArn: '',
      vaults: [],
      action: 'report',
      olderThanDays: OLDER_THAN_DAYS,
      remainingMs: 1000,
    },
    60_000,
  );

  const runs: Partial<Record<Workload['name'], { handler: Measured; baseline?: Measured }>> = {};
  let zeroLatencyL: Measured | undefined;
  const throttleRuns: { label: string; kind: SweeperKind; measured: Measured }[] = [];

  for (const name of ['S', 'M', 'L'] as const) {
    const workload = w[name];
    const seedFile = await writeSeedFile(OUT, workload);
    log(`${name}: ${workload.vaults} vaults × ${workload.uploadsPerVault} uploads, ${workload.action} mode`);
    const emulator = await startEmulatorChild(seedFile, TOPIC);
    try {
      const handler = await measure(
        emulator,
        workload,
        shipped,
        plain,
        repeats[name],
        DEFAULT_REMAINING_MS,
        log,
      );
      const baseline =
        name === 'L'
          ? undefined
          : await measure(emulator, workload, { kind: 'baseline' }, plain, 1, DEFAULT_REMAINING_MS, log);
      runs[name] = { handler, ...(baseline ? { baseline } : {}) };
      if (name === 'L') {
        zeroLatencyL = await measure(
          emulator,
          workload,
          shipped,
          { ...plain, latencyMs: 0 },
          1,
          DEFAULT_REMAINING_MS,
          log,
        );
      }
      if (name === 'M' && !values['no-throttle']) {
        const kinds: { label: string; kind: SweeperKind }[] = [
          {
            label: 'jittered (standard strategy, 50 ms full-jitter backoff, 8 attempts)',
            kind: { kind: 'handler', retryPolicy: 'jittered' },
          },
          { label: "SDK 'standard' mode", kind: { kind: 'handler', retryPolicy: 'standard' } },
          { label: "SDK 'adaptive' mode", kind: { kind: 'handler', retryPolicy: 'adaptive' } },
        ];
        for (const { label, kind } of kinds) {
          const measured = await measure(emulator, workload, kind, throttled, 1, THROTTLED_REMAINING_MS, log);
          throttleRuns.push({ label, kind, measured });
        }
      }
    } finally {
      await emulator.stop();
    }
  }

  // Figures, in the issue's order.
  const S = runs.S;
  const M = runs.M;
  const L = runs.L;
  if (S?.baseline) {
    const wall = medianOf(S.handler, (r) => r.wallMs);
    const base = medianOf(S.baseline, (r) => r.wallMs);
    figures.push({
      section: 'S',
      name: 'wall time (median) vs baseline',
      value: `${Math.round(wall)} ms vs ${Math.round(base)} ms = ${(base / wall).toFixed(1)}× faster`,
      target: 'informational',
      met: null,
    });
    figures.push(...requestFigures('S', w.S, S.handler));
  }
  if (M?.baseline) {
    const wall = medianOf(M.handler, (r) => r.wallMs);
    const base = medianOf(M.baseline, (r) => r.wallMs);
    const bound = wallBoundMs(w.M, latencyMs, vc, ac);
    figures.push({
      section: 'M',
      name: 'speed-up over the baseline (medians)',
      value: `${Math.round(base)} ms / ${Math.round(wall)} ms = ${(base / wall).toFixed(1)}×`,
      target: '≥ 10×',
      met: base / wall >= 10,
    });
    figures.push({
      section: 'M',
      name: 'wall time / bound',
      value: `${Math.round(wall)} ms / ${Math.round(bound)} ms = ${(wall / bound).toFixed(2)}`,
      target: '≤ 1.50',
      met: wall / bound <= 1.5,
      note: `bound = ${totalPages(w.M)} pages × ${latencyMs} ms / ${vc} + ${staleCount(w.M)} aborts × ${latencyMs} ms / (${vc} × ${ac})`,
    });
    figures.push(timeFigure('M', M.handler));
    figures.push(timeFigure('M baseline', M.baseline));
    figures.push(...requestFigures('M', w.M, M.handler));
    const rss = max(M.handler.results.map((r) => r.peakRssBytes));
    figures.push({
      section: 'M',
      name: 'peak RSS of the sweeper process (max of runs)',
      value: `${(rss / MB).toFixed(1)} MB (idle child ${(idle.peakRssBytes / MB).toFixed(1)} MB)`,
      target: '< 200 MB',
      met: rss < TARGET_RSS,
    });
  }
  if (L) {
    const wall = medianOf(L.handler, (r) => r.wallMs);
    const bound = totalPages(w.L) * latencyMs;
    figures.push({
      section: 'L',
      name: 'wall time / (pages × latency)',
      value: `${Math.round(wall)} ms / ${bound} ms = ${(wall / bound).toFixed(2)}`,
      target: '≤ 1.20',
      met: wall / bound <= 1.2,
    });
    const last = L.handler.summaries[0] as RequestSummary;
    const pages = totalPages(w.L);
    figures.push({
      section: 'L',
      name: 'per page: emulator answer time (latency included) + client side',
      value: `${(last.listServerMs / pages).toFixed(2)} ms + ${((wall - last.listServerMs) / pages).toFixed(2)} ms`,
      target: 'informational',
      met: null,
    });
    figures.push(timeFigure('L', L.handler));
    if (zeroLatencyL) {
      const zero = medianOf(zeroLatencyL, (r) => r.wallMs);
      figures.push({
        section: 'L',
        name: 'same sweep at 0 ms latency (overhead per page)',
        value: `${Math.round(zero)} ms (${(zero / totalPages(w.L)).toFixed(2)} ms per page, sweeper CPU ${Math.round(medianOf(zeroLatencyL, (r) => r.cpuMs))} ms)`,
        target: 'informational',
        met: null,
      });
    }
    figures.push(...requestFigures('L', w.L, L.handler));
    const rss = max(L.handler.results.map((r) => r.peakRssBytes));
    figures.push({
      section: 'L',
      name: 'peak RSS of the sweeper process (max of runs)',
      value: `${(rss / MB).toFixed(1)} MB (idle child ${(idle.peakRssBytes / MB).toFixed(1)} MB)`,
      target: '< 200 MB',
      met: rss < TARGET_RSS,
    });
  }
  if (cold) {
    const importMs = cold.nodeImportMs - cold.nodeBaselineMs;
    figures.push({
      section: 'cold start',
      name: 'bundle size (index.mjs, minified, stack esbuild settings)',
      value: `${(cold.bundleBytes / 1024).toFixed(0)} KB`,
      target: '≤ 500 KB',
      met: cold.bundleBytes <= TARGET_BUNDLE,
    });
    figures.push({
      section: 'cold start',
      name: `import time (median of ${cold.runs}: import process − node -e 0)`,
      value: `${Math.round(cold.nodeImportMs)} ms − ${Math.round(cold.nodeBaselineMs)} ms = ${Math.round(importMs)} ms`,
      target: '≤ 100 ms',
      met: importMs <= TARGET_IMPORT_MS,
    });
    figures.push({
      section: 'cold start',
      name: `import alone, timed inside the process (median of ${cold.runs})`,
      value: `${Math.round(cold.inProcessImportMs)} ms; peak RSS after import ${(cold.importRssBytes / MB).toFixed(1)} MB`,
      target: 'informational',
      met: null,
    });
  }
  if (M && throttleRuns.length > 0) {
    const wall = medianOf(M.handler, (r) => r.wallMs);
    const requests = median(M.handler.summaries.map((s) => s.total));
    for (const t of throttleRuns) {
      const r = t.measured.results[0] as SweeperResult;
      const s = t.measured.summaries[0] as RequestSummary;
      const isDefault = t.kind.kind === 'handler' && t.kind.retryPolicy === RETRY_POLICY;
      const timeRatio = r.wallMs / wall;
      const atLeast = r.complete ? '' : '≥ ';
      figures.push({
        section: `throttling ${THROTTLE_RATE * 100} % (M)`,
        name: `${t.label}${isDefault ? ' — the default' : ''}`,
        value:
          `time ${Math.round(r.wallMs)} ms = ${atLeast}${timeRatio.toFixed(2)}× unthrottled; requests ${s.total} = ` +
          `${(s.total / requests).toFixed(2)}× (${s.throttled} throttled); aborted ${r.aborted}, failed ${r.failed}, ` +
          `vault errors ${r.vaultErrors}, scanned ${r.scanned} of ${w.M.vaults * w.M.uploadsPerVault}` +
          `${r.complete ? '' : `, INCOMPLETE: stopped by the ${THROTTLED_REMAINING_MS / 1000} s invocation budget`}`,
        target: isDefault ? '< 2× time, complete' : 'compare',
        met: isDefault ? timeRatio < 2 && r.complete && r.failed === 0 : null,
      });
    }
  }

  const elapsedMs = Date.now() - started;
  const [endLoad] = loadavg();
  notes.push(
    `load average at end: ${endLoad?.toFixed(2)} (1 min); whole run ${(elapsedMs / 1000).toFixed(0)} s`,
  );
  console.log(renderTable(figures));
  console.log(
    `\n${figures.filter((f) => f.met === false).length} of ${figures.filter((f) => f.met !== null).length} targets missed; ${(elapsedMs / 1000).toFixed(0)} s`,
  );
  const markdown = renderMarkdown({
    command,
    date: new Date().toISOString(),
    notes,
    latencyMs,
    concurrency: `${vc} vaults × ${ac} aborts`,
    repeats,
    workloads: w,
    figures,
    cold,
  });
  await writeBenchmarksFile(OUT, ROOT, markdown, {
    results: !quick && !values['no-write'],
    raw: { figures, cold, runs, zeroLatencyL, throttle: throttleRuns, idle },
  });
}

const stopChildren = () => {
  killAllChildren();
  process.exit(130);
};
process.once('SIGINT', stopChildren);
process.once('SIGTERM', stopChildren);

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
  });
