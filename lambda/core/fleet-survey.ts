import {
  judgeActivity,
  measureUpload,
  nextHistory,
  type PartsFingerprint,
  type StateStore,
  stateKey,
} from './activity';
import { judgeUpload } from './decide';
import { GLACIER_MAX_DESCRIPTION_CHARS as MAX_DESCRIPTION_CHARS } from './defaults';
import { errorSummary } from './errors';
import type { Candidate } from './fleet-types';
import { createLimiter } from './limit';
import { markerStuck, stuckMarkerError } from './paging';
import type { Pattern } from './pattern';
import type { AnomalyEntry, Clock, VaultApi, VaultTarget } from './types';

/** `quiet-period` in fleet mode: the history table is keyed by account and region, and records the run. */
export interface FleetActivity {
  readonly quietPeriodMs: number;
  readonly state: StateStore;
  readonly account: string;
  readonly region: string;
  readonly runId: string;
}

export interface SurveyInput {
  readonly api: VaultApi;
  readonly vault: VaultTarget;
  readonly exclude: Pattern | undefined;
  readonly clock: Clock;
  /** No page request starts after this (epoch ms): the worker's time budget. */
  readonly deadline: number;
  /** Most pages this invocation lists: the page budget. */
  readonly maxPages: number;
  /** `max-list-parts`, per worker invocation. */
  readonly maxListParts: number;
  readonly measureConcurrency: number;
  readonly activity?: FleetActivity | undefined;
  readonly startMarker?: string | undefined;
  /** Upload ids already judged in this vault by earlier invocations of the pass: not counted twice. */
  readonly seen?: ReadonlySet<string>;
}

export interface SurveyResult {
  /** Where the next invocation starts; undefined once the last page was listed. */
  readonly marker: string | undefined;
  readonly pages: number;
  readonly scanned: number;
  readonly duplicates: number;
  readonly candidates: Candidate[];
  readonly anomalies: AnomalyEntry[];
}

const roundHours = (ms: number): number => Math.round(ms / 360_000) / 10;

/**
 * The listing, judging and measuring half of a run ("plan step") for one vault, from a marker until
 * the budget: lists pages, judges each upload with the single-account rules (abort intent: fleet
 * eligibility), measures stale ones (ListParts, within max-list-parts) and, with quiet-period, reads
 * and writes their history. Aborts nothing: Select and Act do, for the whole run.
 */
export async function surveyVault(input: SurveyInput): Promise<SurveyResult> {
  const { api, vault, clock } = input;
  const policy = { olderThanMs: vault.olderThan.ms, action: 'abort' as const, exclude: input.exclude };
  const limit = createLimiter(input.measureConcurrency);
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const anomalies: AnomalyEntry[] = [];
  const work: Promise<void>[] = [];
  let measured = 0;
  let scanned = 0;
  let duplicates = 0;
  let pages = 0;
  let marker = input.startMarker;

  const measure = async (uploadId: string): Promise<PartsFingerprint | undefined> => {
    if (measured >= input.maxListParts) return undefined;
    measured += 1;
    try {
      return await measureUpload(api, vault.name, uploadId);
    } catch {
      return undefined;
    }
  };

  const judgeStale = async (
    base: Omit<Candidate, 'bytesUploaded' | 'partCount' | 'fingerprint' | 'verdict'>,
  ) => {
    const observed = await measure(base.uploadId);
    const measuredFields = {
      bytesUploaded: observed?.bytes ?? null,
      partCount: observed?.partCount ?? null,
      fingerprint: observed?.fingerprint ?? null,
    };
    const check = input.activity;
    if (check === undefined) {
      candidates.push({ ...base, ...measuredFields, verdict: 'eligible' });
      return;
    }
    const key = stateKey(check.account, check.region, vault.name, base.uploadId);
    let verdict: ReturnType<typeof judgeActivity>;
    try {
      const stored = observed === undefined ? undefined : await check.state.get(key);
      const now = clock();
      verdict = judgeActivity(stored, observed, check.quietPeriodMs, now, check.runId);
      if (observed !== undefined)
        await check.state.put(key, nextHistory(stored, observed, now, check.runId), stored);
    } catch (error) {
      const now = clock();
      verdict = {
        idle: false,
        eligibleAt: now + check.quietPeriodMs,
        reason: `history could not be read or written: ${errorSummary(error)}`,
      };
    }
    candidates.push(
      verdict.idle
        ? { ...base, ...measuredFields, verdict: 'eligible' }
        : {
            ...base,
            ...measuredFields,
            verdict: 'pending',
            eligibleAt: new Date(verdict.eligibleAt).toISOString(),
            reason: verdict.reason,
          },
    );
  };

  while (pages < input.maxPages && clock() < input.deadline) {
    const sent = marker;
    const page = await api.listUploadsPage(vault.name, sent);
    pages += 1;
    const now = clock();
    for (const upload of page.uploads) {
      if (upload.uploadId !== '') {
        if (seen.has(upload.uploadId) || input.seen?.has(upload.uploadId)) {
          duplicates += 1;
          continue;
        }
        seen.add(upload.uploadId);
      }
      scanned += 1;
      const verdict = judgeUpload(upload, policy, now);
      const description = (upload.description ?? '').slice(0, MAX_DESCRIPTION_CHARS);
      if (verdict.kind === 'anomaly') {
        anomalies.push({ uploadId: upload.uploadId, createdAt: upload.createdAt ?? null, description });
        continue;
      }
      if (verdict.kind === 'fresh') continue;
      const base = {
        uploadId: upload.uploadId,
        createdAt: upload.createdAt as string,
        createdMs: verdict.createdMs,
        ageHours: roundHours(verdict.ageMs),
        description,
        partSizeBytes: upload.partSizeBytes ?? null,
      };
      if (verdict.intent === 'skip') {
        candidates.push({
          ...base,
          bytesUploaded: null,
          partCount: null,
          fingerprint: null,
          verdict: 'skipped',
          reason: 'matched exclude',
        });
      } else {
        work.push(limit(() => judgeStale(base)));
      }
    }
    if (markerStuck(sent, page.marker)) throw stuckMarkerError('ListMultipartUploads', sent ?? '');
    marker = page.marker;
    if (marker === undefined) break;
  }
  await Promise.all(work);
  candidates.sort((a, b) => a.createdMs - b.createdMs || (a.uploadId < b.uploadId ? -1 : 1));
  return { marker, pages, scanned, duplicates, candidates, anomalies };
}
