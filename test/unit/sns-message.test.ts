import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GLACIER_MAX_DESCRIPTION_CHARS } from '../../lambda/core/defaults';
import { renderSubject } from '../../lambda/core/report-subject';
import { renderText } from '../../lambda/core/report-text';
import { cleanText } from '../../lambda/core/sanitize';
import {
  attributeBytes,
  buildAlertMessage,
  buildReportMessage,
  type PublishedReport,
  SNS_MAX_MESSAGE_BYTES,
  trimForResponse,
} from '../../lambda/core/sns-message';
import type { SweepReport } from '../../lambda/core/types';
import { anomalies, staleUploads, sweepReport, vaultReport } from './helpers/report-factory';

const ctx = { account: '123456789012' };

interface Body {
  default: string;
  email: string;
  sqs: string;
  lambda: string;
  https: string;
}

function parse(message: string): Body {
  return JSON.parse(message) as Body;
}

/** A 1 KB-ish description of 3- and 4-byte characters, quotes and backslashes: the costliest to escape. */
const HEAVY = '€"😀\\'.repeat(256);
const heavyDescription = (i: number) => `${i}:${HEAVY}`;

/** What trimming must preserve, and what it may only ever cut from the end of each list. */
function expectFaithfulTrim(original: SweepReport, published: PublishedReport): void {
  expect(published.totals).toEqual(original.totals);
  expect(published.complete).toBe(original.complete);
  expect(published.capped).toBe(original.capped);
  const omittedVaults = published.vaultsOmitted ?? 0;
  expect(published.vaults.length + omittedVaults).toBe(original.vaults.length);
  const byName = new Map(original.vaults.map((v) => [v.vault, v]));
  for (const v of published.vaults) {
    const source = byName.get(v.vault);
    expect(source?.vault).toBe(v.vault);
    if (!source) continue;
    for (const field of [
      'scanned',
      'duplicates',
      'stale',
      'aborted',
      'gone',
      'failed',
      'skipped',
      'reported',
    ] as const) {
      expect(v[field]).toBe(source[field]);
    }
    // The oldest entries are the ones kept, in order, and what was cut is counted.
    expect(v.staleUploads.map((e) => e.uploadId)).toEqual(
      source.staleUploads.slice(0, v.staleUploads.length).map((e) => e.uploadId),
    );
    expect(v.staleUploads.length + v.staleUploadsOmitted).toBe(
      source.staleUploads.length + source.staleUploadsOmitted,
    );
    expect(v.anomalies.map((e) => e.uploadId)).toEqual(
      source.anomalies.slice(0, v.anomalies.length).map((e) => e.uploadId),
    );
    expect(v.anomalies.length + v.anomaliesOmitted).toBe(source.anomalies.length + source.anomaliesOmitted);
  }
}

let big: SweepReport | undefined;
function bigReport(): SweepReport {
  big ??= buildBigReport();
  return big;
}

function buildBigReport(): SweepReport {
  // 50,000 stale uploads over five vaults of different sizes, each with a 1 KB multi-byte description.
  const sizes = [30_000, 10_000, 5_000, 4_990, 10];
  return sweepReport(
    sizes.map((n, i) =>
      vaultReport(`vault-${i}`, {
        stale: staleUploads(`vault-${i}`, n, { oldestHours: 5000 - i, description: heavyDescription }),
        anomalies: anomalies(`vault-${i}`, i === 0 ? 500 : 0),
      }),
    ),
  );
}

