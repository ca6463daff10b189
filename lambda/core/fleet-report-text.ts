import { formatAge } from './duration';
import type { FleetAccountEntry, FleetReport, FleetVaultReport } from './fleet-types';
import { MAX_SUBJECT_CHARS } from './report-subject';
import { cleanText } from './sanitize';
import { formatBytes, shortId, utcMinute } from './text-format';

const NAME = 'glacier-sweeper fleet';
const SEP = ' · ';
export const MAX_ACCOUNT_ROWS = 100;
export const MAX_FLEET_STALE_ROWS = 20;

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Subject: failures first, then what happened; ASCII, under 100 characters. */
export function renderFleetSubject(report: FleetReport): string {
  const t = report.totals;
  const parts: string[] = [];
  if (t.targetErrors > 0) parts.push(count(t.targetErrors, 'target error', 'target errors'));
  if (t.vaultErrors > 0) parts.push(count(t.vaultErrors, 'vault error', 'vault errors'));
  if (t.failed > 0) parts.push(count(t.failed, 'abort failure', 'abort failures'));
  const stale = count(t.stale, 'stale upload', 'stale uploads');
  parts.push(
    t.stale === 0
      ? 'no stale uploads'
      : report.action === 'report'
        ? `${stale} found`
        : `${stale}, ${t.aborted} aborted`,
  );
  const where = ` in ${count(t.accounts, 'account', 'accounts')}`;
  for (const body of [`${parts.join(', ')}${where}`, parts.join(', '), parts[0] ?? stale]) {
    const subject = `${NAME}: ${body}`;
    if (subject.length <= MAX_SUBJECT_CHARS) return subject;
  }
  return `${NAME}: see the report`;
}

