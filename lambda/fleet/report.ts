import { emitFleetMetrics } from '../adapters/metrics';
import { publish } from '../adapters/sns';
import { errorSummary } from '../core/errors';
import { buildFleetReport, type LoadedTarget } from '../core/fleet-report';
import { renderFleetSubject, renderFleetText } from '../core/fleet-report-text';
import type { FleetReport, TargetPicks, TargetRecord } from '../core/fleet-types';
import { SNS_MAX_MESSAGE_BYTES } from '../core/sns-message';
import { cleaningLogger } from '../run';
import type { OutcomesRecord } from './act';
import { alert, type FleetDeps, fleetDependencies, fleetRuntime } from './deps';
import { keys } from './keys';
import { loadPlan } from './plan-record';
import { loadVault } from './run-reader';
import type { SelectionRecord } from './select';

export interface ReportEvent {
  readonly runId: string;
}

export interface ReportResult {
  readonly reportKey: string;
  readonly published: boolean;
}

/** The published JSON: every list cut to `k` entries a vault (oldest kept), vault entries dropped last. */
export function trimFleetReport(
  report: FleetReport,
  maxBytes: number,
): FleetReport & { vaultsOmitted?: number } {
  const size = (r: unknown) => Buffer.byteLength(JSON.stringify(r), 'utf8');
  const cut = (k: number): FleetReport => ({
    ...report,
    vaults: report.vaults.map((v) => ({
      ...v,
      staleUploads: v.staleUploads.slice(0, k),
      staleUploadsOmitted: v.staleUploadsOmitted + Math.max(0, v.staleUploads.length - k),
      anomalies: v.anomalies.slice(0, k),
      anomaliesOmitted: v.anomaliesOmitted + Math.max(0, v.anomalies.length - k),
    })),
  });
  for (const k of [Number.POSITIVE_INFINITY, 100, 20, 5, 1, 0]) {
    const candidate = cut(k);
    if (size(candidate) <= maxBytes) return candidate;
  }
  const bare = cut(0);
  const ranked = [...bare.vaults].sort(
    (a, b) => Number(b.error !== null) - Number(a.error !== null) || b.stale - a.stale,
  );
  let kept = ranked.length;
  while (
    kept > 0 &&
    size({ ...bare, vaults: ranked.slice(0, kept), vaultsOmitted: ranked.length - kept }) > maxBytes
  )
    kept = Math.floor(kept / 2);
  return { ...bare, vaults: ranked.slice(0, kept), vaultsOmitted: ranked.length - kept };
}

/** Builds the SNS message: the email text, and the trimmed JSON for the JSON protocols. */
export function fleetMessage(report: FleetReport, attributes: Record<string, string>) {
  const text = renderFleetText(report);
  const envelope = (json: string) =>
    JSON.stringify({ default: text, email: text, sqs: json, lambda: json, https: json });
  const fixed = Buffer.byteLength(envelope(''), 'utf8') + 512;
  // Each JSON copy is escaped into the envelope three times over: budget a third of what is left, less escapes.
  const budget = Math.floor((SNS_MAX_MESSAGE_BYTES - fixed) / 3.3);
  const published = trimFleetReport(report, budget);
  return {
    subject: renderFleetSubject(report),
    message: envelope(JSON.stringify(published)),
    messageStructure: 'json' as const,
    attributes,
    published,
  };
}

/**
 * Report: one fleet report from the run's prefix. The full JSON goes to S3 first (and one per
 * account); then the email and the trimmed JSON to SNS, both naming the S3 key. If it cannot be
 * published the execution fails with the key in its error, after an alert that says where.
 */
