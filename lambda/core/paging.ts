/**
 * True when a paged answer hands back the very marker it was asked with. Following it would page
 * forever (until the deadline), so every marker chain stops there with `stuckMarkerError`.
 */
export const markerStuck = (sent: string | undefined, received: string | undefined): boolean =>
  received !== undefined && received === sent;

export function stuckMarkerError(operation: string, marker: string): Error {
  return new Error(`${operation} returned the marker it was given (${marker.slice(0, 40)}); listing stopped`);
}