describe('buildReportMessage', () => {
  it('publishes the text to email/default and the report JSON to sqs/lambda/https', () => {
    const report = sweepReport([
      vaultReport('alpha', { stale: staleUploads('alpha', 3) }),
      vaultReport('beta', { anomalies: anomalies('beta', 1) }),
    ]);
    const out = buildReportMessage(report, ctx);
    const body = parse(out.message);
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    expect(body.default).toBe(renderText(report, ctx));
    expect(body.email).toBe(body.default);
    expect(body.lambda).toBe(body.sqs);
    expect(body.https).toBe(body.sqs);
    expect(JSON.parse(body.sqs)).toEqual(out.published);
    // Nothing needed trimming, so subscribers get the whole report.
    expect(out.published).toEqual(report);
    expect(out.published).not.toHaveProperty('vaultsOmitted');
    expect(out.subject).toBe(renderSubject(report));
    expect(out.messageStructure).toBe('json');
    expect(out.attributes).toEqual({ kind: 'report', action: 'abort' });
  });

  it('cleans and caps descriptions in the JSON copy', () => {
    const stale = staleUploads('alpha', 1, { description: () => `a\x1b[31m\r\n\u202eb${'x'.repeat(5000)}` });
    const { published } = buildReportMessage(sweepReport([vaultReport('alpha', { stale })]), ctx);
    const description = published.vaults[0]?.staleUploads[0]?.description ?? '';
    expect(description.startsWith('a bxxx')).toBe(true);
    expect(Array.from(description)).toHaveLength(GLACIER_MAX_DESCRIPTION_CHARS);
    expect(description.endsWith('…')).toBe(true);
  });

  it('cleans and caps the reason of a pending or failed upload in the JSON copy', () => {
    const stale = staleUploads('alpha', 1, {
      outcome: 'failed',
      reason: () => `ServiceUnavailableException: \x1b[31mno\u202e ${'y'.repeat(5000)}`,
    });
    const { published } = buildReportMessage(sweepReport([vaultReport('alpha', { stale })]), ctx);
    const reason = published.vaults[0]?.staleUploads[0]?.reason ?? '';
    expect(reason.startsWith('ServiceUnavailableException: no yyy')).toBe(true);
    expect(Array.from(reason)).toHaveLength(GLACIER_MAX_DESCRIPTION_CHARS);
  });

  it('fits 50,000 stale uploads with 1 KB multi-byte descriptions, keeping the oldest of each vault', () => {
    const report = bigReport();
    const out = buildReportMessage(report, ctx);
    expect(Buffer.byteLength(out.message, 'utf8') + attributeBytes(out.attributes)).toBeLessThanOrEqual(
      SNS_MAX_MESSAGE_BYTES,
    );
    expect(JSON.parse(parse(out.message).sqs)).toEqual(out.published);
    expectFaithfulTrim(report, out.published);

    // One cap k for every vault: vaults with fewer entries keep them all.
    const kept = out.published.vaults.map((v) => v.staleUploads.length);
    const k = Math.max(...kept);
    expect(k).toBeGreaterThan(0);
    expect(kept).toEqual(report.vaults.map((v) => Math.min(k, v.staleUploads.length)));
    expect(out.published.vaults[0]?.staleUploadsOmitted).toBe(30_000 - k);
    expect(out.published.vaults[4]?.staleUploadsOmitted).toBe(10 - Math.min(k, 10));
    expect(out.published.vaults[0]?.anomalies).toHaveLength(Math.min(k, 500));
    expect(out.published.vaults[0]?.anomaliesOmitted).toBe(500 - Math.min(k, 500));
    expect(parse(out.message).email).toContain('…and 49980 more');

    // The cap is the largest that fits: one more entry per vault would break the limit.
    const body = parse(out.message);
    const onemore: SweepReport = {
      ...out.published,
      vaults: out.published.vaults.map((v, i) => {
        const source = report.vaults[i];
        const next = source?.staleUploads[k];
        if (!next) return v;
        const entry = { ...next, description: cleanText(next.description, GLACIER_MAX_DESCRIPTION_CHARS) };
        return {
          ...v,
          staleUploads: [...v.staleUploads, entry],
          staleUploadsOmitted: v.staleUploadsOmitted - 1,
        };
      }),
    };
    const json = JSON.stringify(onemore);
    const bigger = JSON.stringify({ ...body, sqs: json, lambda: json, https: json });
    expect(Buffer.byteLength(bigger, 'utf8')).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('drops quiet vaults first and counts them when thousands of vaults do not fit even with empty lists', () => {
    const vaults = Array.from({ length: 5000 }, (_, i) => {
      const name = `${String(i).padStart(4, '0')}-${'n'.repeat(30)}`;
      if (i % 60 === 7) return vaultReport(name, { error: 'ServiceUnavailableException: try later' });
      if (i % 60 === 21) return vaultReport(name, { stale: staleUploads(name, 2) });
      return vaultReport(name);
    });
    const report = sweepReport(vaults);
    const out = buildReportMessage(report, ctx);
    expect(Buffer.byteLength(out.message, 'utf8') + attributeBytes(out.attributes)).toBeLessThanOrEqual(
      SNS_MAX_MESSAGE_BYTES,
    );
    const published = out.published;
    expect(published.vaultsOmitted).toBeGreaterThan(0);
    expectFaithfulTrim(report, published);
    expect(JSON.parse(parse(out.message).sqs)).toEqual(published);
    // The 84 vaults with errors and the 83 with stale uploads are kept before any quiet one, and the
    // quiet ones that fit are the first of the run; all stay in the run's order.
    const names = published.vaults.map((v) => v.vault);
    const interesting = vaults.filter((v) => v.error !== null || v.stale > 0).map((v) => v.vault);
    const quiet = vaults.filter((v) => v.error === null && v.stale === 0).map((v) => v.vault);
    const keptQuiet = names.filter((n) => quiet.includes(n));
    expect(names.filter((n) => interesting.includes(n))).toEqual(interesting);
    expect(keptQuiet.length).toBeGreaterThan(0);
    expect(keptQuiet).toEqual(quiet.slice(0, keptQuiet.length));
    expect([...names].sort()).toEqual(names);
    expect(published.vaults.every((v) => v.staleUploads.length === 0 && v.anomalies.length === 0)).toBe(true);
  });

  it('stays within the SNS limit and trims faithfully for any report size (property)', () => {
    const pieces = fc.constantFrom('a', 'é', '€', '😀', '"', '\\', '\n', '\x1b[31m', '\u202e', ' ');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            stale: fc.integer({ min: 0, max: 400 }),
            anomalies: fc.integer({ min: 0, max: 50 }),
            duplicates: fc.integer({ min: 0, max: 5 }),
            error: fc.boolean(),
          }),
          { minLength: 0, maxLength: 12 },
        ),
        fc.array(pieces, { minLength: 0, maxLength: 8 }),
        fc.integer({ min: 0, max: 300 }),
        (shapes, unit, repeat) => {
          const description = (i: number) => `${i}${unit.join('').repeat(repeat)}`;
          const report = sweepReport(
            shapes.map((s, i) =>
              vaultReport(`v${i}`, {
                stale: staleUploads(`v${i}`, s.stale, { description }),
                anomalies: anomalies(`v${i}`, s.anomalies),
                duplicates: s.duplicates,
                error: s.error ? 'boom' : null,
              }),
            ),
          );
          const out = buildReportMessage(report, ctx);
          expect(Buffer.byteLength(out.message, 'utf8') + attributeBytes(out.attributes)).toBeLessThanOrEqual(
            SNS_MAX_MESSAGE_BYTES,
          );
          expect(JSON.parse(parse(out.message).sqs)).toEqual(out.published);
          expectFaithfulTrim(report, out.published);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('trimForResponse', () => {
  it('returns the report itself when it fits', () => {
    const report = sweepReport([vaultReport('alpha', { stale: staleUploads('alpha', 10) })]);
    expect(trimForResponse(report)).toBe(report);
  });

  it('trims to the byte budget with the same rule', () => {
    const report = sweepReport([
      vaultReport('alpha', { stale: staleUploads('alpha', 2000) }),
      vaultReport('beta', { stale: staleUploads('beta', 20) }),
    ]);
    const trimmed = trimForResponse(report, 50_000);
    const bytes = Buffer.byteLength(JSON.stringify(trimmed), 'utf8');
    expect(bytes).toBeLessThanOrEqual(50_000);
    expect(bytes).toBeGreaterThan(45_000);
    expectFaithfulTrim(report, trimmed);
    expect(trimmed.vaults[1]?.staleUploads).toHaveLength(20);
    expect(trimmed.vaults[0]?.staleUploadsOmitted).toBe(2000 - (trimmed.vaults[0]?.staleUploads.length ?? 0));
  });

  it('keeps the default under Lambda’s 6 MB response limit for a huge run', () => {
    const report = bigReport();
    const trimmed = trimForResponse(report);
    expect(Buffer.byteLength(JSON.stringify(trimmed), 'utf8')).toBeLessThanOrEqual(5_000_000);
    expectFaithfulTrim(report, trimmed);
  });

  it('drops vaults when even empty lists do not fit', () => {
    const report = sweepReport(
      Array.from({ length: 200 }, (_, i) => vaultReport(`v${i}`, { stale: staleUploads(`v${i}`, i % 2) })),
    );
    const trimmed = trimForResponse(report, 20_000);
    expect(Buffer.byteLength(JSON.stringify(trimmed), 'utf8')).toBeLessThanOrEqual(20_000);
    expect(trimmed.vaultsOmitted).toBeGreaterThan(0);
    expectFaithfulTrim(report, trimmed);
  });
});

describe('buildAlertMessage', () => {
  const alertCtx = { region: 'us-east-1', account: '-', runId: 'req-9', prefix: '/glacier-sweeper' };

  it('is a plain-text alert with kind=alert and action=report (a stopped run aborts nothing)', () => {
    const out = buildAlertMessage(
      { parameter: 'action', message: 'action = "nuke": must be report or abort' },
      alertCtx,
    );
    expect(out.subject).toBe('glacier-sweeper: configuration error, nothing aborted (us-east-1)');
    expect(out.message).toContain('Problem: action = "nuke": must be report or abort');
    expect(out.attributes).toEqual({ kind: 'alert', action: 'report' });
    expect(out).not.toHaveProperty('messageStructure');
  });
});

describe('attributeBytes', () => {
  it('charges name, data type and value of each String attribute, as SNS does', () => {
    expect(attributeBytes({ kind: 'report', action: 'abort' })).toBe(
      'kindStringreport'.length + 'actionStringabort'.length,
    );
    expect(attributeBytes({ k: 'é' })).toBe(1 + 6 + 2);
  });
});
