import type { ServiceName } from './errors';

export type FaultKind = 'error' | 'throttle' | 'reset' | 'hang' | 'latency';

/** A fault aimed at matching requests; every field that is set must match. */
export interface FaultRule {
  service?: ServiceName;
  operation?: string;
  vault?: string;
  uploadId?: string;
  /** The account the call acts on (see RecordedRequest.accountId). */
  accountId?: string;
  /** The region the call was signed for. */
  region?: string;
  fault: FaultKind;
  /** HTTP status for `error` (default 500) or `throttle` (default: the service's own). */
  status?: number;
  /** Error code; defaults to the service's 5xx or throttling code. */
  code?: string;
  message?: string;
  /** Extra delay for `latency` rules. */
  latencyMs?: number;
  /** Applies to this many matching requests, then lapses. Unlimited when absent. */
  times?: number;
  /** Chance (0–1) that a matching request is hit; 1 when absent. Drawn from the seeded PRNG. */
  rate?: number;
}

export interface FaultOptions {
  /** Added to every request before it is answered. */
  latencyMs?: number;
  /** Uniform extra delay in [0, jitterMs). */
  jitterMs?: number;
  throttleRate?: number;
  /** Rate of 5xx answers (Glacier ServiceUnavailableException, SNS InternalError, SSM InternalServerError). */
  errorRate?: number;
  resetRate?: number;
  hangRate?: number;
  rules?: FaultRule[];
  /** Seed of the PRNG behind every rate, so a run can be replayed. */
  seed?: number;
}

export interface RequestTarget {
  service: ServiceName;
  operation: string;
  vault?: string | undefined;
  uploadId?: string | undefined;
  accountId?: string | undefined;
  region?: string | undefined;
}

export interface FaultDecision {
  kind: Exclude<FaultKind, 'latency'> | null;
  delayMs: number;
  status?: number | undefined;
  code?: string | undefined;
  message?: string | undefined;
}

/** mulberry32: tiny, fast and good enough to make fault runs reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(rule: FaultRule, target: RequestTarget): boolean {
  return (
    (rule.service === undefined || rule.service === target.service) &&
    (rule.operation === undefined || rule.operation === target.operation) &&
    (rule.vault === undefined || rule.vault === target.vault) &&
    (rule.uploadId === undefined || rule.uploadId === target.uploadId) &&
    (rule.accountId === undefined || rule.accountId === target.accountId) &&
    (rule.region === undefined || rule.region === target.region)
  );
}

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new RangeError(`fault option ${name} must be between 0 and 1, got ${value}`);
  }
}

export class FaultInjector {
  private options: FaultOptions = {};
  private rules: { rule: FaultRule; left: number }[] = [];
  private random: () => number = seededRandom(1);

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  /** Replaces the whole configuration and restarts the PRNG. */
  set(options: FaultOptions): void {
    for (const name of ['throttleRate', 'errorRate', 'resetRate', 'hangRate'] as const) {
      checkRate(name, options[name]);
    }
    for (const rule of options.rules ?? []) checkRate('rule.rate', rule.rate);
    this.options = { ...options };
    this.rules = (options.rules ?? []).map((rule) => ({ rule: { ...rule }, left: rule.times ?? Infinity }));
    this.random = seededRandom(options.seed ?? 1);
  }

  addRule(rule: FaultRule): void {
    checkRate('rule.rate', rule.rate);
    this.rules.push({ rule: { ...rule }, left: rule.times ?? Infinity });
  }

  /** The configuration with each rule's remaining `times`. */
  current(): FaultOptions {
    return {
      ...this.options,
      rules: this.rules.map(({ rule, left }) => (left === Infinity ? { ...rule } : { ...rule, times: left })),
    };
  }

  decide(target: RequestTarget): FaultDecision {
    const { latencyMs = 0, jitterMs = 0 } = this.options;
    let delayMs = latencyMs + (jitterMs > 0 ? Math.floor(this.random() * jitterMs) : 0);
    for (const entry of this.rules) {
      if (entry.left <= 0 || !matches(entry.rule, target)) continue;
      if (entry.rule.rate !== undefined && this.random() >= entry.rule.rate) continue;
      entry.left -= 1;
      const { fault, status, code, message } = entry.rule;
      if (fault === 'latency') {
        delayMs += entry.rule.latencyMs ?? 0;
        continue;
      }
      return { kind: fault, delayMs, status, code, message };
    }
    // One draw decides among the random faults so that their rates add up rather than shadow each other.
    const { throttleRate = 0, errorRate = 0, resetRate = 0, hangRate = 0 } = this.options;
    if (throttleRate + errorRate + resetRate + hangRate > 0) {
      const draw = this.random();
      let edge = throttleRate;
      if (draw < edge) return { kind: 'throttle', delayMs };
      edge += errorRate;
      if (draw < edge) return { kind: 'error', delayMs };
      edge += resetRate;
      if (draw < edge) return { kind: 'reset', delayMs };
      edge += hangRate;
      if (draw < edge) return { kind: 'hang', delayMs };
    }
    return { kind: null, delayMs };
  }
}
