import type { RawFleetSettings, Target } from '../core/fleet-settings';
import type { FleetDeps, FleetRuntime } from './deps';
import { parseRaw } from './deps';
import { keys } from './keys';

/** `plan.json`: the settings the run started with (raw: patterns are compiled again by each step). */
export interface PlanRecord {
  readonly runId: string;
  readonly startedAt: string;
  readonly raw: RawFleetSettings;
  /** A manual `{"action":"report"}`: never escalates, only de-escalates. */
  readonly forceReport: boolean;
  readonly targets: readonly Target[];
}

export async function loadPlan(deps: FleetDeps, runtime: FleetRuntime, runId: string) {
  const plan = await deps.store.get<PlanRecord>(keys.plan(runId));
  if (plan === undefined)
    throw new Error(`run ${runId} has no plan.json: Plan did not run for this execution`);
  return { plan, settings: parseRaw(plan.raw, runtime) };
}
