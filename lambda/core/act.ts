import { listUploadParts, nextHistory, type PartsFingerprint, type PartsListing, stateKey } from './activity';
import { judgeUpload } from './decide';
import { errorSummary, isCancellation, isNotFound } from './errors';
import { runScheduled, type ScheduleLimits } from './limit';
import { CANCELLED_WHILE_MEASURING, type MeasurePorts, type QuietPeriod } from './measure';
import type { Pattern } from './pattern';
import type { Judged, UploadRef } from './plan';

/**
 * Carrying out the abort half of a plan. Time passes between planning and acting (and, in fleet mode,
 * whole Step Functions states), so each pick is checked again right before its abort: the deadline,
 * `max-aborts`, and with `quiet-period` its parts when they were measured a while ago.
 */

/**
 * With `quiet-period`, a pick whose parts were listed longer ago than this is listed again before its
 * abort, and kept (`pending`) if they changed. Five minutes: far below the shortest quiet period (24 h),
 * so an upload that was idle for a day and stays unchanged over the window is no less idle, while a
 * single-account run (planning and acting within one invocation, minutes apart at most) re-lists
 * nothing and the fleet, whose Act state may run long after its Survey, re-lists every pick.
 */
export const REMEASURE_AFTER_MS = 5 * 60_000;

export interface ActInput {
  /** The plan's picks, oldest first. */
  readonly picks: readonly Judged[];
  /** `max-aborts` left for these picks: no more abort requests than this start. */
  readonly maxAborts: number;
  /** No abort starts at or after this (epoch ms). */
  readonly deadline: number;
  readonly limits: ScheduleLimits;
  readonly quietPeriod?: QuietPeriod | undefined;
  /** @default REMEASURE_AFTER_MS */
  readonly remeasureAfterMs?: number | undefined;
  /** Check every pick again under the settings as they are now (fleet mode's Act); see {@link Recheck}. */
  readonly recheck?: Recheck | undefined;
}

/**
 * Fleet mode's Act runs long after its Survey, and reads the settings again first. With these rules
 * every pick is listed again (ListParts) right before its abort, however recently it was measured,
 * and is aborted only if it is still stale under its vault's threshold now and its description still
 * escapes `exclude` (and, with `quiet-period`, its parts are unchanged). An upload found gone is
 * `gone` (`aborted` when `intents` logged an abort of it before); a vault found gone keeps its picks
 * `reported`, each marked `vaultGone`, and is listed once to tell.
 */
export interface Recheck {
  /** The vault's threshold as the settings say now; undefined when the vault is no longer configured. */
  olderThanMs(vault: string): number | undefined;
  readonly exclude: Pattern | undefined;
}

/** Abort intents kept outside the invocation: a retried Act knows which uploads it may have aborted. */
export interface IntentLog {
  has(upload: UploadRef): boolean;
  /** Resolves once the intent is stored; the abort is sent only after. */
  record(upload: UploadRef): Promise<void>;
}

export interface ActPorts extends MeasurePorts {
  readonly observer?: ActObserver | undefined;
  /** Given: each abort's intent is recorded before the abort is sent, or the abort is not sent. */
  readonly intents?: IntentLog | undefined;
}

export interface ActObserver {
  /** Called just before an abort request is sent: the audit trail records intent before effect. */
  abortStarting?(event: { vault: string; uploadId: string; createdMs: number }): void;
  /** Called when a pick's outcome is final. */
  settled?(outcome: ActOutcome): void;
  warning?(event: { vault: string; uploadId: string; message: string }): void;
}

/** What became of one pick. Plain data. */
export interface ActOutcome {
  readonly vault: string;
  readonly uploadId: string;
  /** `skipped` only with `recheck`: the description matched `exclude` when checked again. */
  readonly outcome: 'aborted' | 'gone' | 'failed' | 'reported' | 'pending' | 'skipped';
  /** Why it was not aborted, or why the abort failed. */
  readonly reason?: string | undefined;
  /** Only with `recheck`: the pick's vault no longer exists (a vault error, not a `gone` upload). */
  readonly vaultGone?: true | undefined;
  /** Epoch ms; set for `pending`. */
  readonly eligibleAt?: number | undefined;
  /** Set when the parts were listed again before the abort: what that listing showed. */
  readonly parts?: PartsFingerprint | undefined;
}

