import type { RunStore } from '../adapters/run-store';
import type { LoadedVault } from '../core/fleet-report';
import type { SurveyChunk, TargetRecord, VaultDone } from '../core/fleet-types';
import { keys } from './keys';

/** One vault's findings: the chunks of the pass that counts (done.json says which). */
export async function loadVault(
  store: RunStore,
  runId: string,
  account: string,
  region: string,
  vault: TargetRecord['vaults'][number],
): Promise<LoadedVault> {
  const base = { name: vault.name, olderThan: vault.olderThan, status: vault.status, error: vault.error };
  if (vault.status !== 'sweep') return { ...base, done: undefined, chunks: [] };
  const done = await store.get<VaultDone>(keys.vaultDone(runId, account, region, vault.name));
  let pass = done?.pass;
  if (pass === undefined) {
    // No done.json: the worker failed without its catch; count the latest pass it wrote.
    const all = await store.list(`${keys.vaultPrefix(runId, account, region, vault.name)}chunks/`);
    pass = Math.max(0, ...all.map((key) => Number(key.split('/').at(-1)?.split('-')[0] ?? 0)));
  }
  const chunkKeys = await store.list(keys.chunksOfPass(runId, account, region, vault.name, pass));
  const chunks: SurveyChunk[] = [];
  for (const key of chunkKeys) {
    const chunk = await store.get<SurveyChunk>(key);
    if (chunk !== undefined) chunks.push(chunk);
  }
  return { ...base, done, chunks };
}

/** The upload ids the invocations before `invocation` of a vault's pass listed. */
export async function idsOfPass(
  store: RunStore,
  runId: string,
  account: string,
  region: string,
  vault: string,
  pass: number,
  invocation: number,
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const key of await store.list(keys.chunksOfPass(runId, account, region, vault, pass))) {
    const chunk = await store.get<SurveyChunk>(key);
    // A chunk of this very invocation is an earlier attempt of it (a retry): its ids are listed again.
    if (chunk === undefined || chunk.invocation >= invocation) continue;
    for (const id of chunk.ids ?? []) ids.add(id);
  }
  return ids;
}
