/**
 * How the core turns errors into words. Messages reach the email, the report and the log, so they are
 * short, single-line, and never the whole error object (which may carry request metadata).
 */

/** A short, single-line message for a report; never the whole error object. */
export function errorSummary(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const text = `${name}: ${message}`.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/**
 * A request cancelled through its abort signal (the SDK and fetch both name it AbortError): the run is
 * out of time, nothing is broken.
 */
export const isCancellation = (error: unknown): boolean =>
  error instanceof Error && error.name === 'AbortError';

/** Glacier's answer for a vault or an upload that does not exist. */
export const isNotFound = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ResourceNotFoundException';
