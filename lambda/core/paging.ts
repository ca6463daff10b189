/**
 * The markers one paged listing (one marker chain) has sent, to stop it when an answer hands back a
 * marker it has sent already: the very one it was asked with, or one from further back (A → B → A).
 * Following it would list the same pages again and again, forever without a deadline (the CLI) and
 * until the deadline with one, so the chain stops there with `repeatedMarkerError`.
 *
 * Memory: one string per page listed (a vault of 1,000 pages holds 1,000 markers), for as long as the
 * listing lasts.
 */
export class MarkerChain {
  readonly #sent = new Set<string>();

  /** `startMarker`: where a resumed chain starts; it counts as sent. */
  constructor(
    private readonly operation: string,
    startMarker?: string,
  ) {
    if (startMarker !== undefined) this.#sent.add(startMarker);
  }

  /** True when `received` is a marker this chain has sent already. The last page (undefined) never is. */
  repeats(received: string | undefined): boolean {
    return received !== undefined && this.#sent.has(received);
  }

  /**
   * The marker to send next: `received` (undefined at the last page), counted as sent from now on.
   * Throws `repeatedMarkerError` when the chain has sent it already.
   */
  follow(received: string | undefined): string | undefined {
    if (this.repeats(received)) throw repeatedMarkerError(this.operation, received ?? '');
    if (received !== undefined) this.#sent.add(received);
    return received;
  }

  /** The error to stop with when `repeats(marker)`, for a caller that has more to do before it throws. */
  repeatedError(marker: string): Error {
    return repeatedMarkerError(this.operation, marker);
  }
}

/**
 * The marker is Glacier's (or the Organization's) text: cut to 40 characters here, cleaned where the
 * message is shown (the report, the email, the log lines), as every error message is.
 */
export function repeatedMarkerError(operation: string, marker: string): Error {
  return new Error(
    `${operation} repeated a marker it was already given (${marker.slice(0, 40)}); listing stopped`,
  );
}