export const TIME_BEFORE_ABORT = 'time budget ran out before its abort';
export const MAX_ABORTS_REACHED = 'max-aborts reached';
export const VAULT_GONE = 'the vault no longer exists';
export const VAULT_NOT_CONFIGURED = 'the vault is no longer configured';
export const NO_LONGER_STALE = 'no longer stale when checked again';
export const EXCLUDED_NOW = 'matched exclude when checked again';
export const PARTS_CHANGED = 'parts changed since they were measured in this run';

/**
 * Aborts the picks, oldest first, with bounded concurrency (in total and per vault). Never throws: a
 * failed abort is an outcome. Picks that are not aborted say why.
 */
export async function act(input: ActInput, ports: ActPorts): Promise<ActOutcome[]> {
  let started = 0;
  const takeAbort = (): boolean => {
    if (started >= input.maxAborts) return false;
    started += 1;
    return true;
  };
  const vaults = vaultChecker(ports);
  return runScheduled(
    input.picks,
    input.limits,
    (pick) => pick.vault,
    async (pick) => {
      const outcome = await actOn(pick, input, ports, takeAbort, vaults);
      ports.observer?.settled?.(outcome);
      return outcome;
    },
  );
}

async function actOn(
  pick: Judged,
  input: ActInput,
  ports: ActPorts,
  takeAbort: () => boolean,
  vaults: VaultChecker,
): Promise<ActOutcome> {
  const { api, clock, observer, intents } = ports;
  const { vault, uploadId } = pick;
  const kept = (reason: string): ActOutcome => ({ vault, uploadId, outcome: 'reported', reason });
  if (clock() >= input.deadline) return kept(TIME_BEFORE_ABORT);
  let parts: PartsFingerprint | undefined;
  if (input.recheck !== undefined || input.quietPeriod !== undefined) {
    const recheck = await checkAgain(pick, input, ports, vaults);
    if (recheck.kind === 'keep') return recheck.outcome;
    parts = recheck.parts;
    // Listing the parts again took time: the clock is read again right before the abort.
    if (clock() >= input.deadline) return { ...kept(TIME_BEFORE_ABORT), parts };
  }
  if (!takeAbort()) return { ...kept(MAX_ABORTS_REACHED), parts };
  // An intent logged by an earlier attempt means the upload may be gone by this run's own hand.
  const loggedBefore = intents?.has(pick) ?? false;
  try {
    await intents?.record(pick);
  } catch (error) {
    return { ...kept(`its abort intent could not be recorded: ${errorSummary(error)}`), parts };
  }
  observer?.abortStarting?.({ vault, uploadId, createdMs: pick.createdMs });
  let outcome: 'aborted' | 'gone';
  try {
    outcome = await api.abortUpload(vault, uploadId);
  } catch (error) {
    return { vault, uploadId, outcome: 'failed', reason: errorSummary(error), parts };
  }
  if (input.quietPeriod !== undefined) await forget(pick, input.quietPeriod, ports);
  return { vault, uploadId, outcome: outcome === 'gone' && loggedBefore ? 'aborted' : outcome, parts };
}

type Checked = { kind: 'keep'; outcome: ActOutcome } | { kind: 'go'; parts: PartsFingerprint | undefined };

/** Whether a vault still exists, asked once per vault per `act` (one page of its uploads tells). */
interface VaultChecker {
  exists(vault: string): Promise<boolean>;
  /** Already found gone: its other picks need no request to tell. */
  knownGone(vault: string): boolean;
}

function vaultChecker(ports: ActPorts): VaultChecker {
  const asked = new Map<string, Promise<boolean>>();
  const gone = new Set<string>();
  return {
    exists: (vault) => {
      let exists = asked.get(vault);
      if (exists === undefined) {
        exists = ports.api.listUploadsPage(vault, undefined).then(
          () => true,
          // Only "not found" says the vault is gone; any other failure leaves it standing.
          (error: unknown) => {
            if (!isNotFound(error)) return true;
            gone.add(vault);
            return false;
          },
        );
        asked.set(vault, exists);
      }
      return exists;
    },
    knownGone: (vault) => gone.has(vault),
  };
}

