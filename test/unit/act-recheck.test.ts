import { describe, expect, it } from 'vitest';
import {
  type ActInput,
  act,
  EXCLUDED_NOW,
  type IntentLog,
  NO_LONGER_STALE,
  PARTS_CHANGED,
  VAULT_GONE,
  VAULT_NOT_CONFIGURED,
} from '../../lambda/core/act';
import { fingerprintParts } from '../../lambda/core/activity';
import { compilePattern, isPatternError, type Pattern } from '../../lambda/core/pattern';
import type { Judged, UploadRef } from '../../lambda/core/plan';
import type { PartsPage } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';

/** `act` with `recheck`: fleet mode's Act, which runs long after its Survey under settings read again. */

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const DAY = 86_400_000;
const SEVEN_DAYS = 7 * DAY;
const notFound = (message: string) =>
  Object.assign(new Error(message), { name: 'ResourceNotFoundException' });

/** Two picks of vault v, 30 and 40 days old, as Select hands them over (not measured just now). */
function setup() {
  const api = new FakeVaultApi().addVault('v', [
    uploadAged('old', 30, NOW, 'nightly'),
    uploadAged('older', 40, NOW, 'keep: hold'),
  ]);
  api.parts.set('old', [{ range: '0-1', treeHash: 'h' }]);
  api.parts.set('older', [{ range: '0-1', treeHash: 'h' }]);
  const picks: Judged[] = ['old', 'older'].map((uploadId, i) => ({
    vault: 'v',
    uploadId,
    createdMs: NOW - (30 + 10 * i) * DAY,
    excluded: false,
  }));
  const logged: string[] = [];
  const intents: IntentLog = {
    has: (upload) => logged.includes(upload.uploadId),
    record: async (upload) => {
      logged.push(upload.uploadId);
    },
  };
  return { api, picks, intents, logged };
}

/** ListParts of the fake answers with these descriptions, as Glacier's does. */
function describing(api: FakeVaultApi, descriptions: Record<string, string>): FakeVaultApi {
  const list = api.listPartsPage.bind(api);
  return Object.assign(api, {
    listPartsPage: async (
      vault: string,
      uploadId: string,
      marker: string | undefined,
    ): Promise<PartsPage> => ({
      ...(await list(vault, uploadId, marker)),
      description: descriptions[uploadId],
    }),
  });
}

const input = (picks: Judged[], over: Partial<ActInput> = {}): ActInput => ({
  picks,
  maxAborts: picks.length,
  deadline: NOW + 60_000,
  limits: { concurrency: 1, perKey: 1 },
  recheck: { olderThanMs: (vault) => (vault === 'v' ? SEVEN_DAYS : undefined), exclude: undefined },
  ...over,
});
const clock = () => NOW;
function keepPattern(): Pattern {
  const pattern = compilePattern('^keep:');
  if (isPatternError(pattern)) throw new Error(JSON.stringify(pattern));
  return pattern;
}
const rows = (outcomes: readonly { uploadId: string; outcome: string; reason?: string | undefined }[]) =>
  outcomes.map((o) => [o.uploadId, o.outcome, o.reason]);