function table(header: string[], rows: string[][], right: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function accountStatus(a: FleetAccountEntry): string {
  const notes: string[] = [];
  if (a.targetErrors > 0) notes.push(count(a.targetErrors, 'target error', 'target errors'));
  if (a.totals.vaultErrors > 0) notes.push(count(a.totals.vaultErrors, 'vault error', 'vault errors'));
  if (a.noSpoke > 0) notes.push('no spoke role');
  if (a.regionsNotEnabled > 0)
    notes.push(count(a.regionsNotEnabled, 'region not enabled', 'regions not enabled'));
  return notes.length === 0 ? 'ok' : notes.join(', ');
}

const errorRank = (a: FleetAccountEntry) =>
  a.targetErrors + a.totals.vaultErrors + a.totals.failed > 0 ? 0 : a.totals.stale > 0 ? 1 : 2;

/**
 * The fleet email: fleet totals, a per-account table (errors first), the targets listed apart that
 * have no spoke or a region not enabled, the oldest stale uploads across the fleet, and the errors.
 * Names the S3 key of the full report.
 */
export function renderFleetText(report: FleetReport): string {
  const t = report.totals;
  const lines: string[] = [
    [
      `Fleet run ${utcMinute(report.startedAt)} UTC`,
      `hub ${cleanText(report.region, 40)}`,
      `action ${report.action}`,
      `older than ${cleanText(report.olderThan, 20)}`,
    ].join(SEP),
    [
      count(t.accounts, 'account', 'accounts'),
      count(t.targets, 'target', 'targets'),
      count(t.vaults, 'vault', 'vaults'),
      `${count(t.scanned, 'upload', 'uploads')} scanned`,
      `${t.stale} stale`,
      `${t.aborted} aborted`,
      `${t.failed} failed`,
      ...(t.gone > 0 ? [`${t.gone} gone`] : []),
      ...(t.skipped > 0 ? [`${t.skipped} skipped`] : []),
      ...(t.reported > 0 ? [`${t.reported} reported`] : []),
      ...(t.pending > 0 ? [`${t.pending} pending`] : []),
      ...(t.stale > t.unmeasured ? [`${formatBytes(t.bytesAtStake)} at stake`] : []),
      ...(t.anomalies > 0 ? [count(t.anomalies, 'anomaly', 'anomalies')] : []),
      ...(t.targetErrors > 0 ? [count(t.targetErrors, 'target error', 'target errors')] : []),
      ...(t.vaultErrors > 0 ? [count(t.vaultErrors, 'vault error', 'vault errors')] : []),
    ].join(SEP),
  ];
  if (report.selectFailed === true)
    lines.push('Select did not finish (see the execution): nothing was picked, so nothing was aborted.');
  if (report.action === 'report' && t.stale > 0)
    lines.push(`Report mode: nothing was aborted; the same settings would abort ${t.wouldAbort}.`);
  if (report.capped)
    lines.push('max-aborts reached: the oldest eligible uploads of the fleet were picked first.');
  if (t.skippedByTag > 0 || t.absent > 0)
    lines.push(
      `${count(t.skippedByTag, 'vault', 'vaults')} skipped by tag glacier-sweeper=skip · ${count(t.absent, 'named vault', 'named vaults')} absent`,
    );
  const restarted = report.vaults.filter((v) => v.restarted === true);
  if (restarted.length > 0)
    lines.push(
      `${count(restarted.length, 'vault was', 'vaults were')} listed again from the first page: Glacier rejected the marker on resume (${restarted
        .slice(0, 5)
        .map((v) => `${v.account}/${v.region}/${cleanText(v.vault, 40)}`)
        .join(', ')}).`,
    );

  const accounts = [...report.accounts].sort(
    (a, b) => errorRank(a) - errorRank(b) || (a.account < b.account ? -1 : 1),
  );
  lines.push('');
  lines.push(
    ...table(
      ['ACCOUNT', 'REGIONS', 'VAULTS', 'SCANNED', 'STALE', 'ABORTED', 'FAILED', 'STATUS'],
      accounts
        .slice(0, MAX_ACCOUNT_ROWS)
        .map((a) => [
          a.account,
          String(a.regions),
          String(a.totals.vaults),
          String(a.totals.scanned),
          String(a.totals.stale),
          String(a.totals.aborted),
          String(a.totals.failed),
          accountStatus(a),
        ]),
      new Set([1, 2, 3, 4, 5, 6]),
    ),
  );
  if (accounts.length > MAX_ACCOUNT_ROWS)
    lines.push(`…and ${accounts.length - MAX_ACCOUNT_ROWS} more accounts: see the full report.`);

  const apart = report.targets.filter((x) => x.status === 'no-spoke' || x.status === 'region-not-enabled');
  if (apart.length > 0) {
    lines.push('', 'Not swept, and not errors (accounts without the spoke role, regions not enabled):');
    for (const x of apart.slice(0, 20))
      lines.push(
        `${x.account} ${x.region}: ${x.status === 'no-spoke' ? 'no spoke role' : 'region not enabled'}`,
      );
    if (apart.length > 20) lines.push(`…and ${apart.length - 20} more.`);
  }

  const stale: { v: FleetVaultReport; e: FleetVaultReport['staleUploads'][number] }[] = [];
  for (const v of report.vaults)
    for (const e of v.staleUploads.slice(0, MAX_FLEET_STALE_ROWS)) stale.push({ v, e });
  stale.sort((a, b) => b.e.ageHours - a.e.ageHours);
  if (stale.length > 0) {
    lines.push('', 'Oldest stale uploads across the fleet');
    lines.push(
      ...table(
        ['ACCOUNT', 'REGION', 'VAULT', 'AGE', 'CREATED (UTC)', 'OUTCOME', 'DESCRIPTION', 'UPLOAD ID'],
        stale
          .slice(0, MAX_FLEET_STALE_ROWS)
          .map(({ v, e }) => [
            v.account,
            v.region,
            cleanText(v.vault, 40),
            formatAge(e.ageHours * 3_600_000),
            utcMinute(e.createdAt),
            e.outcome,
            cleanText(e.description, 40),
            shortId(e.uploadId),
          ]),
        new Set(),
      ),
    );
    if (t.stale > MAX_FLEET_STALE_ROWS)
      lines.push(`…and ${t.stale - MAX_FLEET_STALE_ROWS} more: see the full report.`);
  }

  const errors = [
    ...report.targets
      .filter((x) => x.status === 'error')
      .map((x) => `${x.account} ${x.region}: ${cleanText(x.error ?? 'error', 300)}`),
    ...report.vaults
      .filter((v) => v.error !== null)
      .map((v) => `${v.account} ${v.region} ${cleanText(v.vault, 40)}: ${cleanText(v.error ?? '', 300)}`),
  ];
  if (errors.length > 0) {
    lines.push('', 'Errors (every other target and vault was swept)');
    lines.push(...errors.slice(0, 20));
    if (errors.length > 20) lines.push(`…and ${errors.length - 20} more: see the full report.`);
  }
  lines.push('', `Full report: s3 key ${report.reportKey}`, `Run id ${cleanText(report.runId, 100)}`);
  return lines.join('\n');
}
