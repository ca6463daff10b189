import { describe, expect, it } from 'vitest';
import { fingerprintParts } from '../../../lambda/core/activity';
import { actOnPicks, type IntentLog } from '../../../lambda/core/fleet-act';
import type { Pick } from '../../../lambda/core/fleet-types';
import { parseSettings, ssmNames } from '../../../lambda/core/settings';
import { FakeVaultApi, uploadAged } from '../helpers/fake-vault-api';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const settings = (raw: Record<string, string> = {}) =>
  parseSettings({ vaults: 'v', action: 'abort', ...raw }, ssmNames('/p'));

function setup() {
  const api = new FakeVaultApi().addVault('v', [
    uploadAged('old', 30, NOW, 'nightly'),
    uploadAged('older', 40, NOW, 'keep: hold'),
  ]);
  api.parts.set('old', [{ range: '0-1', treeHash: 'h' }]);
  // The fake's ListParts carries no CreationDate: the pick's own date is judged again.
  const picks: Pick[] = ['old', 'older'].map((id, i) => ({
    vault: 'v',
    olderThan: '7d',
    uploadId: id,
    createdAt: new Date(NOW - (30 + 10 * i) * 86_400_000).toISOString(),
    createdMs: NOW - (30 + 10 * i) * 86_400_000,
    fingerprint: null,
  }));
  const logged = new Set<string>();
  const intents: IntentLog = {
    has: (p) => logged.has(p.uploadId),
    record: async (p) => {
      logged.add(p.uploadId);
    },
  };
  return { api, picks, intents, logged };
}

const base = { clock: () => NOW, deadline: NOW + 60_000, reportOnly: undefined };

describe('actOnPicks', () => {
  it('aborts each pick after listing it again, the intent written before the abort', async () => {
    const { api, picks, intents, logged } = setup();
    const result = await actOnPicks({ ...base, api, picks, settings: settings(), intents });
    expect(result.outcomes.map((o) => [o.uploadId, o.outcome])).toEqual([
      ['old', 'aborted'],
      ['older', 'aborted'],
    ]);
    expect([...logged]).toEqual(['old', 'older']);
    expect(api.calls.map((c) => c.op)).toEqual(['listParts', 'abort', 'listParts', 'abort']);
  });

  it('the kill switch: a reason to only report turns every pick into reported, no request sent', async () => {
    const { api, picks, intents } = setup();
    const result = await actOnPicks({
      ...base,
      api,
      picks,
      settings: settings(),
      intents,
      reportOnly: 'action is no longer abort',
    });
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['reported', 'reported']);
    expect(api.calls).toEqual([]);
  });

  it('applies exclude and the threshold again as they are now', async () => {
    const { api, picks, intents } = setup();
    api.parts.set('older', []);
    const now = settings({ exclude: '^keep:', olderThan: '35d' });
    // The fake's ListParts has no description: the description Glacier returns is what is matched.
    const described = Object.assign(api, {
      listPartsPage: async (vault: string, uploadId: string, marker: string | undefined) => ({
        ...(await FakeVaultApi.prototype.listPartsPage.call(api, vault, uploadId, marker)),
        description: uploadId === 'older' ? 'keep: hold' : 'nightly',
      }),
    });
    const result = await actOnPicks({ ...base, api: described, picks, settings: now, intents });
    expect(result.outcomes.map((o) => [o.uploadId, o.outcome])).toEqual([
      ['old', 'reported'],
      ['older', 'skipped'],
    ]);
    expect(api.aborted).toEqual([]);
  });

  it('with quiet-period, aborts only when the parts fingerprint is what Survey saw', async () => {
    const { api, picks, intents } = setup();
    const seen = fingerprintParts([{ range: '0-1', treeHash: 'h' }]).fingerprint;
    const withPrints = [
      { ...(picks[0] as Pick), fingerprint: seen },
      { ...(picks[1] as Pick), fingerprint: 'stale-print' },
    ];
    api.parts.set('older', [{ range: '0-1', treeHash: 'other' }]);
    const result = await actOnPicks({
      ...base,
      api,
      picks: withPrints,
      settings: settings({ quietPeriod: '2d' }),
      intents,
    });
    expect(result.outcomes.map((o) => [o.uploadId, o.outcome])).toEqual([
      ['old', 'aborted'],
      ['older', 'pending'],
    ]);
    expect(result.outcomes[1]?.eligibleAt).toBe(new Date(NOW + 2 * 86_400_000).toISOString());
  });

  it('a vault gone since Survey is one vault error, not a gone per pick', async () => {
    const { picks, intents } = setup();
    const api = Object.assign(new FakeVaultApi(), {
      listPartsPage: async () => {
        throw Object.assign(new Error('vault not found'), { name: 'ResourceNotFoundException' });
      },
    });
    const result = await actOnPicks({ ...base, api, picks, settings: settings(), intents });
    expect(result.goneVaults).toEqual(['v']);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['reported', 'reported']);
  });

  it('a retried Act counts an upload whose intent it logged as aborted, not gone', async () => {
    const { api, picks, intents, logged } = setup();
    logged.add('old');
    api.goneOnAbort.add('old');
    // The upload is already gone: ListParts says not found, the vault is still there.
    const gone = Object.assign(api, {
      listPartsPage: async (vault: string, uploadId: string, marker: string | undefined) => {
        if (uploadId === 'old')
          throw Object.assign(new Error('no such upload'), { name: 'ResourceNotFoundException' });
        return FakeVaultApi.prototype.listPartsPage.call(api, vault, uploadId, marker);
      },
    });
    const result = await actOnPicks({ ...base, api: gone, picks, settings: settings(), intents });
    expect(result.outcomes.map((o) => [o.uploadId, o.outcome])).toEqual([
      ['old', 'aborted'],
      ['older', 'aborted'],
    ]);
  });

  it('stops at the deadline and says how many picks are left', async () => {
    const { api, picks, intents } = setup();
    const result = await actOnPicks({ ...base, api, picks, settings: settings(), intents, deadline: NOW });
    expect(result.outcomes).toEqual([]);
    expect(result.remaining).toBe(2);
  });
});
