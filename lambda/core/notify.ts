import type { Notify, SweepReport } from './types';

/**
 * `findings` publishes when something needs a person: stale uploads, failed aborts, vault errors,
 * anomalies, or a run that did not finish. `always` publishes every run.
 */
export function shouldNotify(report: SweepReport, notify: Notify): boolean {
  if (notify === 'always') return true;
  const { totals } = report;
  return (
    totals.stale > 0 ||
    totals.failed > 0 ||
    totals.vaultErrors > 0 ||
    totals.anomalies > 0 ||
    !report.complete
  );
}

/**
 * When to stop starting new work: late enough to use the invocation, early enough that in-flight
 * requests (bounded by the SDK's request timeout) and the publish with its retries still fit.
 */
export function deadlineFor(now: number, remainingMs: number): number {
  const margin = Math.min(90_000, Math.max(2_000, remainingMs * 0.2));
  return now + remainingMs - margin;
}

/**
 * When to cancel Glacier requests still in flight, in ms from now. The deadline stops new work, but a
 * request started just before it may retry for up to attempts × request timeout; cancelling it keeps
 * the publish (with its own retries) inside the invocation. The reserve is at most 30 s.
 */
export function hardStopAfter(remainingMs: number): number {
  const reserve = Math.min(30_000, Math.max(1_000, remainingMs * 0.1));
  // AbortSignal.timeout takes whole milliseconds only: a fraction throws a RangeError.
  return Math.max(0, Math.floor(remainingMs - reserve));
}
