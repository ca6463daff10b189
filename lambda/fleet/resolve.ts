import { GlacierVaultApi } from '../adapters/glacier';
import { classifyAccessError, SpokeAccessError } from '../adapters/spoke';
import { errorSummary } from '../core/errors';
import type { ResolvedVault, TargetRecord } from '../core/fleet-types';
import { hasSkipTag } from '../core/skip-tag';
import type { VaultTarget } from '../core/types';
import { cleaningLogger } from '../run';
import { type CaughtError, caughtSummary, type FleetDeps, fleetDependencies, fleetRuntime } from './deps';
import { keys } from './keys';
import { loadPlan } from './plan-record';

export interface ResolveEvent {
  readonly runId: string;
  readonly account: string;
  readonly region: string;
  /** Set by the catch: Resolve failed after retries; record the target error. */
  readonly failure?: CaughtError;
}

export interface ResolveResult {
  /** Vault indices (into target.json's vaults) in batches, each swept by a child execution. */
  readonly batches: number[][];
}

const isNotFound = (error: unknown) => error instanceof Error && error.name === 'ResourceNotFoundException';

/**
 * Resolve, per target: assume the spoke role, list the vaults (`*`) or take the named ones, read each
 * vault's tags once (a named vault that is not there is `absent`; `glacier-sweeper=skip` is skipped
 * by tag), and write target.json. Accounts without the spoke role and regions not enabled are
 * recorded as such, not as errors.
 */
export async function runResolve(event: ResolveEvent, deps: FleetDeps): Promise<ResolveResult> {
  const { runId, account, region } = event;
  const logger = cleaningLogger(deps.logger);
  const write = (record: TargetRecord) => deps.store.put(keys.target(runId, account, region), record);
  if (event.failure !== undefined) {
    await write({ account, region, status: 'error', error: caughtSummary(event.failure), vaults: [] });
    return { batches: [] };
  }
  const runtime = fleetRuntime(deps.env);
  const { settings } = await loadPlan(deps, runtime, runId);
  let api: GlacierVaultApi;
  let targets: VaultTarget[];
  try {
    api = new GlacierVaultApi(await deps.clients.spokes.glacier({ account, region }, runId), '-');
    const vaults = settings.sweep.vaults;
    targets =
      vaults === '*'
        ? (await api.listVaultNames()).map((name) => ({ name, olderThan: settings.sweep.olderThan }))
        : [...vaults];
  } catch (error) {
    const problem =
      error instanceof SpokeAccessError ? error.problem : (classifyAccessError(error) ?? 'error');
    const status = problem === 'error' ? 'error' : problem;
    logger[status === 'error' ? 'error' : 'warn']('target not swept', {
      runId,
      account,
      region,
      status,
      error: errorSummary(error),
    });
    await write({
      account,
      region,
      status,
      error: status === 'error' ? errorSummary(error) : null,
      vaults: [],
    });
    return { batches: [] };
  }
  const resolved: ResolvedVault[] = [];
  for (const vault of targets) {
    const base = { name: vault.name, olderThan: vault.olderThan.text };
    try {
      const tags = await api.listVaultTags(vault.name);
      resolved.push({ ...base, status: hasSkipTag(tags) ? 'skipped-by-tag' : 'sweep' });
    } catch (error) {
      if (isNotFound(error) && settings.sweep.vaults !== '*') resolved.push({ ...base, status: 'absent' });
      else resolved.push({ ...base, status: 'error', error: errorSummary(error) });
    }
  }
  await write({ account, region, status: 'swept', error: null, vaults: resolved });
  const sweep = resolved.flatMap((v, i) => (v.status === 'sweep' ? [i] : []));
  const batches: number[][] = [];
  for (let i = 0; i < sweep.length; i += runtime.vaultBatchSize)
    batches.push(sweep.slice(i, i + runtime.vaultBatchSize));
  logger.info('target resolved', {
    runId,
    account,
    region,
    vaults: resolved.length,
    batches: batches.length,
  });
  return { batches };
}

export const handler = (event: ResolveEvent): Promise<ResolveResult> =>
  runResolve(event, fleetDependencies());
