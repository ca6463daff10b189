/**
 * `npm run bench:fleet`: the fleet run on the local engine (the synthesized definition, the real
 * handlers, the emulator) at 10 targets × 5 vaults, 100 × 3 and 10 × 1: Glacier requests against the
 * minimum, state transitions and Lambda invocations per run from the engine's events, a cost model
 * for 10, 200 and 2,000 targets × 10 vaults, and the 20,000-upload vault at the default page budget.
 * Prints Markdown; BENCHMARKS.md's "Fleet mode" section is written from it by hand.
 */
import { startEmulator } from '../local/emulator';
import { BIG_VAULT, fleetDemoParameters, fleetDemoSeed } from '../local/fleet/demo';
import { runFleetLocally } from '../local/fleet/run';
import { countExecutions, runScaleFleet } from '../local/fleet/scale';
import { synthesizeFleet } from '../local/fleet/synth';

const emu = await startEmulator();
const synthesized = synthesizeFleet();
const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};

interface Point {
  targets: number;
  vaults: number;
  transitions: number;
  invocations: Record<string, number>;
}
const points: Point[] = [];

say(
  '| targets × vaults | uploads per vault (stale) | Glacier requests | minimum | ratio | state transitions | Lambda invocations | largest payload | largest execution (events, model) |',
);
say('|---|---|---|---|---|---|---|---|---|');
for (const [accounts, vaults] of [
  [5, 5],
  [50, 3],
  [5, 1],
] as const) {
  emu.reset();
  const run = await runScaleFleet(emu, synthesized, accounts, vaults, 10);
  if (run.error) throw run.error;
  const targets = accounts * 2;
  const vaultCount = targets * vaults;
  const stale = vaultCount * 2;
  // Per target: ListVaults (vaults = '*'); per vault: ListTagsForVault and one page (10 uploads);
  // per stale upload: one ListParts to measure it; per pick: one ListParts to check it again, one abort.
  const minimum = targets + vaultCount * 2 + stale + stale * 2;
  const glacier = emu.requests({ service: 'glacier' }).length;
  const counts = countExecutions(run.events);
  points.push({ targets, vaults: vaultCount, transitions: counts.transitions, invocations: run.invocations });
  const invocations = Object.values(run.invocations).reduce((a, b) => a + b, 0);
  say(
    `| ${targets} × ${vaults} | 10 (2) | ${glacier} | ${minimum} | ${(glacier / minimum).toFixed(2)} | ${counts.transitions} | ${invocations} (${Object.entries(
      run.invocations,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}) | ${counts.largestPayloadBytes} B (${counts.largestPayloadState}) | ${counts.largestExecutionEvents} |`,
  );
}

// transitions = a + b·targets + c·vaults, solved exactly from the three runs:
// runs 1 and 3 have the same targets (10), so their difference is all vaults.
const [p, q, r] = points as [Point, Point, Point];
const c = (p.transitions - r.transitions) / (p.vaults - r.vaults);
const b = (q.transitions - p.transitions - c * (q.vaults - p.vaults)) / (q.targets - p.targets);
const a = p.transitions - b * p.targets - c * p.vaults;
say();
say(
  `State transitions per run = ${a} + ${b} × targets + ${c} × vaults (exact for all three runs; one worker invocation per vault).`,
);

// Cost per run and per month (30 daily runs) for T targets × 10 vaults, every target with picks.
// Prices: us-east-1, public price pages. Durations are assumptions (stated), not measurements.
const PRICE = {
  transition: 0.025 / 1000,
  lambdaGbS: 0.0000133334, // arm64
  lambdaRequest: 0.2 / 1e6,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  kmsRequest: 0.03 / 10_000,
  metricMonth: 0.3,
  logGb: 0.5,
};
say();
say(
  '| targets × 10 vaults | transitions | Lambda invocations | GB-s | S3 PUT / GET+LIST | metrics | per run | per month (30 runs) |',
);
say('|---|---|---|---|---|---|---|---|');
for (const T of [10, 200, 2000]) {
  const V = 10 * T;
  const transitions = a + b * T + c * V;
  const invocations = 3 + 2 * T + V;
  // plan 1 s × 0.5 GB; resolve 1 s × 0.5 GB; a worker 0.5 s × 1 GB (one page, two ListParts);
  // act 1 s × 0.5 GB; select 2 s + 10 ms a target × 1.769 GB; report 2 s + 20 ms a target × 3 GB.
  const gbS = 0.5 + T * 0.5 + V * 0.5 + T * 0.5 + (2 + 0.01 * T) * 1.769 + (2 + 0.02 * T) * 3;
  // PUT: plan, target.json, picks, outcomes per target; chunk and done per vault; two intents per
  // target (2 picks); selection, report, one report per account (2 regions an account).
  const puts = 3 + 4 * T + 2 * V + 2 * T + T / 2;
  // GET and LIST: plan.json by every Lambda; target.json by workers, Select and Report; done,
  // chunk list and chunk by Select and Report; picks and the intent/outcome lists by Act and Report.
  const gets = 3 + 2 * T + V + V + 2 * T + 6 * V + 4 * T;
  const metrics = 9 + 7 * (T / 2);
  const logGb = (transitions * 2 * 300) / 1e9;
  const run =
    transitions * PRICE.transition +
    gbS * PRICE.lambdaGbS +
    invocations * PRICE.lambdaRequest +
    puts * PRICE.s3Put +
    gets * PRICE.s3Get +
    2 * PRICE.kmsRequest +
    logGb * PRICE.logGb;
  const month = run * 30 + metrics * PRICE.metricMonth;
  say(
    `| ${T} | ${transitions} | ${invocations} | ${gbS.toFixed(0)} | ${puts.toFixed(0)} / ${gets} | ${metrics} | $${run.toFixed(3)} | $${month.toFixed(2)} (of which metrics $${(metrics * PRICE.metricMonth).toFixed(2)}) |`,
  );
}

// The 20,000-upload vault at the default page budget (200 pages of 50 a worker invocation).
emu.reset();
const { topicArns } = emu.seed(fleetDemoSeed());
emu.seed(
  fleetDemoParameters({
    accounts: '210987654321',
    regions: 'us-east-1',
    vaults: BIG_VAULT,
    action: 'report',
  }),
);
const big = await runFleetLocally({
  endpoint: emu.url,
  topicArn: topicArns['glacier-sweeper-fleet'] as string,
  synthesized,
});
if (big.error) throw big.error;
const pages = emu.requests({ operation: 'ListMultipartUploads', vault: BIG_VAULT }).length;
const workerLines = big.logger.lines
  .filter((l) => l.message === 'vault pages listed')
  .map((l) => l.extra.pages);
say();
say(
  `20,000-upload vault at the default budget: ${pages} pages in ${big.invocations['sweep-vault']} worker invocations (${workerLines.join(' + ')} pages).`,
);
await emu.stop();