export async function runReport(event: ReportEvent, deps: FleetDeps): Promise<ReportResult> {
  const { runId } = event;
  const runtime = fleetRuntime(deps.env);
  const logger = cleaningLogger(deps.logger);
  const { plan, settings } = await loadPlan(deps, runtime, runId);
  const selection = await deps.store.get<SelectionRecord>(keys.selection(runId));
  const targets: LoadedTarget[] = [];
  for (const { account, region } of plan.targets) {
    const record = await deps.store.get<TargetRecord>(keys.target(runId, account, region));
    const vaults = [];
    for (const vault of record?.vaults ?? [])
      vaults.push(await loadVault(deps.store, runId, account, region, vault));
    const picks = (await deps.store.get<TargetPicks>(keys.picks(runId, account, region)))?.picks ?? [];
    const outcomes = [];
    const goneVaults: string[] = [];
    for (const key of await deps.store.list(keys.outcomesPrefix(runId, account, region))) {
      const found = await deps.store.get<OutcomesRecord>(key);
      outcomes.push(...(found?.outcomes ?? []));
      goneVaults.push(...(found?.goneVaults ?? []));
    }
    const actError = (await deps.store.get<{ error: string }>(keys.actError(runId, account, region)))?.error;
    targets.push({ account, region, record, vaults, picks, outcomes, actError, goneVaults });
  }
  const acting = selection?.acting === true;
  const reportKey = keys.report(runId);
  const report = buildFleetReport({
    runId,
    startedAt: plan.startedAt,
    finishedAt: new Date(deps.clock()).toISOString(),
    hubRegion: runtime.region,
    regions: [...settings.regions],
    action: acting ? 'abort' : 'report',
    olderThan: settings.sweep.olderThan.text,
    capped: selection?.capped ?? false,
    // Select's picks, in both modes: what abort mode with these settings aborts in this run.
    wouldAbort: selection?.picked ?? 0,
    reportKey,
    targets,
    selectFailed: selection === undefined,
  });
  await deps.store.put(reportKey, report);
  for (const account of report.accounts) {
    await deps.store.put(keys.accountReport(runId, account.account), {
      ...report,
      accounts: [account],
      targets: report.targets.filter((t) => t.account === account.account),
      vaults: report.vaults.filter((v) => v.account === account.account),
    });
  }
  logger.info('fleet run finished', { runId, reportKey, totals: report.totals });
  const notify =
    settings.sweep.notify === 'always' ||
    report.totals.stale +
      report.totals.failed +
      report.totals.vaultErrors +
      report.totals.targetErrors +
      report.totals.anomalies >
      0 ||
    !report.complete;
  const perVault = deps.env.SWEEPER_VAULT_METRICS === 'on';
  if (!notify) {
    emitFleetMetrics(deps.metrics, report, { perVault, perAccount: runtime.accountMetrics });
    return { reportKey, published: false };
  }
  try {
    await publish(
      deps.clients.sns,
      runtime.topicArn,
      fleetMessage(report, { kind: 'report', action: report.action }),
    );
    if (runtime.accountMessages) {
      for (const account of report.accounts) {
        const part = {
          ...report,
          accounts: [account],
          targets: report.targets.filter((t) => t.account === account.account),
          vaults: report.vaults.filter((v) => v.account === account.account),
          reportKey: keys.accountReport(runId, account.account),
        };
        await publish(
          deps.clients.sns,
          runtime.topicArn,
          fleetMessage(part, { kind: 'report', action: report.action, account: account.account }),
        );
      }
    }
  } catch (error) {
    await alert(deps, runtime, runId, {
      kind: 'unpublished-report',
      message: `the fleet report could not be published (${errorSummary(error)}); the full report is in the run bucket at ${reportKey}`,
    });
    throw new Error(
      `glacier-sweeper fleet: the report of run ${runId} could not be published: ${errorSummary(error)}; the full report is at s3 key ${reportKey}`,
    );
  }
  // Only a run whose report reached SNS counts as completed: the alarm on its absence is the dead-man's switch.
  emitFleetMetrics(deps.metrics, report, { perVault, perAccount: runtime.accountMetrics });
  return { reportKey, published: true };
}

export const handler = (event: ReportEvent): Promise<ReportResult> => runReport(event, fleetDependencies());
