import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColdStart } from './cold-start';
import type { Workload } from './workloads';

export interface Figure {
  section: string;
  name: string;
  value: string;
  target: string;
  /** null: reported for context, no target. */
  met: boolean | null;
  note?: string;
}

const verdict = (met: boolean | null): string => (met === null ? '—' : met ? 'met' : 'MISSED');

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [f.section, f.name, f.value, f.target, verdict(f.met)]);
  const header = ['workload', 'figure', 'measured', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(header), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

const escapeCell = (text: string): string => text.replaceAll('|', '\\|');

export interface MarkdownInput {
  command: string;
  date: string;
  notes: string[];
  latencyMs: number;
  concurrency: string;
  repeats: Record<string, number>;
  workloads: Record<string, Workload>;
  figures: readonly Figure[];
  cold: ColdStart | undefined;
}

export function renderMarkdown(input: MarkdownInput): string {
  const lines: string[] = [];
  lines.push(`Command: \`${input.command}\` — ${input.date}`);
  lines.push('');
  for (const note of input.notes) lines.push(`- ${note}`);
  lines.push(
    `- emulator latency ${input.latencyMs} ms per request, default concurrency ${input.concurrency}, ` +
      `repeats (median reported): ${Object.entries(input.repeats)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; baselines and throttled runs once`,
  );
  for (const w of Object.values(input.workloads)) {
    lines.push(
      `- ${w.name}: ${w.vaults} vault(s) × ${w.uploadsPerVault.toLocaleString('en-US')} uploads, ` +
        `${w.staleShare * 100} % stale, ${w.action} mode`,
    );
  }
  lines.push('');
  lines.push('| workload | figure | measured | target | result |');
  lines.push('|---|---|---|---|---|');
  for (const f of input.figures) {
    const name = f.note ? `${f.name} (${f.note})` : f.name;
    lines.push(
      `| ${escapeCell(f.section)} | ${escapeCell(name)} | ${escapeCell(f.value)} | ${escapeCell(f.target)} | ${verdict(f.met)} |`,
    );
  }
  if (input.cold) {
    const c = input.cold;
    lines.push('');
    lines.push(
      `Bundle breakdown (esbuild run directly with the stack's options and a metafile, for the breakdown only; ` +
        `${(c.breakdownTotalBytes / 1024).toFixed(0)} KB of module code vs ${(c.bundleBytes / 1024).toFixed(0)} KB synthesized; ` +
        `cdk synth took ${(c.synthMs / 1000).toFixed(1)} s):`,
    );
    lines.push('');
    lines.push('| package | bytes in bundle | share |');
    lines.push('|---|---|---|');
    for (const b of c.breakdown.slice(0, 10)) {
      lines.push(
        `| ${b.name} | ${(b.bytes / 1024).toFixed(1)} KB | ${((b.bytes / c.breakdownTotalBytes) * 100).toFixed(0)} % |`,
      );
    }
    const rest = c.breakdown.slice(10).reduce((n, b) => n + b.bytes, 0);
    if (rest > 0)
      lines.push(
        `| ${c.breakdown.length - 10} others | ${(rest / 1024).toFixed(1)} KB | ${((rest / c.breakdownTotalBytes) * 100).toFixed(0)} % |`,
      );
  }
  return lines.join('\n');
}

const START = '<!-- bench:results:start (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

/**
 * Always writes bench/out/latest.md and results.json; replaces the results block of BENCHMARKS.md only
 * for a full run, so a smoke run never overwrites the recorded figures.
 */
export async function writeBenchmarksFile(
  outDir: string,
  root: string,
  markdown: string,
  options: { results: boolean; raw?: unknown },
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'latest.md'), `${markdown}\n`);
  if (options.raw !== undefined)
    await writeFile(join(outDir, 'results.json'), JSON.stringify(options.raw, null, 2));
  if (!options.results) return;
  const path = join(root, 'BENCHMARKS.md');
  let current = '';
  try {
    current = await readFile(path, 'utf8');
  } catch {
    current = `# Benchmarks\n\n${START}\n${END}\n`;
  }
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const block = `${START}\n${markdown}\n${END}`;
  const next =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + END.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(path, next);
}
