import type { RetryPolicy } from '../lambda/adapters/clients';
/** Messages between bench/run.ts and its children, over the IPC channel of `fork`. */

export interface FaultSettings {
  latencyMs: number;
  throttleRate: number;
  /** Seed of the emulator's fault PRNG, so a throttled run can be replayed. */
  faultSeed: number;
}

/** Parent → emulator child. */
export type EmulatorCommand =
  | { type: 'reset'; faults: FaultSettings }
  | { type: 'summary' }
  | { type: 'stop' };

export interface RequestSummary {
  total: number;
  byOperation: Record<string, number>;
  /** ListMultipartUploads calls by vault. */
  listCallsByVault: Record<string, number>;
  abortCalls: number;
  /** Abort requests whose upload id had been sent before (retries included). */
  repeatedAborts: number;
  /** Answers the fault injector turned into throttling errors. */
  throttled: number;
  /** Answers with a status ≥ 400 (injected or not). */
  errors: number;
  /** In-progress uploads still in the emulator after the run. */
  uploadsLeft: number;
  /** Sum of the emulator's answer times of list calls (injected latency included). */
  listServerMs: number;
  /** CPU time of the emulator process since the last reset. */
  emulatorCpuMs: number;
}

/** Emulator child → parent. */
export type EmulatorReply =
  | { type: 'ready'; url: string; topicArn: string; uploads: number }
  | { type: 'reset-done'; uploads: number }
  | { type: 'summary'; summary: RequestSummary }
  | { type: 'error'; message: string };

/** What a sweeper child runs: the shipped handler, or the loop a user would write. */
export type SweeperKind =
  | { kind: 'handler'; retryPolicy: RetryPolicy }
  /** `measure`: list each stale upload's parts before aborting it, the sweeper's work done one at a time. */
  | { kind: 'baseline'; measure?: boolean }
  /** Loads the handler's modules and does nothing: the RSS floor of a sweeper child. */
  | { kind: 'idle' };

export interface SweeperJob {
  sweeper: SweeperKind;
  endpoint: string;
  topicArn: string;
  vaults: string[];
  action: 'report' | 'abort';
  olderThanDays: number;
  /** The invocation's time budget as `context.getRemainingTimeInMillis()` reports it at the start. */
  remainingMs: number;
}

export interface SweeperResult {
  wallMs: number;
  /** process.resourceUsage().maxRSS, in bytes. */
  peakRssBytes: number;
  /** CPU time of the sweeper process (user + system, all threads) during the run. */
  cpuMs: number;
  /** Time the sweeper's main thread was runnable but waiting for a core (/proc schedstat); -1 when unknown. */
  runQueueWaitMs: number;
  scanned: number;
  stale: number;
  aborted: number;
  failed: number;
  vaultErrors: number;
  complete: boolean;
  /** Set when the handler threw. */
  error?: string;
  /**
   * Handler runs: ms from the start of the run to the first log line with each message (`run planned`,
   * `aborting upload`, `run finished`), to see where planning ends and acting begins.
   */
  marks?: Record<string, number>;
}

export type SweeperReply = { type: 'result'; result: SweeperResult } | { type: 'error'; message: string };
