import { judgeUpload, type UploadPolicy } from './decide';
import { GLACIER_MAX_DESCRIPTION_CHARS } from './defaults';
import { errorSummary, isCancellation } from './errors';
import { MarkerChain } from './paging';
import type { Pattern } from './pattern';
import type { Candidate } from './plan';
import type { AnomalyEntry, Clock, Upload, UploadPage, VaultApi, VaultTarget } from './types';

/** A stale upload as listed and judged: what the report shows of it, and what the plan needs. */
export interface StaleFound {
  readonly uploadId: string;
  readonly createdAt: string;
  readonly createdMs: number;
  readonly ageHours: number;
  readonly description: string;
  readonly partSizeBytes: number | null;
  /** Matched `exclude`: never measured, never aborted. */
  readonly excluded: boolean;
}

/** What listing one vault (or one stretch of its marker chain) found. Plain data. */
export interface VaultSurvey {
  readonly vault: string;
  readonly olderThan: string;
  /** Uploads listed: each distinct upload id once, plus every entry without an id. */
  readonly scanned: number;
  /** Entries that repeated an id already listed: not counted, judged or aborted again. */
  readonly duplicates: number;
  readonly stale: StaleFound[];
  readonly anomalies: AnomalyEntry[];
  /** The listing reached the last page. */
  readonly complete: boolean;
  /** The listing stopped for time (the listing deadline, or the hard stop): not an error. */
  readonly outOfTime: boolean;
  readonly error: string | null;
  /** Where listing stopped (time or error): pass it back as `startMarker` to go on. */
  readonly nextMarker: string | undefined;
  /** Pages listed. */
  readonly pages: number;
  /**
   * Only when Glacier refused `startMarker` itself (InvalidParameterValueException on the first
   * request of a resumed listing): the chain cannot go on from there.
   */
  readonly markerRejected?: true;
  /** The vault is tagged `glacier-sweeper=skip`: nothing was listed or touched. */
  readonly skippedByTag?: true;
}

/** Structured events while listing; the core never logs by itself. */
export interface SurveyObserver {
  pageListed?(event: { vault: string; uploads: number }): void;
  anomaly?(event: AnomalyEntry & { vault: string; reason: string }): void;
}

export interface SurveyVaultInput {
  readonly api: VaultApi;
  readonly vault: VaultTarget;
  readonly exclude: Pattern | undefined;
  readonly clock: Clock;
  /** No page request starts at or after this (epoch ms). */
  readonly deadline: number;
  /** Resume point from an earlier survey; undefined starts at the first page. */
  readonly startMarker?: string | undefined;
  readonly observer?: SurveyObserver | undefined;
  /** Called with each page's stale uploads as soon as they are judged (work may start on them). */
  readonly onStale?: ((found: readonly StaleFound[]) => void) | undefined;
  /** Most pages to list (fleet mode's page budget); the rest of the chain is left for `nextMarker`. */
  readonly maxPages?: number | undefined;
  /**
   * The upload ids listed so far in this vault (fleet mode: by earlier invocations); the survey adds
   * every id it lists. An id already in it is a duplicate: not counted, judged or aborted again.
   */
  readonly seen?: Set<string> | undefined;
}

const roundHours = (ms: number): number => Math.round(ms / 360_000) / 10;

/**
 * Lists one vault from `startMarker` until the last page, an error, or `deadline`, and judges every
 * upload. Sends nothing but ListMultipartUploads: what to do with the stale uploads is the plan's.
 * The next page is requested before this one is judged, so judging (and logging) overlaps the round
 * trip of a chain that cannot otherwise be parallelised.
 */
