import { createHash } from 'node:crypto';
import { STATE_TTL_DAYS } from './defaults';
import { MarkerChain } from './paging';
import type { UploadedPart, VaultApi } from './types';

/** What ListParts says about an upload's progress. */
export interface PartsFingerprint {
  /** sha256 over the sorted `RangeInBytes:SHA256TreeHash` lines: any new or re-sent part changes it. */
  readonly fingerprint: string;
  readonly partCount: number;
  /** Sum of the parts' range lengths. */
  readonly bytes: number;
}

/** What earlier runs saw of one upload (one DynamoDB item). Times are epoch milliseconds. */
export interface UploadHistory {
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** When the fingerprint last changed (or was first seen): the quiet period counts from here. */
  readonly lastChanged: number;
  readonly fingerprint: string;
  readonly partCount: number;
  readonly bytes: number;
  readonly seenCount: number;
  /** Epoch seconds (DynamoDB TTL). DynamoDB deletes expired items lazily, so readers check it too. */
  readonly ttl: number;
  /**
   * The run that wrote the record (fleet mode). A fleet run can outlast the quiet period, so a record
   * its own run wrote is never "an earlier run": the run cannot prove its own first sighting idle.
   */
  readonly runId?: string;
}

/** Remembers uploads between runs. `put` is conditional on `previous` still being what is stored. */
export interface StateStore {
  get(key: string): Promise<UploadHistory | undefined>;
  put(key: string, next: UploadHistory, previous: UploadHistory | undefined): Promise<void>;
  delete(key: string): Promise<void>;
}

const RANGE_RE = /^(\d+)-(\d+)$/;

/** Pure: the fingerprint of a complete part listing. Throws on a range it cannot read. */
export function fingerprintParts(parts: readonly UploadedPart[]): PartsFingerprint {
  let bytes = 0;
  const lines = parts.map((part) => {
    const m = RANGE_RE.exec(part.range);
    const start = Number(m?.[1]);
    const end = Number(m?.[2]);
    if (!m || end < start)
      throw new Error(`ListParts returned an unreadable range ${JSON.stringify(part.range)}`);
    bytes += end - start + 1;
    return `${part.range}:${part.treeHash}`;
  });
  lines.sort();
  return {
    fingerprint: createHash('sha256').update(lines.join('\n')).digest('hex'),
    partCount: parts.length,
    bytes,
  };
}

/** A complete part listing: its fingerprint, and what ListParts says of the upload itself. */
export interface PartsListing {
  readonly parts: PartsFingerprint;
  /** The upload's CreationDate and ArchiveDescription, as the first page of ListParts gave them. */
  readonly createdAt: string | undefined;
  readonly description: string | undefined;
}

/**
 * Lists every page of an upload's parts and fingerprints them. A listing that fails part way throws,
 * so no fingerprint is ever made from a partial listing.
 */
export async function listUploadParts(api: VaultApi, vault: string, uploadId: string): Promise<PartsListing> {
  const parts: UploadedPart[] = [];
  // Throws when a page answers with a marker already sent (A → B → A): the listing would loop.
  const chain = new MarkerChain('ListParts');
  let marker: string | undefined;
  let upload: Omit<PartsListing, 'parts'> | undefined;
  do {
    const page = await api.listPartsPage(vault, uploadId, marker);
    upload ??= { createdAt: page.createdAt, description: page.description };
    parts.push(...page.parts);
    marker = chain.follow(page.marker);
  } while (marker !== undefined);
  return { parts: fingerprintParts(parts), createdAt: upload?.createdAt, description: upload?.description };
}

/** {@link listUploadParts}, for the fingerprint alone. */
export const measureUpload = async (
  api: VaultApi,
  vault: string,
  uploadId: string,
): Promise<PartsFingerprint> => (await listUploadParts(api, vault, uploadId)).parts;

export const stateKey = (account: string, region: string, vault: string, uploadId: string): string =>
  `${account}:${region}:${vault}#${uploadId}`;

/** A record whose TTL has passed is as good as absent, even if DynamoDB has not deleted it yet. */
export function liveHistory(history: UploadHistory | undefined, now: number): UploadHistory | undefined {
  return history !== undefined && history.ttl * 1000 > now ? history : undefined;
}

export type ActivityVerdict =
  | { readonly idle: true }
  | { readonly idle: false; readonly eligibleAt: number; readonly reason: string };

/**
 * The activity half of "abort this upload?", pure: idle only when an earlier run recorded the same
 * fingerprint and it has not changed for the whole quiet period. Anything unknown means not idle.
 */
export function judgeActivity(
  history: UploadHistory | undefined,
  observed: PartsFingerprint | undefined,
  quietPeriodMs: number,
  now: number,
  runId?: string,
): ActivityVerdict {
  if (observed === undefined) {
    return {
      idle: false,
      eligibleAt: now + quietPeriodMs,
      reason: 'parts not listed this run: activity unknown',
    };
  }
  const previous = liveHistory(history, now);
  const ownRun = runId !== undefined && previous?.runId === runId;
  if (previous === undefined || previous.lastSeen >= now || ownRun) {
    return { idle: false, eligibleAt: now + quietPeriodMs, reason: 'first seen by this run' };
  }
  if (previous.fingerprint !== observed.fingerprint) {
    return { idle: false, eligibleAt: now + quietPeriodMs, reason: 'parts changed since the last run' };
  }
  const eligibleAt = previous.lastChanged + quietPeriodMs;
  if (now >= eligibleAt) return { idle: true };
  return { idle: false, eligibleAt, reason: 'unchanged, but not yet for the whole quiet period' };
}

/** Pure: the record to store after observing an upload at `now`. */
export function nextHistory(
  history: UploadHistory | undefined,
  observed: PartsFingerprint,
  now: number,
  runId?: string,
): UploadHistory {
  const ttl = Math.ceil((now + STATE_TTL_DAYS * 86_400_000) / 1000);
  const previous = liveHistory(history, now);
  const changed = previous === undefined || previous.fingerprint !== observed.fingerprint;
  return {
    firstSeen: previous?.firstSeen ?? now,
    lastSeen: now,
    lastChanged: changed ? now : (previous?.lastChanged ?? now),
    fingerprint: observed.fingerprint,
    partCount: observed.partCount,
    bytes: observed.bytes,
    seenCount: (previous?.seenCount ?? 0) + 1,
    ttl,
    ...(runId === undefined ? {} : { runId }),
  };
}
