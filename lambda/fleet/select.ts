import { OldestK, toPick } from '../core/fleet-select';
import { mayAbortIn } from '../core/fleet-settings';
import type { Pick, TargetPicks, TargetRecord } from '../core/fleet-types';
import { cleaningLogger } from '../run';
import { type FleetDeps, fleetDependencies, fleetRuntime } from './deps';
import { keys } from './keys';
import { loadPlan } from './plan-record';
import { loadVault } from './run-reader';

export interface SelectEvent {
  readonly runId: string;
}

export interface SelectionRecord {
  readonly eligible: number;
  readonly picked: number;
  readonly capped: boolean;
  /** The run aborts (action abort, no manual report): Act runs over the picks. */
  readonly acting: boolean;
}

export interface SelectResult {
  /** Targets with picks, for Act; empty in report mode. */
  readonly targets: { account: string; region: string }[];
}

/**
 * Select: the oldest eligible uploads across the whole run, up to max-aborts (a bounded top-K over
 * every candidate chunk, one chunk in memory at a time), written per target. Only accounts of
 * abort-accounts (when set) may have picks. In report mode the picks are the preview (wouldAbort).
 */
export async function runSelect(event: SelectEvent, deps: FleetDeps): Promise<SelectResult> {
  const runtime = fleetRuntime(deps.env);
  const { plan, settings } = await loadPlan(deps, runtime, event.runId);
  const top = new OldestK(settings.sweep.maxAborts);
  for (const { account, region } of plan.targets) {
    if (!mayAbortIn(settings, account)) continue;
    const record = await deps.store.get<TargetRecord>(keys.target(event.runId, account, region));
    for (const vault of record?.vaults ?? []) {
      const loaded = await loadVault(deps.store, event.runId, account, region, vault);
      // An upload listed again by a later worker invocation is one upload: offered once.
      const offered = new Set<string>();
      for (const chunk of loaded.chunks)
        for (const candidate of chunk.candidates) {
          if (offered.has(candidate.uploadId)) continue;
          offered.add(candidate.uploadId);
          top.offer({ account, region, vault: vault.name, olderThan: vault.olderThan, candidate });
        }
    }
  }
  const byTarget = new Map<string, TargetPicks & { picks: Pick[] }>();
  for (const placed of top.picks()) {
    const key = `${placed.account}\u0000${placed.region}`;
    const entry = byTarget.get(key) ?? { account: placed.account, region: placed.region, picks: [] };
    entry.picks.push(toPick(placed));
    byTarget.set(key, entry);
  }
  for (const entry of byTarget.values())
    await deps.store.put(keys.picks(event.runId, entry.account, entry.region), entry);
  const acting = settings.sweep.action === 'abort' && !plan.forceReport;
  const selection: SelectionRecord = {
    eligible: top.eligible,
    picked: top.picks().length,
    capped: top.capped,
    acting,
  };
  await deps.store.put(keys.selection(event.runId), selection);
  cleaningLogger(deps.logger).info('picks selected', { runId: event.runId, ...selection });
  return {
    targets: acting ? [...byTarget.values()].map(({ account, region }) => ({ account, region })) : [],
  };
}

export const handler = (event: SelectEvent): Promise<SelectResult> => runSelect(event, fleetDependencies());