/**
 * The checks right before an abort. With `quiet-period`, a pick measured more than `remeasureAfterMs`
 * ago is measured again, and new or re-sent parts since then mean someone is uploading: the pick is
 * kept, and its history records the change so that the quiet period starts again. With `recheck`,
 * every pick is listed again and judged again under the current settings first.
 */
async function checkAgain(
  pick: Judged,
  input: ActInput,
  ports: ActPorts,
  vaults: VaultChecker,
): Promise<Checked> {
  const { vault, uploadId } = pick;
  const { clock } = ports;
  const { recheck, quietPeriod: quiet } = input;
  const keep = (outcome: Omit<ActOutcome, 'vault' | 'uploadId'>): Checked => ({
    kind: 'keep',
    outcome: { vault, uploadId, ...outcome },
  });
  const notNow = (reason: string, parts?: PartsFingerprint): Checked =>
    quiet === undefined
      ? keep({ outcome: 'reported', reason, parts })
      : keep({ outcome: 'pending', reason, eligibleAt: clock() + quiet.quietPeriodMs, parts });
  const vaultGone = (): Checked => keep({ outcome: 'reported', reason: VAULT_GONE, vaultGone: true });
  if (vaults.knownGone(vault)) return vaultGone();
  const olderThanMs = recheck?.olderThanMs(vault);
  if (recheck !== undefined && olderThanMs === undefined)
    return keep({ outcome: 'reported', reason: VAULT_NOT_CONFIGURED });
  const window = input.remeasureAfterMs ?? REMEASURE_AFTER_MS;
  const measuredRecently =
    pick.parts !== undefined && pick.measuredAt !== undefined && clock() - pick.measuredAt <= window;
  if (recheck === undefined && measuredRecently) return { kind: 'go', parts: undefined };

  let listed: PartsListing;
  try {
    listed = await listUploadParts(ports.api, vault, uploadId);
  } catch (error) {
    if (isCancellation(error)) return notNow(CANCELLED_WHILE_MEASURING);
    if (isNotFound(error)) {
      // Not found: the upload, or the whole vault? One listing of the vault tells them apart.
      if (!(await vaults.exists(vault))) return vaultGone();
      // The upload is gone (by this run's hand, when its intent was logged before): so is its history.
      if (quiet !== undefined) await forget(pick, quiet, ports);
      return keep({ outcome: ports.intents?.has(pick) ? 'aborted' : 'gone' });
    }
    return notNow(`parts could not be listed again before its abort: ${errorSummary(error)}`);
  }
  const { parts } = listed;
  if (recheck !== undefined && olderThanMs !== undefined) {
    const verdict = judgeUpload(
      {
        uploadId,
        createdAt: listed.createdAt ?? new Date(pick.createdMs).toISOString(),
        description: listed.description,
        partSizeBytes: undefined,
      },
      { olderThanMs, action: 'abort', exclude: recheck.exclude },
      clock(),
    );
    if (verdict.kind !== 'stale') return keep({ outcome: 'reported', reason: NO_LONGER_STALE, parts });
    if (verdict.intent === 'skip') return keep({ outcome: 'skipped', reason: EXCLUDED_NOW, parts });
  }
  if (quiet === undefined || (pick.parts !== undefined && parts.fingerprint === pick.parts.fingerprint))
    return { kind: 'go', parts };
  if (ports.state !== undefined) {
    const key = stateKey(quiet.account, quiet.region, vault, uploadId);
    try {
      // A pick planned in another invocation (fleet mode) carries no history: the stored one is read.
      const previous = pick.history ?? (recheck === undefined ? undefined : await ports.state.get(key));
      await ports.state.put(key, nextHistory(previous, parts, clock(), quiet.runId), previous);
    } catch (error) {
      ports.observer?.warning?.({
        vault,
        uploadId,
        message: `state could not be written: ${errorSummary(error)}`,
      });
    }
  }
  return notNow(PARTS_CHANGED, parts);
}

/** An aborted upload's history is deleted: the id will never be listed again. */
async function forget(pick: Judged, quiet: QuietPeriod, ports: ActPorts): Promise<void> {
  if (ports.state === undefined) return;
  try {
    await ports.state.delete(stateKey(quiet.account, quiet.region, pick.vault, pick.uploadId));
  } catch (error) {
    ports.observer?.warning?.({
      vault: pick.vault,
      uploadId: pick.uploadId,
      message: `state could not be deleted: ${errorSummary(error)}`,
    });
  }
}
