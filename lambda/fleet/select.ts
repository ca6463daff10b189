import { mayAbortIn } from '../core/fleet-settings';
import type { Candidate, Pick, TargetPicks, TargetRecord } from '../core/fleet-types';
import { OldestEligible, type UploadRef } from '../core/plan';
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
 * A candidate with the place it was found. Its `vault` is the place as one key (account, region, vault
 * name, NUL-separated: NUL occurs in none of them, and the account ids are all 12 digits), so the
 * plan's order (`oldestFirst`: creation time, then vault, then upload id) breaks ties by account, then
 * region, then vault: every run over the same uploads picks the same.
 */
interface Placed extends UploadRef {
  readonly account: string;
  readonly region: string;
  readonly olderThan: string;
  readonly vaultName: string;
  readonly candidate: Candidate;
}

const placeKey = (account: string, region: string, vault: string): string =>
  `${account}\u0000${region}\u0000${vault}`;

const toPick = ({ vaultName, olderThan, candidate }: Placed): Pick => ({
  vault: vaultName,
  olderThan,
  uploadId: candidate.uploadId,
  createdAt: candidate.createdAt,
  createdMs: candidate.createdMs,
  fingerprint: candidate.fingerprint,
  partCount: candidate.partCount,
  bytes: candidate.bytesUploaded,
});

/**
 * Select: the oldest eligible uploads across the whole run, up to max-aborts (a bounded top-K over
 * every candidate chunk, one chunk in memory at a time: the single-account plan's OldestEligible, fed
 * the candidates Survey judged eligible by the plan's `isEligible`), written per target. Only accounts of
 * abort-accounts (when set) may have picks. In report mode the picks are the preview (wouldAbort).
 */
export async function runSelect(event: SelectEvent, deps: FleetDeps): Promise<SelectResult> {
  const runtime = fleetRuntime(deps.env);
  const { plan, settings } = await loadPlan(deps, runtime, event.runId);
  const top = new OldestEligible<Placed>(settings.sweep.maxAborts);
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
          top.offer(
            {
              vault: placeKey(account, region, vault.name),
              uploadId: candidate.uploadId,
              createdMs: candidate.createdMs,
              account,
              region,
              vaultName: vault.name,
              olderThan: vault.olderThan,
              candidate,
            },
            candidate.verdict === 'eligible',
          );
        }
    }
  }
  const byTarget = new Map<string, TargetPicks & { picks: Pick[] }>();
  const planned = top.plan();
  for (const placed of planned.picks) {
    const key = `${placed.account}\u0000${placed.region}`;
    const entry = byTarget.get(key) ?? { account: placed.account, region: placed.region, picks: [] };
    entry.picks.push(toPick(placed));
    byTarget.set(key, entry);
  }
  for (const entry of byTarget.values())
    await deps.store.put(keys.picks(event.runId, entry.account, entry.region), entry);
  const acting = settings.sweep.action === 'abort' && !plan.forceReport;
  const selection: SelectionRecord = {
    eligible: planned.eligible,
    picked: planned.picks.length,
    capped: planned.capped,
    acting,
  };
  await deps.store.put(keys.selection(event.runId), selection);
  cleaningLogger(deps.logger).info('picks selected', { runId: event.runId, ...selection });
  return {
    targets: acting ? [...byTarget.values()].map(({ account, region }) => ({ account, region })) : [],
  };
}

export const handler = (event: SelectEvent): Promise<SelectResult> => runSelect(event, fleetDependencies());
