import { SERVICE_NAME } from './defaults';
import { count, subjectRegion } from './text-format';
import type { SweepReport } from './types';

/** SNS requires fewer than 100 characters. */
export const MAX_SUBJECT_CHARS = 99;

/**
 * The SNS subject of a report: failures first, then what happened, then the region. Always ASCII,
 * without control characters and shorter than 100 characters, whatever the numbers: when the full
 * sentence is too long, less important parts are dropped (the body has them all, the account too).
 */
export function renderSubject(report: SweepReport): string {
  const t = report.totals;
  const region = subjectRegion(report.region);
  const failures: string[] = [];
  if (t.vaultErrors > 0) failures.push(count(t.vaultErrors, 'vault error', 'vault errors'));
  if (t.failed > 0) failures.push(count(t.failed, 'abort failure', 'abort failures'));
  const stale = count(t.stale, 'stale upload', 'stale uploads');
  const inVaults = ` in ${count(t.vaults, 'vault', 'vaults')}`;

  let what: string;
  if (t.stale === 0) what = 'no stale uploads';
  else if (report.action === 'report') what = `${stale} found`;
  else if (t.aborted === t.stale) what = `${stale} aborted`;
  else what = `${stale}, ${t.aborted} aborted`;

  const flags: string[] = [];
  // A vault error already says the run is incomplete; the words are better spent on numbers.
  if (!report.complete && t.vaultErrors === 0) flags.push('incomplete');
  if (report.capped) flags.push('max-aborts reached');

  const join = (parts: string[]) => parts.filter((p) => p !== '').join(', ');
  const candidates =
    failures.length > 0
      ? [
          join([...failures, ...flags, `${what}${inVaults}`]),
          join([...failures, ...flags, stale]),
          join([...failures, stale]),
          join(failures),
        ]
      : [
          join([...flags, `${what}${inVaults}`]),
          join([...flags, what]),
          join([...flags, stale]),
          join([flags[0] ?? '', stale]),
        ];
  for (const body of candidates) {
    const subject = `${SERVICE_NAME}: ${body} (${region})`;
    if (subject.length <= MAX_SUBJECT_CHARS) return subject;
  }
  // Unreachable with the parts above (the last candidates are bounded), kept so the SNS limit can
  // never be broken by a later edit.
  return `${SERVICE_NAME}: see the report (${region})`;
}
