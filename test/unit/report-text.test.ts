import { describe, expect, it } from 'vitest';
import {
  MAX_ANOMALY_ROWS,
  MAX_ERROR_ROWS,
  MAX_STALE_ROWS,
  MAX_TEXT_BYTES,
  MAX_VAULT_ROWS,
  renderText,
} from '../../lambda/core/report-text';
import { jsonStringBytes } from '../../lambda/core/text-format';
import type { SweepReport } from '../../lambda/core/types';
import { anomalies, staleUploads, sweepReport, vaultReport } from './helpers/report-factory';

const ctx = { account: '123456789012' };
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function twoVaults(): SweepReport {
  return sweepReport([
    vaultReport('alpha', { stale: staleUploads('alpha', 60, { oldestHours: 40 * 24 + 2 }), fresh: 77 }),
    vaultReport('beta', { stale: staleUploads('beta', 1, { oldestHours: 8 * 24 }), fresh: 2 }),
  ]);
}

/** The lines of the text from a heading up to the next blank line. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

describe('renderText', () => {
  it('starts with the run header and the summary line', () => {
    const [header, summary] = renderText(twoVaults(), ctx).split('\n');
    expect(header).toBe(
      'Run 2026-11-27 03:00 UTC · account 123456789012 · us-east-1 · action abort · older than 7d',
    );
    expect(summary).toBe('2 vaults · 140 uploads scanned · 61 stale · 61 aborted · 0 failed');
  });

  it('renders the vault table with right-aligned numbers and a status column', () => {
    const rows = section(renderText(twoVaults(), ctx), 'VAULT ');
    expect(renderText(twoVaults(), ctx)).toContain('VAULT  SCANNED  STALE  ABORTED  FAILED  STATUS');
    expect(rows).toEqual([
      'alpha      137     60       60       0  complete',
      'beta         3      1        1       0  complete',
    ]);
  });

  it('adds optional columns and counts only when they are non-zero, and per-vault thresholds when they differ', () => {
    const report = sweepReport([
      vaultReport('alpha', {
        stale: staleUploads('alpha', 3, { outcome: (i) => (i === 0 ? 'gone' : 'skipped') }),
      }),
      vaultReport('beta', { olderThan: '14d', anomalies: anomalies('beta', 2) }),
    ]);
    const text = renderText(report, ctx);
    expect(text.split('\n')[1]).toBe(
      '2 vaults · 25 uploads scanned · 3 stale · 0 aborted · 0 failed · 1 gone · 2 skipped · 2 anomalies',
    );
    expect(text).toContain(
      'VAULT  OLDER THAN  SCANNED  STALE  ABORTED  FAILED  GONE  SKIPPED  ANOMALIES  STATUS',
    );
    expect(text).toContain(
      'beta   14d              12      0        0       0     0        0          2  complete',
    );
    expect(renderText(twoVaults(), ctx)).not.toMatch(/GONE|SKIPPED|OLDER THAN|ANOMALIES/);
  });

  it('shows repeated listings, next to the anomalies, only when the service repeated an id', () => {
    const report = sweepReport([
      vaultReport('alpha', { duplicates: 3, anomalies: anomalies('alpha', 1) }),
      vaultReport('beta'),
    ]);
    const text = renderText(report, ctx);
    expect(text.split('\n')[1]).toBe(
      '2 vaults · 21 uploads scanned · 0 stale · 0 aborted · 0 failed · 1 anomaly · 3 repeated listings',
    );
    expect(text).toContain('VAULT  SCANNED  STALE  ABORTED  FAILED  ANOMALIES  REPEATED  STATUS');
    expect(text).toContain('alpha       11      0        0       0          1         3  complete');
    expect(renderText(twoVaults(), ctx)).not.toMatch(/REPEATED|repeated/);
  });

  it('shows error and incomplete statuses and lists vault errors', () => {
    const report = sweepReport([
      vaultReport('alpha', { complete: false }),
      vaultReport('beta', { error: 'ThrottlingException:\nRate exceeded \x1b[31mnow' }),
    ]);
    const text = renderText(report, ctx);
    const rows = section(text, 'VAULT ');
    expect(rows[0]).toMatch(/^alpha .* incomplete$/);
    expect(rows[1]).toMatch(/^beta .* error: ThrottlingException: Rate exceeded now$/);
    expect(text).toContain('Incomplete run: 2 of 2 vaults were not fully listed');
    expect(section(text, 'Vault errors')).toEqual(['beta: ThrottlingException: Rate exceeded now']);
  });

  it('explains a capped run and report mode in a sentence', () => {
    const capped = sweepReport(
      [
        vaultReport('a', {
          stale: staleUploads('a', 50, { outcome: (i) => (i < 10 ? 'aborted' : 'reported') }),
        }),
      ],
      { capped: true },
    );
    expect(renderText(capped, ctx)).toContain('max-aborts reached: 40 stale uploads were only reported');
    const reportMode = sweepReport(
      [vaultReport('a', { stale: staleUploads('a', 1, { outcome: 'reported' }) })],
      {
        action: 'report',
      },
    );
    expect(renderText(reportMode, ctx)).toContain('Report mode: nothing was aborted');
    expect(renderText(twoVaults(), ctx)).not.toMatch(/max-aborts reached|Report mode/);
  });

  it('lists the oldest stale uploads across vaults, oldest first, with aligned columns', () => {
    const report = sweepReport([
      vaultReport('alpha', { stale: staleUploads('alpha', 5, { oldestHours: 100, stepHours: 10 }) }),
      vaultReport('b', {
        stale: staleUploads('b', 5, { oldestHours: 105, stepHours: 10, partSizeBytes: 1 << 30 }),
      }),
    ]);
    const text = renderText(report, ctx);
    const lines = section(text, 'Oldest stale uploads');
    const [header, ...rows] = lines;
    expect(header).toBe('VAULT  AGE     CREATED (UTC)     PART SIZE  OUTCOME  DESCRIPTION  UPLOAD ID');
    expect(rows).toHaveLength(10);
    expect(rows[0]).toBe(
      `b      4d 9h   2026-11-22 18:00  1 GiB      aborted  backup 0     b____xxx…0000000000`,
    );
    expect(rows[1]).toBe(
      `alpha  4d 4h   2026-11-22 23:00  4 MiB      aborted  backup 0     alph____…0000000000`,
    );
    // Every row's columns start where the header's do.
    const starts = ['AGE', 'CREATED', 'PART SIZE', 'OUTCOME', 'DESCRIPTION', 'UPLOAD ID'].map((h) =>
      (header ?? '').indexOf(h),
    );
    for (const row of rows) for (const s of starts) expect(row[s - 1]).toBe(' ');
    const created = rows.map((r) => r.slice(starts[1], (starts[1] ?? 0) + 16));
    expect(created).toEqual([...created].sort());
    expect(text).not.toContain('…and');
  });

  it('shows at most 20 rows and counts every other stale upload, omitted ones included', () => {
    const vault = vaultReport('alpha', { stale: staleUploads('alpha', 30) });
    const report = sweepReport([{ ...vault, staleUploadsOmitted: 70, stale: 100, aborted: 100 }]);
    const text = renderText(report, ctx);
    const rows = section(text, 'Oldest stale uploads');
    expect(rows).toHaveLength(1 + MAX_STALE_ROWS + 1);
    expect(rows.at(-1)).toBe(
      "…and 80 more: see the JSON report (SQS/Lambda/HTTPS subscribers) and the function's log.",
    );
    expect(rows[1]).toContain('30d 0h');
    expect(rows[20]).toContain('29d 5h');
  });

  it('says where the rest is in the words of the context: the email by default, the CLI its own', () => {
    const vault = vaultReport('alpha', {
      stale: staleUploads('alpha', 30),
      anomalies: anomalies('alpha', MAX_ANOMALY_ROWS + 2),
    });
    const quiet = Array.from({ length: MAX_VAULT_ROWS + 1 }, (_, i) => vaultReport(`quiet-${i}`));
    const broken = Array.from({ length: MAX_ERROR_ROWS + 3 }, (_, i) =>
      vaultReport(`broken-${i}`, { error: 'boom' }),
    );
    const report = sweepReport([vault, ...quiet, ...broken]);
    const hints = (text: string) => text.split('\n').filter((line) => line.startsWith('…and '));

    const email = hints(renderText(report, ctx));
    expect(email).toHaveLength(4);
    for (const line of email)
      expect(line).toMatch(
        /: see the JSON report \(SQS\/Lambda\/HTTPS subscribers\) and the function's log\.$/,
      );

    const cli = hints(renderText(report, { ...ctx, moreHint: 'run with --json for the full report' }));
    expect(cli).toEqual([
      '…and 25 more vaults (errors, failures and stale uploads listed first): run with --json for the full report.',
      '…and 10 more: run with --json for the full report.',
      '…and 2 more anomalies: run with --json for the full report.',
      '…and 3 more vault errors: run with --json for the full report.',
    ]);
  });

  it("shortens upload ids unless the context asks for them whole (the CLI's --wide), cleaned either way", () => {
    const stale = staleUploads('alpha', 2, { description: () => 'x' });
    const odd = anomalies('alpha', 1);
    const hostile = {
      ...odd[0],
      uploadId: `${'A'.repeat(40)}\u202e\x1b[2J${'Z'.repeat(40)}`,
    } as (typeof odd)[0];
    const report = sweepReport([vaultReport('alpha', { stale, anomalies: [hostile] })]);
    const ids = [...stale.map((u) => u.uploadId)];

    const narrow = renderText(report, ctx);
    for (const id of ids) expect(narrow).not.toContain(id);
    expect(narrow).toContain(`${ids[0]?.slice(0, 8)}…${ids[0]?.slice(-10)}`);

    const wide = renderText(report, { ...ctx, wideIds: true });
    for (const id of ids) expect(wide).toContain(id);
    // The escape sequence goes whole, not just its ESC.
    expect(wide).toContain(`${'A'.repeat(40)}${'Z'.repeat(40)}`);
    expect(wide.replaceAll('\n', ' ')).not.toMatch(CONTROL);
  });

  it('sanitizes descriptions and ids, whatever Glacier sent', () => {
    const stale = staleUploads('alpha', 1, {
      description: () =>
        'evil\x1b[31m red\r\nnext\u202etxt.exe and a description longer than forty characters',
    });
    const text = renderText(sweepReport([vaultReport('alpha', { stale })]), ctx);
    expect(text.replaceAll('\n', ' ')).not.toMatch(CONTROL);
    expect(text).toContain('evil red nexttxt.exe and a description…');
  });

  it('lists anomalies, saying they are never aborted', () => {
    const report = sweepReport([
      vaultReport('alpha', {
        anomalies: [...anomalies('alpha', 1, null), ...anomalies('alpha', 1, '2999-01-01')],
      }),
    ]);
    const lines = section(renderText(report, ctx), 'Anomalies:');
    expect(lines[0]).toBe('VAULT  CREATION DATE (AS SENT)  DESCRIPTION  UPLOAD ID');
    expect(lines[1]).toMatch(/^alpha {2}\(missing\) +odd 0/);
    expect(lines[2]).toMatch(/^alpha {2}2999-01-01 +odd 0/);
    expect(renderText(report, ctx)).toContain(
      '2 uploads with a missing, unparseable or future creation date (never aborted)',
    );
  });

  it('caps the vault table, listing vaults that need attention first', () => {
    const quiet = Array.from({ length: 300 }, (_, i) => vaultReport(`quiet-${i}`));
    const report = sweepReport([...quiet, vaultReport('broken', { error: 'boom' })]);
    const text = renderText(report, ctx);
    const rows = section(text, 'VAULT ');
    expect(rows).toHaveLength(MAX_VAULT_ROWS + 1);
    expect(rows[0]).toMatch(/^broken /);
    expect(rows.at(-1)).toMatch(/^…and 201 more vaults/);
  });

  it('stays bounded for thousands of vaults with long names and errors', () => {
    const error = `😀"\\`.repeat(300);
    const description = '"\\😀'.repeat(400);
    const vaults = Array.from({ length: 5000 }, (_, i) =>
      vaultReport(`${'v'.repeat(250)}${i}`, {
        error,
        stale: staleUploads(`v${i}`, 3, { description: () => description }),
        anomalies: anomalies(`v${i}`, 2),
      }),
    );
    const text = renderText(sweepReport(vaults), ctx);
    expect(jsonStringBytes(text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(text).toContain('…and 4900 more vaults');
  });
});