export async function surveyVault(input: SurveyVaultInput): Promise<VaultSurvey> {
  const { api, vault, clock, observer, deadline } = input;
  const judge = pageJudge(input);
  let marker = input.startMarker;
  // Every marker this listing has sent: an answer repeating one (A → B → A) would list pages again.
  const chain = new MarkerChain('ListMultipartUploads', marker);
  let complete = false;
  let outOfTime = false;
  let error: string | null = null;
  let pages = 0;
  let markerRejected = false;
  const maxPages = input.maxPages ?? Number.POSITIVE_INFINITY;
  const request = (from: string | undefined): Promise<UploadPage> => {
    const pending = api.listUploadsPage(vault.name, from);
    // Awaited on the next turn of the loop; this only keeps an abandoned one from going unhandled.
    pending.catch(() => undefined);
    return pending;
  };
  try {
    let inFlight = clock() < deadline ? request(marker) : undefined;
    while (inFlight !== undefined) {
      const page = await inFlight;
      inFlight = undefined;
      pages += 1;
      observer?.pageListed?.({ vault: vault.name, uploads: page.uploads.length });
      // Judged before the error is thrown: the page is new, only its marker leads back.
      const repeated = chain.repeats(page.marker);
      if (!repeated) {
        marker = chain.follow(page.marker);
        if (marker !== undefined && clock() < deadline && pages < maxPages) inFlight = request(marker);
      }
      judge.page(page.uploads);
      if (repeated) throw chain.repeatedError(page.marker ?? '');
      if (marker === undefined) complete = true;
    }
    outOfTime = !complete;
  } catch (listError) {
    // The invocation's hard stop cancelled the request: the vault is unfinished (time budget), not broken.
    if (isCancellation(listError)) outOfTime = true;
    else error = errorSummary(listError);
    markerRejected =
      pages === 0 &&
      input.startMarker !== undefined &&
      listError instanceof Error &&
      listError.name === 'InvalidParameterValueException';
  }
  return {
    vault: vault.name,
    olderThan: vault.olderThan.text,
    ...judge.counts,
    stale: judge.stale,
    anomalies: judge.anomalies,
    complete,
    outOfTime,
    error,
    nextMarker: complete ? undefined : marker,
    pages,
    ...(markerRejected ? { markerRejected: true as const } : {}),
  };
}

/** Counts, judges and files each listed upload of one vault. */
function pageJudge(input: SurveyVaultInput) {
  const { vault, clock, observer } = input;
  // Report mode here: the survey only sorts stale from fresh; what to do is decided by the plan.
  const policy: UploadPolicy = { olderThanMs: vault.olderThan.ms, action: 'report', exclude: input.exclude };
  // Every id listed so far, fresh ones too: a repeated entry is counted, judged and aborted once.
  const seen = input.seen ?? new Set<string>();
  const counts = { scanned: 0, duplicates: 0 };
  const stale: StaleFound[] = [];
  const anomalies: AnomalyEntry[] = [];

  const page = (uploads: readonly Upload[]): void => {
    const now = clock();
    const first = stale.length;
    for (const upload of uploads) {
      // The same id twice (on two pages, or on one) is one upload; entries without an id are each their
      // own, since nothing tells them apart. The first entry of an id is the one judged.
      if (upload.uploadId !== '') {
        if (seen.has(upload.uploadId)) {
          counts.duplicates += 1;
          continue;
        }
        seen.add(upload.uploadId);
      }
      counts.scanned += 1;
      const verdict = judgeUpload(upload, policy, now);
      const description = (upload.description ?? '').slice(0, GLACIER_MAX_DESCRIPTION_CHARS);
      if (verdict.kind === 'anomaly') {
        const entry: AnomalyEntry = {
          uploadId: upload.uploadId,
          createdAt: upload.createdAt ?? null,
          description,
        };
        anomalies.push(entry);
        observer?.anomaly?.({ ...entry, vault: vault.name, reason: verdict.reason });
        continue;
      }
      if (verdict.kind === 'fresh') continue;
      stale.push({
        uploadId: upload.uploadId,
        createdAt: upload.createdAt as string,
        createdMs: verdict.createdMs,
        ageHours: roundHours(verdict.ageMs),
        description,
        partSizeBytes: upload.partSizeBytes ?? null,
        excluded: verdict.intent === 'skip',
      });
    }
    if (stale.length > first) input.onStale?.(stale.slice(first));
  };
  return { page, counts, stale, anomalies };
}

/** The stale uploads of the surveys as the plan takes them. */
export const candidatesOf = (surveys: readonly VaultSurvey[]): Candidate[] =>
  surveys.flatMap((survey) =>
    survey.stale.map((found) => ({
      vault: survey.vault,
      uploadId: found.uploadId,
      createdMs: found.createdMs,
      excluded: found.excluded,
    })),
  );
