import { parseSettings, type RawSettings, ssmNames } from '../../../lambda/core/settings';
import { type SweepRunInput, sweepRun } from '../../../lambda/core/sweep';
import type { FakeVaultApi } from './fake-vault-api';

/** The clock of the sweep tests that run with `sweepWith`: 2026-11-27 03:00 UTC. */
export const SWEEP_NOW = Date.parse('2026-11-27T03:00:00.000Z');

/**
 * A single-account run over the fake API with settings `raw` (prefix /p), at SWEEP_NOW, ten minutes
 * to its deadline, 4 vaults × 8 requests in flight; `extra` replaces any of these.
 */
export function sweepWith(api: FakeVaultApi, raw: RawSettings, extra: Partial<SweepRunInput> = {}) {
  return sweepRun({
    api,
    settings: parseSettings(raw, ssmNames('/p')),
    clock: () => SWEEP_NOW,
    deadline: SWEEP_NOW + 600_000,
    vaultConcurrency: 4,
    abortConcurrency: 8,
    runId: 'r',
    region: 'us-east-1',
    ...extra,
  });
}