describe('act with recheck', () => {
  it('lists every pick again, however recently measured, and records its intent before its abort', async () => {
    const { api, picks, intents, logged } = setup();
    const measured = picks.map((p) => ({ ...p, parts: fingerprintParts([]), measuredAt: NOW }));
    const order: string[] = [];
    const outcomes = await act(input(measured), {
      api,
      clock,
      intents: {
        has: intents.has,
        record: async (upload: UploadRef) => {
          order.push(`intent ${upload.uploadId}`);
          await intents.record(upload);
        },
      },
      observer: { abortStarting: ({ uploadId }) => order.push(`abort ${uploadId}`) },
    });
    expect(rows(outcomes)).toEqual([
      ['old', 'aborted', undefined],
      ['older', 'aborted', undefined],
    ]);
    expect(logged).toEqual(['old', 'older']);
    expect(order).toEqual(['intent old', 'abort old', 'intent older', 'abort older']);
    expect(api.calls.map((c) => c.op)).toEqual(['listParts', 'abort', 'listParts', 'abort']);
  });

  it('applies the threshold and exclude as they are now, to the date and description ListParts gives', async () => {
    const { api, picks, intents } = setup();
    const described = describing(api, { old: 'nightly', older: 'keep: hold' });
    const outcomes = await act(
      input(picks, {
        recheck: { olderThanMs: () => 35 * DAY, exclude: keepPattern() },
      }),
      { api: described, clock, intents },
    );
    expect(rows(outcomes)).toEqual([
      ['old', 'reported', NO_LONGER_STALE],
      ['older', 'skipped', EXCLUDED_NOW],
    ]);
    expect(api.aborted).toEqual([]);
  });

  it('keeps the picks of a vault no longer configured, without a request', async () => {
    const { api, picks, intents } = setup();
    const outcomes = await act(
      input(picks, { recheck: { olderThanMs: () => undefined, exclude: undefined } }),
      {
        api,
        clock,
        intents,
      },
    );
    expect(rows(outcomes)).toEqual([
      ['old', 'reported', VAULT_NOT_CONFIGURED],
      ['older', 'reported', VAULT_NOT_CONFIGURED],
    ]);
    expect(api.calls).toEqual([]);
  });

  it('with quiet-period, aborts only when the parts are what Survey saw', async () => {
    const { api, picks, intents } = setup();
    const seen = fingerprintParts([{ range: '0-1', treeHash: 'h' }]);
    api.parts.set('older', [{ range: '0-1', treeHash: 'other' }]);
    const outcomes = await act(input(picks.map((p) => ({ ...p, parts: seen }))), { api, clock, intents });
    // Without quiet-period the parts are not compared: both are aborted.
    expect(rows(outcomes)).toEqual([
      ['old', 'aborted', undefined],
      ['older', 'aborted', undefined],
    ]);
    const quiet = await act(
      input(
        picks.map((p) => ({ ...p, parts: seen })),
        { quietPeriod: { quietPeriodMs: 2 * DAY, account: '123456789012', region: 'eu-west-1' } },
      ),
      { api: setupChanged(), clock, intents },
    );
    expect(rows(quiet)).toEqual([
      ['old', 'aborted', undefined],
      ['older', 'pending', PARTS_CHANGED],
    ]);
    expect(quiet[1]?.eligibleAt).toBe(NOW + 2 * DAY);
  });

  it('a pick Survey did not measure is never aborted with quiet-period', async () => {
    const { api, picks, intents } = setup();
    const outcomes = await act(
      input(picks.slice(0, 1), {
        quietPeriod: { quietPeriodMs: 2 * DAY, account: '123456789012', region: 'eu-west-1' },
      }),
      { api, clock, intents },
    );
    expect(rows(outcomes)).toEqual([['old', 'pending', PARTS_CHANGED]]);
    expect(api.aborted).toEqual([]);
  });

  it('a vault gone since Survey: every pick reported and marked, the vault listed once to tell', async () => {
    const { picks, intents } = setup();
    // No vault v: ListParts is not found, and so is the listing of the vault.
    const api = new FakeVaultApi();
    const list = api.listPartsPage.bind(api);
    Object.assign(api, {
      listPartsPage: async (vault: string, uploadId: string, marker: string | undefined) => {
        await list(vault, uploadId, marker);
        throw notFound(`Vault not found: ${vault}`);
      },
    });
    const outcomes = await act(input(picks), { api, clock, intents });
    expect(outcomes.map((o) => [o.outcome, o.reason, o.vaultGone])).toEqual([
      ['reported', VAULT_GONE, true],
      ['reported', VAULT_GONE, true],
    ]);
    expect(api.calls.map((c) => c.op)).toEqual(['listParts', 'list']);
  });

  it('an upload gone with its vault still there is gone, or aborted when this run logged its intent', async () => {
    const { api, picks, intents, logged } = setup();
    logged.push('old');
    const gone = Object.assign(api, {
      listPartsPage: async (): Promise<PartsPage> => {
        throw notFound('no such upload');
      },
    });
    const outcomes = await act(input(picks), { api: gone, clock, intents });
    expect(rows(outcomes)).toEqual([
      ['old', 'aborted', undefined],
      ['older', 'gone', undefined],
    ]);
    expect(api.aborted).toEqual([]);
    // The vault was listed once to tell, for both of its picks.
    expect(api.calls.map((c) => [c.op, c.vault])).toEqual([['list', 'v']]);
  });

  it('an abort answered "not found" after an intent logged by an earlier attempt is aborted', async () => {
    const { api, picks, intents, logged } = setup();
    logged.push('old');
    api.goneOnAbort.add('old');
    api.goneOnAbort.add('older');
    const outcomes = await act(input(picks), { api, clock, intents });
    expect(rows(outcomes)).toEqual([
      ['old', 'aborted', undefined],
      ['older', 'gone', undefined],
    ]);
  });

  it('sends no abort whose intent could not be recorded', async () => {
    const { api, picks } = setup();
    const outcomes = await act(input(picks.slice(0, 1)), {
      api,
      clock,
      intents: {
        has: () => false,
        record: () => Promise.reject(new Error('S3 said no')),
      },
    });
    expect(rows(outcomes)).toEqual([
      ['old', 'reported', 'its abort intent could not be recorded: Error: S3 said no'],
    ]);
    expect(api.calls.map((c) => c.op)).toEqual(['listParts']);
  });

  it('keeps a pick whose parts cannot be listed again, and a vault whose listing fails otherwise stands', async () => {
    const { api, picks, intents } = setup();
    api.failParts.add('old');
    const outcomes = await act(input(picks), { api, clock, intents });
    expect(outcomes[0]).toMatchObject({ outcome: 'reported' });
    expect(outcomes[0]?.reason).toMatch(
      /^parts could not be listed again before its abort: ServiceUnavailable/,
    );
    expect(outcomes[1]).toMatchObject({ uploadId: 'older', outcome: 'aborted' });
  });

  it('an upload not found in a vault whose listing then fails otherwise: the vault stands, the upload is gone', async () => {
    const { api, picks, intents } = setup();
    api.failList.set('v', Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    Object.assign(api, {
      listPartsPage: async (): Promise<PartsPage> => {
        throw notFound('no such upload');
      },
    });
    const outcomes = await act(input(picks), { api, clock, intents });
    expect(outcomes.map((o) => [o.uploadId, o.outcome, o.vaultGone])).toEqual([
      ['old', 'gone', undefined],
      ['older', 'gone', undefined],
    ]);
    expect(api.calls.map((c) => c.op)).toEqual(['list']);
    expect(api.aborted).toEqual([]);
  });

  it('without an intent log, an upload found gone is gone', async () => {
    const { api, picks } = setup();
    Object.assign(api, {
      listPartsPage: async (): Promise<PartsPage> => {
        throw notFound('no such upload');
      },
    });
    const outcomes = await act(input(picks.slice(0, 1)), { api, clock });
    expect(rows(outcomes)).toEqual([['old', 'gone', undefined]]);
  });

  it('each way a pick is kept says why, and no two ways say the same', async () => {
    // v: 35 days now, `keep:` excluded; w: no longer configured; x: configured, but gone from Glacier.
    const { api, intents } = setup();
    const described = describing(api, { old: 'nightly', older: 'keep: hold' });
    const list = described.listPartsPage.bind(described);
    described.listPartsPage = async (vault, uploadId, marker) => {
      if (vault === 'x') throw notFound(`Vault not found: ${vault}`);
      return list(vault, uploadId, marker);
    };
    const pick = (vault: string, uploadId: string, days: number): Judged => ({
      vault,
      uploadId,
      createdMs: NOW - days * DAY,
      excluded: false,
    });
    const thresholds: Record<string, number> = { v: 35 * DAY, x: SEVEN_DAYS };
    const outcomes = await act(
      input([pick('v', 'old', 30), pick('v', 'older', 40), pick('w', 'a', 50), pick('x', 'b', 60)], {
        recheck: { olderThanMs: (vault) => thresholds[vault], exclude: keepPattern() },
      }),
      { api: described, clock, intents },
    );
    expect(rows(outcomes)).toEqual([
      ['old', 'reported', NO_LONGER_STALE],
      ['older', 'skipped', EXCLUDED_NOW],
      ['a', 'reported', VAULT_NOT_CONFIGURED],
      ['b', 'reported', VAULT_GONE],
    ]);
    const reasons = outcomes.map((o) => o.reason ?? '');
    expect(reasons.every((r) => r.trim().length > 0)).toBe(true);
    expect(new Set(reasons).size).toBe(reasons.length);
    expect(api.aborted).toEqual([]);
  });
});

/** Vault v with `older`'s parts changed since Survey. */
function setupChanged(): FakeVaultApi {
  const { api } = setup();
  api.parts.set('older', [{ range: '0-1', treeHash: 'other' }]);
  return api;
}
