/**
 * The pattern matcher against adversarial descriptions (issue 11): is it linear? Run with
 *
 *   npx tsx bench/regex.ts
 *
 * For each known evil pattern it times `compilePattern(p).test` on a 512- and a 1,024-character
 * description built to make a backtracking engine try every split, and reports the ratio (about 2×
 * means linear). Three ways: the first search on a freshly compiled pattern (RE2's DFA builds its
 * states then), later searches (states cached, as for every description after the first in a run),
 * and RE2's NFA (`matcher().find()`, what a search falls back to when the DFA gives up). Then
 * JavaScript's RegExp on short inputs, for contrast, growing the input until one search takes more
 * than a quarter of a second. Prints Markdown; BENCHMARKS.md ("Pattern matching") holds a run.
 */
import { availableParallelism, loadavg } from 'node:os';
import { RE2JS } from 're2js';
import {
  compilePattern,
  isPatternError,
  MAX_PATTERN_INSTRUCTIONS,
  type Pattern,
} from '../lambda/core/pattern';
import { median } from './stats';

interface Case {
  readonly pattern: string;
  /** A description of `length` characters that the pattern does not match, worst for backtracking. */
  readonly text: (length: number) => string;
  /** Also timed with JavaScript's RegExp (exponential there; the others are polynomial or slow alike). */
  readonly js?: boolean;
}

const fill = (unit: string, length: number, tail: string): string =>
  unit.repeat(Math.ceil(length / unit.length)).slice(0, length - tail.length) + tail;

const CASES: Case[] = [
  { pattern: '^(\\w+\\s?)*$', text: (n) => fill('a', n, '!'), js: true },
  { pattern: '(a+)+$', text: (n) => fill('a', n, '!'), js: true },
  { pattern: '^(a|a)*$', text: (n) => fill('a', n, '!'), js: true },
  { pattern: '^(a|aa)+$', text: (n) => fill('a', n, '!'), js: true },
  { pattern: '(\\w|\\d|_)*!$', text: (n) => fill('a1_', n, '?'), js: true },
  { pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', text: (n) => fill('ab', n, '!'), js: true },
  { pattern: '(.*a){12}', text: (n) => fill('b', n, 'aaaaaaaaaaa') },
  // Thousands of instructions (the cap is 5,000): the most work per character a pattern may ask of RE2.
  { pattern: '(?:\\w+\\W){700}\\d', text: (n) => fill('a!', n, '') },
  { pattern: '(?:\\w?\\W?){1000}\\d', text: (n) => fill('a!', n, '') },
];

const RUNS = 11;

/**
 * Medians of `RUNS` runs for the two lengths, the lengths alternating within each run so that JIT
 * warm-up and machine noise fall on both alike. `once(text)` returns one run's milliseconds.
 */
function alternating(texts: readonly [string, string], once: (text: string) => number): [number, number] {
  const short: number[] = [];
  const long: number[] = [];
  for (let r = 0; r < RUNS; r += 1) {
    short.push(once(texts[0]));
    long.push(once(texts[1]));
  }
  return [median(short), median(long)];
}

/** Milliseconds per search, over enough searches to last about 20 ms. */
function perSearch(search: () => boolean): number {
  const inner = innerFor(search);
  const start = performance.now();
  for (let i = 0; i < inner; i += 1) search();
  return (performance.now() - start) / inner;
}

/** Milliseconds of the first search of a freshly compiled pattern. */
function firstSearch(source: string, text: string): number {
  const fresh = compiled(source);
  const start = performance.now();
  fresh.test(text);
  return performance.now() - start;
}

function compiled(source: string): Pattern {
  const result = compilePattern(source);
  if (isPatternError(result)) throw new Error(`${source}: ${result.error}`);
  return result;
}

/** Enough repetitions for a measurable run: about 20 ms of searching. */
function innerFor(search: () => boolean): number {
  const start = performance.now();
  search();
  const once = Math.max(performance.now() - start, 0.001);
  return Math.max(1, Math.min(10_000, Math.round(20 / once)));
}

const fmt = (value: number): string =>
  value >= 1 ? `${value.toFixed(2)} ms` : `${(value * 1000).toFixed(value >= 0.01 ? 1 : 2)} µs`;
const code = (text: string): string => `\`${text.replaceAll('|', '\\|')}\``;

interface Row {
  readonly pattern: string;
  readonly instructions: number;
  readonly first: [number, number];
  readonly cached: [number, number];
  readonly nfa: [number, number];
}

function measureRe2(item: Case): Row {
  const pattern = compiled(item.pattern);
  const re2 = RE2JS.compile(item.pattern);
  const texts: [string, string] = [item.text(512), item.text(1024)];
  // The adversarial case is the text that does not match: the engine must rule out every split.
  for (const text of texts) {
    if (pattern.test(text)) throw new Error(`${item.pattern} matches its adversarial text`);
  }
  return {
    pattern: item.pattern,
    instructions: Number(re2.re2().numberOfInstructions()),
    first: alternating(texts, (text) => firstSearch(item.pattern, text)),
    cached: alternating(texts, (text) => perSearch(() => pattern.test(text))),
    nfa: alternating(texts, (text) => perSearch(() => re2.matcher(text).find())),
  };
}

/**
 * JavaScript's RegExp on growing inputs; stops after the first search over `LIMIT_MS` (the next,
 * 2 characters longer, would take about 4 times as long) or at 40 characters.
 */
const LIMIT_MS = 250;
function measureJs(item: Case): Array<[number, number]> {
  const js = new RegExp(item.pattern);
  const points: Array<[number, number]> = [];
  for (let n = 12; n <= 40; n += 2) {
    const text = item.text(n);
    const start = performance.now();
    js.test(text);
    const elapsed = performance.now() - start;
    points.push([n, elapsed]);
    if (elapsed > LIMIT_MS) break;
  }
  return points;
}

const lines: string[] = [];
const out = (line = '') => lines.push(line);

out(
  `Run ${new Date().toISOString()} · Node ${process.version} · ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)} · medians of ${RUNS} runs · instruction cap ${MAX_PATTERN_INSTRUCTIONS}`,
);
out();
out('RE2 (the matcher): time per search of a description the pattern does not match.');
out();
out(
  '| pattern | RE2 instructions | first search 512 / 1,024 | ratio | cached 512 / 1,024 | ratio | NFA 512 / 1,024 | ratio |',
);
out('|---|---|---|---|---|---|---|---|');
// One pass to warm the JIT up, then the pass reported.
for (const item of CASES) measureRe2(item);
for (const item of CASES) {
  const row = measureRe2(item);
  const ratio = ([a, b]: [number, number]) => `${(b / a).toFixed(2)}×`;
  out(
    `| ${code(row.pattern)} | ${row.instructions} | ${fmt(row.first[0])} / ${fmt(row.first[1])} | ${ratio(row.first)} | ${fmt(row.cached[0])} / ${fmt(row.cached[1])} | ${ratio(row.cached)} | ${fmt(row.nfa[0])} / ${fmt(row.nfa[1])} | ${ratio(row.nfa)} |`,
  );
}
out();
out(
  `JavaScript's RegExp (the engine before), same kind of input, grown 2 characters at a time until one search takes over ${LIMIT_MS} ms or the input reaches 40 characters:`,
);
out();
out('| pattern | input length → time |');
out('|---|---|');
for (const item of CASES.filter((c) => c.js)) {
  const points = measureJs(item);
  out(`| ${code(item.pattern)} | ${points.map(([n, t]) => `${n}: ${fmt(t)}`).join(', ')} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
