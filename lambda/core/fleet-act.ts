import { fingerprintParts } from './activity';
import { judgeUpload } from './decide';
import { errorSummary } from './errors';
import type { Pick, PickOutcome } from './fleet-types';
import type { Pattern } from './pattern';
import type { Clock, Outcome, SweepSettings, UploadedPart, VaultApi } from './types';

const NOT_FOUND = 'ResourceNotFoundException';
const isNotFound = (error: unknown): boolean => error instanceof Error && error.name === NOT_FOUND;

/** Where Act writes abort intents before it sends the abort: a retried Act reads them back. */
export interface IntentLog {
  has(pick: Pick): boolean;
  record(pick: Pick): Promise<void>;
}

export interface ActInput {
  readonly api: VaultApi;
  readonly picks: readonly Pick[];
  /** The settings as they are now: Act re-reads them (the kill switch, exclude, thresholds). */
  readonly settings: SweepSettings;
  /** Why nothing may be aborted here (action switched to report, account outside abort-accounts), if so. */
  readonly reportOnly: string | undefined;
  readonly clock: Clock;
  readonly deadline: number;
  readonly intents: IntentLog;
  readonly onAbortStarting?: (pick: Pick) => void;
}

export interface ActResult {
  readonly outcomes: PickOutcome[];
  /** Picks not reached before the deadline: the next invocation starts with them. */
  readonly remaining: number;
  /** Vaults found gone: a vault error each, not one `gone` per pick. */
  readonly goneVaults: string[];
}

interface Observed {
  readonly createdAt: string | undefined;
  readonly description: string | undefined;
  readonly parts: UploadedPart[];
}

async function listAllParts(api: VaultApi, vault: string, uploadId: string): Promise<Observed> {
  const parts: UploadedPart[] = [];
  let marker: string | undefined;
  let first: { createdAt: string | undefined; description: string | undefined } | undefined;
  do {
    const page = await api.listPartsPage(vault, uploadId, marker);
    first ??= { createdAt: page.createdAt, description: page.description };
    parts.push(...page.parts);
    if (page.marker !== undefined && page.marker === marker) throw new Error('ListParts repeated its marker');
    marker = page.marker;
  } while (marker !== undefined);
  return { createdAt: first?.createdAt, description: first?.description, parts };
}

function thresholdOf(settings: SweepSettings, vault: string): number | undefined {
  if (settings.vaults === '*') return settings.olderThan.ms;
  return settings.vaults.find((v) => v.name === vault)?.olderThan.ms;
}

/**
 * Carries out one target's picks, in order, with re-checks: each pick is listed again (ListParts)
 * and aborted only if it is still stale under the current threshold, its description still not
 * excluded, and (with quiet-period) its parts fingerprint unchanged since Survey. The intent is
 * written before the abort, so a retried Act counts an upload it already aborted as `aborted`.
 */
export async function actOnPicks(input: ActInput): Promise<ActResult> {
  const { api, settings } = input;
  const outcomes: PickOutcome[] = [];
  const goneVaults = new Set<string>();
  const checkedVaults = new Set<string>();
  const exclude: Pattern | undefined = settings.exclude;
  let index = 0;
  const settle = (pick: Pick, outcome: Outcome, reason?: string) =>
    outcomes.push({ vault: pick.vault, uploadId: pick.uploadId, outcome, ...(reason ? { reason } : {}) });

  for (; index < input.picks.length; index++) {
    const pick = input.picks[index] as Pick;
    if (input.clock() >= input.deadline) break;
    if (input.reportOnly !== undefined) {
      settle(pick, 'reported', input.reportOnly);
      continue;
    }
    if (goneVaults.has(pick.vault)) {
      settle(pick, 'reported', 'the vault no longer exists');
      continue;
    }
    const olderThanMs = thresholdOf(settings, pick.vault);
    if (olderThanMs === undefined) {
      settle(pick, 'reported', 'the vault is no longer configured');
      continue;
    }
    let observed: Observed;
    try {
      observed = await listAllParts(api, pick.vault, pick.uploadId);
    } catch (error) {
      if (!isNotFound(error)) {
        settle(pick, 'reported', `could not be checked again before its abort: ${errorSummary(error)}`);
        continue;
      }
      // Not found: the upload, or the whole vault? One listing of the vault tells them apart.
      if (!checkedVaults.has(pick.vault)) {
        checkedVaults.add(pick.vault);
        try {
          await api.listUploadsPage(pick.vault, undefined);
        } catch (vaultError) {
          if (isNotFound(vaultError)) {
            goneVaults.add(pick.vault);
            settle(pick, 'reported', 'the vault no longer exists');
            continue;
          }
        }
      }
      settle(pick, input.intents.has(pick) ? 'aborted' : 'gone');
      continue;
    }
    checkedVaults.add(pick.vault);
    const now = input.clock();
    const verdict = judgeUpload(
      {
        uploadId: pick.uploadId,
        createdAt: observed.createdAt ?? pick.createdAt,
        description: observed.description,
        partSizeBytes: undefined,
      },
      { olderThanMs, action: 'abort', exclude },
      now,
    );
    if (verdict.kind !== 'stale') {
      settle(pick, 'reported', 'no longer stale when checked again');
      continue;
    }
    if (verdict.intent === 'skip') {
      settle(pick, 'skipped', 'matched exclude when checked again');
      continue;
    }
    if (settings.quietPeriod !== undefined) {
      let fingerprint: string | undefined;
      try {
        fingerprint = fingerprintParts(observed.parts).fingerprint;
      } catch {
        fingerprint = undefined;
      }
      if (pick.fingerprint === null || fingerprint !== pick.fingerprint) {
        outcomes.push({
          vault: pick.vault,
          uploadId: pick.uploadId,
          outcome: 'pending',
          reason: 'its parts changed between Survey and Act',
          eligibleAt: new Date(now + settings.quietPeriod.ms).toISOString(),
        });
        continue;
      }
    }
    // An intent logged by an earlier attempt of this Act means the upload may be gone by our hand.
    const loggedBefore = input.intents.has(pick);
    input.onAbortStarting?.(pick);
    await input.intents.record(pick);
    try {
      const result = await api.abortUpload(pick.vault, pick.uploadId);
      settle(pick, result === 'gone' && loggedBefore ? 'aborted' : result);
    } catch (error) {
      settle(pick, 'failed', errorSummary(error));
    }
  }
  return { outcomes, remaining: input.picks.length - index, goneVaults: [...goneVaults] };
}
