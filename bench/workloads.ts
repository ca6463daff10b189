import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SSM_PREFIX, LIST_PAGE_SIZE, PARAM } from '../lambda/core/defaults';
import type { Seed, SeedVault } from '../local/emulator';

export const TOPIC = 'glacier-sweeper-bench';
/** Far above any workload's stale count, so `max-aborts` never caps a run. */
export const MAX_ABORTS = 1_000_000;
export const OLDER_THAN_DAYS = 7;

export interface Workload {
  name: 'S' | 'M' | 'L' | 'plan';
  vaults: number;
  uploadsPerVault: number;
  staleShare: number;
  action: 'report' | 'abort';
}

/** The workloads; `--quick` keeps their shape at a fraction of the size. */
export function workloads(quick: boolean): Record<'S' | 'M' | 'L', Workload> {
  return {
    S: { name: 'S', vaults: 3, uploadsPerVault: 200, staleShare: 0.1, action: 'abort' },
    M: quick
      ? { name: 'M', vaults: 4, uploadsPerVault: 200, staleShare: 0.1, action: 'abort' }
      : { name: 'M', vaults: 20, uploadsPerVault: 2_000, staleShare: 0.1, action: 'abort' },
    L: quick
      ? { name: 'L', vaults: 1, uploadsPerVault: 1_000, staleShare: 0.1, action: 'report' }
      : { name: 'L', vaults: 1, uploadsPerVault: 50_000, staleShare: 0.1, action: 'report' },
  };
}

/**
 * Plan-then-act (issue 13): many vaults of a few pages each, so that the run's time is spread over
 * listing, measuring and aborting, each with its own concurrency. `--quick` shrinks it.
 */
export function planWorkload(quick: boolean): Workload {
  return quick
    ? { name: 'plan', vaults: 4, uploadsPerVault: 100, staleShare: 0.1, action: 'abort' }
    : { name: 'plan', vaults: 20, uploadsPerVault: 250, staleShare: 0.1, action: 'abort' };
}

export const vaultNames = (w: Workload): string[] =>
  Array.from({ length: w.vaults }, (_, i) => `bench-${w.name.toLowerCase()}-${String(i).padStart(2, '0')}`);

export const staleCount = (w: Workload): number => w.vaults * Math.round(w.uploadsPerVault * w.staleShare);
export const pagesPerVault = (w: Workload): number =>
  Math.max(1, Math.ceil(w.uploadsPerVault / LIST_PAGE_SIZE));
export const totalPages = (w: Workload): number => w.vaults * pagesPerVault(w);

/**
 * Requests a correct sweep cannot do without: one GetParameters, one list call per page, one ListParts
 * page per stale upload (its bytes at stake; the seeded uploads have at most one page of parts), one
 * abort per stale upload (abort mode), one Publish.
 */
export function minimumRequests(w: Workload): number {
  return 1 + totalPages(w) + staleCount(w) + (w.action === 'abort' ? staleCount(w) : 0) + 1;
}

/**
 * The bound, with the ListParts call each stale upload now needs: listing chains spread over
 * the vault slots; per stale upload a ListParts (and an abort in abort mode) over every abort slot.
 */
export function wallBoundMs(w: Workload, latencyMs: number, vaultConc: number, abortConc: number): number {
  const perStale = w.action === 'abort' ? 2 : 1;
  return (
    (totalPages(w) * latencyMs) / vaultConc + (staleCount(w) * perStale * latencyMs) / (vaultConc * abortConc)
  );
}

/**
 * The latency bound of plan-then-act: listing (the chains spread over the vault slots) and measuring
 * (one ListParts per stale upload over every slot) overlap, and aborting (one per stale upload over
 * every slot) starts when both have ended.
 */
export function planBoundMs(w: Workload, latencyMs: number, vaultConc: number, abortConc: number): number {
  const listing = (totalPages(w) * latencyMs) / vaultConc;
  const perStale = (staleCount(w) * latencyMs) / (vaultConc * abortConc);
  return Math.max(listing, perStale) + (w.action === 'abort' ? perStale : 0);
}

const DAY_MS = 86_400_000;

/**
 * Stale uploads are listed explicitly, the fresh rest generated; the emulator scatters ids, so stale
 * uploads land on every page rather than on the first ones.
 */
export function seedFor(w: Workload, now = Date.now()): Seed {
  const staleCreated = new Date(now - 30 * DAY_MS).toISOString();
  const stalePerVault = Math.round(w.uploadsPerVault * w.staleShare);
  const vaults: SeedVault[] = vaultNames(w).map((name) => ({
    name,
    uploads: Array.from({ length: stalePerVault }, (_, i) => ({
      createdAt: staleCreated,
      description: `bench stale ${name} #${i}`,
      partSizeBytes: 4_194_304,
    })),
    generate: {
      count: w.uploadsPerVault - stalePerVault,
      ageDays: 1,
      description: `bench fresh ${name} #{i}`,
      partSizeBytes: 4_194_304,
    },
  }));
  const param = (name: string, value: string, type: 'String' | 'StringList' = 'String') => ({
    name: `${DEFAULT_SSM_PREFIX}/${name}`,
    value,
    type,
  });
  return {
    vaults,
    topics: [TOPIC],
    parameters: [
      param(PARAM.vaults, vaultNames(w).join(','), 'StringList'),
      param(PARAM.olderThan, `${OLDER_THAN_DAYS}d`),
      param(PARAM.action, w.action),
      param(PARAM.maxAborts, String(MAX_ABORTS)),
      // Every stale upload is measured (bytes at stake), as the default does for smaller vaults.
      param(PARAM.maxListParts, String(MAX_ABORTS)),
      param(PARAM.notify, 'findings'),
    ],
  };
}

export async function writeSeedFile(dir: string, w: Workload): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `seed-${w.name.toLowerCase()}.json`);
  await writeFile(path, JSON.stringify(seedFor(w)));
  return path;
}
