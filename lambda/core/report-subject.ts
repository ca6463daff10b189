import { SERVICE_NAME } from './defaults';
import { count, subjectRegion } from './text-format';
import type { SweepReport } from './types';

/** SNS requires fewer than 100 characters. */
export const MAX_SUBJECT_CHARS = 99;

/**
 * The SNS subject of a report: what happened in the vaults swept, then failures (kept when space runs
 * out), then flags, then the region. Always ASCII, without control characters and shorter than 100
 * characters, whatever the numbers: when the full sentence is too long, less important parts are
 * dropped (the body has them all, the account too).
 */
export function renderSubject(report: SweepReport): string {
  const t = report.totals;
  const region = subjectRegion(report.region);
  // Vault errors are counted apart: "in 2 vaults" names only the vaults that were swept.
  const swept = Math.max(0, t.vaults - t.vaultErrors);
  const failures: string[] = [];
  if (t.vaultErrors > 0) failures.push(count(t.vaultErrors, 'vault error', 'vault errors'));
  if (t.failed > 0) failures.push(count(t.failed, 'abort failure', 'abort failures'));
  const nothingSwept = swept === 0 && t.vaultErrors > 0;
  const inVaults = nothingSwept ? '' : ` in ${count(swept, 'vault', 'vaults')}`;

  let what: string;
  let short: string;
  if (nothingSwept && t.stale === 0) {
    what = 'nothing swept';
    short = what;
  } else if (t.stale === 0) {
    what = `no stale uploads${inVaults}`;
    short = 'no stale uploads';
  } else if (report.action === 'report') {
    what = `${t.stale} stale${inVaults}`;
    short = `${t.stale} stale`;
  } else if (t.aborted === t.stale) {
    what = `${count(t.stale, 'stale upload', 'stale uploads')} aborted${inVaults}`;
    short = `${t.stale} stale`;
  } else {
    what = `${t.stale} stale, ${t.aborted} aborted${inVaults}`;
    short = `${t.stale} stale`;
  }

  const flags: string[] = [];
  // A vault error says its vault is incomplete; "incomplete" is for vaults cut short without one.
  const unfinished =
    !report.complete && (t.vaultErrors === 0 || report.vaults.some((v) => !v.complete && v.error === null));
  if (unfinished) flags.push('incomplete');
  else if (report.planComplete === false) flags.push('plan stopped early');
  // In report mode nothing was stopped: the text says where abort mode would stop.
  if (report.capped && report.action === 'abort') flags.push('max-aborts reached');

  const join = (parts: string[]) => parts.filter((p) => p !== '').join(', ');
  const candidates = [
    join([what, ...failures, ...flags]),
    join([what, ...failures]),
    join([short, ...failures]),
    failures.length > 0 ? join(failures) : join([short, flags[0] ?? '']),
    short,
  ];
  for (const body of candidates) {
    const subject = `${SERVICE_NAME}: ${body} (${region})`;
    if (subject.length <= MAX_SUBJECT_CHARS) return subject;
  }
  // Unreachable with the parts above (the last candidates are bounded), kept so the SNS limit can
  // never be broken by a later edit.
  return `${SERVICE_NAME}: see the report (${region})`;
}
