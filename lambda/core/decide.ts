import type { Pattern } from './pattern';
import type { Action, Upload } from './types';

/** What the sweep may do with the uploads of one vault. */
export interface UploadPolicy {
  readonly olderThanMs: number;
  readonly action: Action;
  readonly exclude: Pattern | undefined;
}

export type AnomalyReason = 'missing' | 'unparseable' | 'future' | 'no-upload-id';

/**
 * The verdict on one listed upload. `intent` is what the policy asks for; whether an abort actually
 * starts also depends on the run's abort budget and time budget (see `mayStartAbort`).
 */
export type Verdict =
  | { readonly kind: 'anomaly'; readonly reason: AnomalyReason }
  | { readonly kind: 'fresh'; readonly ageMs: number }
  | {
      readonly kind: 'stale';
      readonly ageMs: number;
      readonly createdMs: number;
      readonly intent: 'abort' | 'skip' | 'report';
    };

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Strict ISO-8601 with a zone. `Date.parse` alone is too lenient for a value that decides an abort:
 * it accepts `2026-02-31` (as March 3rd) and `24:00`, so components are checked after parsing.
 */
export function parseCreationDate(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** True when the exclude pattern matches the description (empty when null) or the upload id. */
export function isExcluded(upload: Upload, exclude: Pattern | undefined): boolean {
  if (exclude === undefined) return false;
  return exclude.test(upload.description ?? '') || exclude.test(upload.uploadId);
}

/**
 * The one decision of the sweeper, pure: given an upload, the vault's policy and the time, is it an
 * anomaly, fresh, or stale — and if stale, may it be aborted? An upload whose date cannot be trusted is
 * never stale, so it can never be aborted.
 */
export function judgeUpload(upload: Upload, policy: UploadPolicy, now: number): Verdict {
  // Without an id there is nothing to abort, and nothing to tell the operator apart from other uploads.
  if (upload.uploadId === '') return { kind: 'anomaly', reason: 'no-upload-id' };
  if (upload.createdAt === undefined || upload.createdAt === '')
    return { kind: 'anomaly', reason: 'missing' };
  const createdMs = parseCreationDate(upload.createdAt);
  if (createdMs === undefined) return { kind: 'anomaly', reason: 'unparseable' };
  if (createdMs > now) return { kind: 'anomaly', reason: 'future' };
  const ageMs = now - createdMs;
  if (ageMs < policy.olderThanMs) return { kind: 'fresh', ageMs };
  if (isExcluded(upload, policy.exclude)) return { kind: 'stale', ageMs, createdMs, intent: 'skip' };
  return { kind: 'stale', ageMs, createdMs, intent: policy.action === 'abort' ? 'abort' : 'report' };
}
