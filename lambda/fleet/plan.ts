import { listActiveAccounts } from '../adapters/organizations';
import { ACCOUNTS_ORGANIZATION } from '../core/defaults';
import { errorSummary } from '../core/errors';
import { fleetSsmNames, planTargets, type Target } from '../core/fleet-settings';
import { ConfigError } from '../core/settings';
import { cleaningLogger } from '../run';
import {
  alert,
  type FleetDeps,
  fleetDependencies,
  fleetRuntime,
  parseRaw,
  readFleetParameters,
} from './deps';
import { keys } from './keys';
import type { PlanRecord } from './plan-record';

export interface PlanEvent {
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly startTime?: string;
  /** The execution's input: `{}` from the schedule, `{"action":"report"}` by hand. */
  readonly input?: unknown;
}

export interface PlanResult {
  readonly runId: string;
  readonly startedAt: string;
  /** `run`, or `overlapping-run`: another execution is still running, so this one ends at once. */
  readonly outcome: 'run' | 'overlapping-run';
  readonly targets: Target[];
}

/**
 * Plan: another execution running ends this one at once (overlapping runs would spend max-aborts
 * twice); then the fleet settings (a configuration error: one alert, nothing listed, the execution
 * fails); then the targets, accounts × regions.
 */
export async function runPlan(event: PlanEvent, deps: FleetDeps): Promise<PlanResult> {
  const runId = event.executionName;
  const startedAt = event.startTime ?? new Date(deps.clock()).toISOString();
  const runtime = fleetRuntime(deps.env);
  const logger = cleaningLogger(deps.logger);
  const others = (await deps.executions.running(event.stateMachineArn)).filter((name) => name !== runId);
  if (others.length > 0) {
    await alert(deps, runtime, runId, {
      kind: 'overlapping-run',
      message: `another execution is still running (${others.slice(0, 3).join(', ')}): this one ended without sweeping, so max-aborts is never spent twice. Make the state machine's timeout shorter than the schedule's period, or wait for the running execution to end.`,
    });
    return { runId, startedAt, outcome: 'overlapping-run', targets: [] };
  }
  try {
    const raw = await readFleetParameters(deps, runtime.prefix);
    const settings = parseRaw(raw, runtime);
    let active: string[] | undefined;
    if (settings.accounts === ACCOUNTS_ORGANIZATION) {
      try {
        active = await listActiveAccounts(deps.clients.organizations);
      } catch (error) {
        const setting = fleetSsmNames(runtime.prefix).fleetName('accounts');
        throw new ConfigError(
          setting,
          `${setting} = organization: the Organization's accounts could not be listed (the hub must be the management account or a delegated administrator): ${errorSummary(error)}`,
        );
      }
    }
    const targets = planTargets(settings, active, fleetSsmNames(runtime.prefix));
    const input = event.input as { action?: unknown } | undefined;
    const record: PlanRecord = { runId, startedAt, raw, forceReport: input?.action === 'report', targets };
    await deps.store.put(keys.plan(runId), record);
    logger.info('fleet run planned', { runId, targets: targets.length, action: settings.sweep.action });
    return { runId, startedAt, outcome: 'run', targets };
  } catch (error) {
    if (error instanceof ConfigError)
      await alert(deps, runtime, runId, { kind: 'config', parameter: error.setting, message: error.message });
    throw error;
  }
}

export const handler = (event: PlanEvent): Promise<PlanResult> => runPlan(event, fleetDependencies());
