import { MAX_THRESHOLD_MS, MIN_THRESHOLD_MS } from './defaults';

/** A threshold as the operator wrote it (`7d`) and in milliseconds. */
export interface Duration {
  readonly text: string;
  readonly ms: number;
}

const UNIT_MS = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const DURATION_RE = /^([0-9]{1,7})([mhdw])$/;

/**
 * Parses `36h`, `7d`, `2w`… Returns an error message (not a throw) so callers can name the parameter
 * the value came from.
 */
export function parseDuration(raw: string): Duration | { error: string } {
  const text = raw.trim();
  const match = DURATION_RE.exec(text);
  if (!match) {
    return { error: 'expected a whole number and a unit m, h, d or w (for example 36h, 7d, 2w)' };
  }
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  const ms = Number(amount) * UNIT_MS[unit];
  if (ms < MIN_THRESHOLD_MS) {
    return {
      error: 'must be at least 24h',
    };
  }
  if (ms > MAX_THRESHOLD_MS) {
    return { error: 'must be at most 3650d' };
  }
  return { text, ms };
}

export function isDurationError(value: Duration | { error: string }): value is { error: string } {
  return 'error' in value;
}

/** `40d 2h`, `5h 3m`, `12m`: the age column of the email. */
export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  return `${mins}m`;
}
