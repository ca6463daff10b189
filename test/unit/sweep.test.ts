import { describe, expect, it } from 'vitest';
import type { Duration } from '../../lambda/core/duration';
import { parseDuration } from '../../lambda/core/duration';
import { ConfigError, parseSettings, type RawSettings, ssmNames } from '../../lambda/core/settings';
import { surveyVault } from '../../lambda/core/survey';
import { type StaleUploadEvent, type SweepRunInput, sweepRun } from '../../lambda/core/sweep';
import type { Upload, VaultTarget } from '../../lambda/core/types';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';
import { pattern } from './helpers/patterns';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const SEVEN_DAYS = parseDuration('7d') as Duration;
const target = (name: string): VaultTarget => ({ name, olderThan: SEVEN_DAYS });

function surveyInput(api: FakeVaultApi, overrides: Partial<Parameters<typeof surveyVault>[0]> = {}) {
  return {
    api,
    vault: target('alpha'),
    exclude: undefined,
    clock: () => NOW,
    deadline: NOW + 60_000,
    ...overrides,
  };
}

/** One vault, alpha, swept in abort mode unless `raw` says otherwise. */
function sweepAlpha(api: FakeVaultApi, raw: RawSettings = {}, extra: Partial<SweepRunInput> = {}) {
  return sweepRun({
    api,
    settings: parseSettings({ vaults: 'alpha', action: 'abort', ...raw }, ssmNames('/glacier-sweeper')),
    clock: () => NOW,
    deadline: NOW + 60_000,
    vaultConcurrency: 4,
    abortConcurrency: 8,
    runId: 'run-1',
    region: 'us-east-1',
    ...extra,
  }).then((report) => ({ run: report, report: report.vaults[0] as (typeof report.vaults)[number] }));
}

/** 10 uploads: ids u0..u9, u0-u4 fresh (1..5 days), u5-u9 stale (8..12 days). */
const mixed = (): Upload[] =>
  Array.from({ length: 10 }, (_, i) => uploadAged(`u${i}`, i < 5 ? i + 1 : i + 3, NOW));

describe('surveyVault', () => {
  it('follows every marker until the last page and sends each exactly once', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [3]);
    const survey = await surveyVault(surveyInput(api));
    const markers = api.listCalls('alpha');
    expect(markers).toHaveLength(4);
    expect(markers[0]).toBeUndefined();
    expect(new Set(markers).size).toBe(4);
    expect(survey).toMatchObject({ scanned: 10, complete: true, outOfTime: false, nextMarker: undefined });
  });

  it('sends nothing but list requests, the next page before judging the current one, never one too many', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [6]);
    const survey = await surveyVault(surveyInput(api));
    expect(api.calls.map((c) => c.op)).toEqual(['list', 'list']);
    expect(survey.stale.map((s) => s.uploadId)).toEqual(['u5', 'u6', 'u7', 'u8', 'u9']);
  });

  it('records a listing failure on the vault, keeps what was listed, and returns the marker to resume from', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [5]);
    let lists = 0;
    api.onRequest = (op) => {
      if (op === 'list' && ++lists === 2)
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    const survey = await surveyVault(surveyInput(api));
    expect(survey).toMatchObject({
      scanned: 5,
      complete: false,
      outOfTime: false,
      error: 'ThrottlingException: Rate exceeded',
    });
    expect(survey.nextMarker).toBe(api.listCalls('alpha')[1]);
  });

  it('treats a listing cancelled by the hard stop as out of time, not as a vault error', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [5]);
    let lists = 0;
    api.onRequest = (op) => {
      if (op === 'list' && ++lists === 2)
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    };
    const survey = await surveyVault(surveyInput(api));
    expect(survey).toMatchObject({ scanned: 5, complete: false, outOfTime: true, error: null });
    expect(survey.nextMarker).toBe(api.listCalls('alpha')[1]);
  });

  it('resumes from a marker and finishes the vault', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [5]);
    const first = await surveyVault(surveyInput(api, { deadline: NOW - 1 }));
    expect(first).toMatchObject({ scanned: 0, complete: false, outOfTime: true });
    const page1 = await api.listUploadsPage('alpha', undefined);
    const rest = await surveyVault(surveyInput(api, { startMarker: page1.marker }));
    expect(rest).toMatchObject({ scanned: 5, complete: true });
    expect(rest.stale).toHaveLength(5);
  });

  it('starts no page at or after the deadline and returns the marker of the next page', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [5]);
    let clock = NOW;
    api.onRequest = () => {
      clock += 1_000;
    };
    const survey = await surveyVault(surveyInput(api, { clock: () => clock, deadline: NOW + 500 }));
    expect(api.listCalls('alpha')).toHaveLength(1);
    expect(survey).toMatchObject({ scanned: 5, complete: false, outOfTime: true, error: null });
    // The marker of page 2, where the next invocation resumes.
    const page1 = await new FakeVaultApi()
      .addVault('alpha', mixed(), [5])
      .listUploadsPage('alpha', undefined);
    expect(page1.marker).toEqual(expect.any(String));
    expect(survey.nextMarker).toBe(page1.marker);
  });

  it('stops with an error when the service repeats the marker it was given', async () => {
    const api = new FakeVaultApi();
    let calls = 0;
    api.listUploadsPage = async () => {
      calls += 1;
      return { uploads: [], marker: 'same' };
    };
    const survey = await surveyVault(surveyInput(api));
    expect(calls).toBe(2);
    expect(survey.error).toContain('ListMultipartUploads repeated a marker it was already given (same)');
    expect(survey.complete).toBe(false);
  });

  it('counts a repeated fresh id once as well', async () => {
    const young = uploadAged('young', 1, NOW);
    const api = new FakeVaultApi().addVault('alpha', [young, young], [1]);
    const survey = await surveyVault(surveyInput(api));
    expect(survey).toMatchObject({ scanned: 1, duplicates: 1, stale: [] });
  });

  it('marks excluded uploads, judged stale like the others', async () => {
    const api = new FakeVaultApi().addVault('alpha', [
      uploadAged('keep1', 30, NOW, 'keep: legal hold'),
      uploadAged('old', 30, NOW),
    ]);
    const survey = await surveyVault(surveyInput(api, { exclude: pattern('^keep:') }));
    expect(survey.stale.map((s) => [s.uploadId, s.excluded])).toEqual([
      ['keep1', true],
      ['old', false],
    ]);
  });
});

describe('sweepRun, one vault', () => {
  it('aborts exactly the stale uploads, oldest first in the report', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [4]);
    const { report } = await sweepAlpha(api);
    expect(api.aborted.map((a) => a.uploadId).sort()).toEqual(['u5', 'u6', 'u7', 'u8', 'u9']);
    expect(report).toMatchObject({
      scanned: 10,
      stale: 5,
      aborted: 5,
      gone: 0,
      failed: 0,
      skipped: 0,
      reported: 0,
      wouldAbort: 5,
      planComplete: true,
      error: null,
    });
    expect(report.staleUploads.map((s) => s.uploadId)).toEqual(['u9', 'u8', 'u7', 'u6', 'u5']);
    expect(report.staleUploads[0]).toMatchObject({
      ageHours: 12 * 24,
      outcome: 'aborted',
      wouldAbort: true,
      partSizeBytes: 4_194_304,
    });
  });

  it('sends no abort in report mode', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed());
    const { report } = await sweepAlpha(api, { action: 'report' });
    expect(api.calls.filter((c) => c.op === 'abort')).toEqual([]);
    expect(report).toMatchObject({ stale: 5, reported: 5, aborted: 0, wouldAbort: 5 });
  });

  it('counts an abort answered "not found" as gone and a failing abort as failed', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed());
    api.goneOnAbort.add('u5');
    api.failAbort.add('u6');
    const events: StaleUploadEvent[] = [];
    const { report } = await sweepAlpha(api, {}, { observer: { staleUpload: (e) => events.push(e) } });
    expect(report).toMatchObject({ stale: 5, aborted: 3, gone: 1, failed: 1 });
    expect(events.find((e) => e.uploadId === 'u6')).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('ServiceUnavailableException'),
    });
    expect(events).toHaveLength(5);
  });

  it('keeps abort concurrency within the limit', async () => {
    const many = Array.from({ length: 60 }, (_, i) => uploadAged(`s${i}`, 30, NOW));
    const api = new FakeVaultApi().addVault('alpha', many, [50]);
    api.onRequest = () => new Promise((resolve) => setTimeout(resolve, 2));
    await sweepAlpha(api, {}, { abortConcurrency: 3 });
    expect(api.aborted).toHaveLength(60);
    expect(api.maxInFlightAborts).toBe(3);
  });

  it('starts no page and no abort after the deadline, and says the vault is incomplete', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [5]);
    let clock = NOW;
    api.onRequest = () => {
      clock += 1_000;
    };
    const { run, report } = await sweepAlpha(api, {}, { clock: () => clock, deadline: NOW + 500 });
    expect(api.listCalls('alpha')).toHaveLength(1);
    expect(report).toMatchObject({ complete: false, planComplete: false, error: null });
    expect(run.planComplete).toBe(false);
    expect(api.aborted).toEqual([]);
  });

  it('marks stale uploads whose abort could not start before the deadline as reported', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed(), [50]);
    let clock = NOW;
    api.onRequest = (op) => {
      if (op === 'abort') clock += 1_000;
    };
    const { report } = await sweepAlpha(
      api,
      {},
      { clock: () => clock, deadline: NOW + 1_500, abortConcurrency: 1 },
    );
    expect(report.aborted).toBe(2);
    expect(report.reported).toBe(3);
    expect(report.stale).toBe(report.aborted + report.reported);
    // The two aborted are the oldest: the deadline cuts the young end of the plan.
    expect(api.aborted.map((a) => a.uploadId)).toEqual(['u9', 'u8']);
  });

  it('counts and aborts an upload listed on two pages only once', async () => {
    const dup = uploadAged('dup', 30, NOW);
    const api = new FakeVaultApi().addVault('alpha', [dup, uploadAged('x', 1, NOW), dup], [2]);
    const { report } = await sweepAlpha(api);
    expect(report).toMatchObject({ scanned: 2, duplicates: 1, stale: 1, aborted: 1 });
    expect(api.aborted).toEqual([{ vault: 'alpha', uploadId: 'dup' }]);
  });

  it('scans distinct ids once: 5 entries, one id three times, give scanned 3 and duplicates 2', async () => {
    const dup = uploadAged('dup', 30, NOW);
    const api = new FakeVaultApi().addVault(
      'alpha',
      [dup, uploadAged('x', 1, NOW), dup, uploadAged('y', 2, NOW), { ...dup, description: 'again' }],
      [2],
    );
    const { report } = await sweepAlpha(api);
    expect(report).toMatchObject({ scanned: 3, duplicates: 2, stale: 1, aborted: 1, anomalies: [] });
    expect(report.staleUploads.map((u) => [u.uploadId, u.description])).toEqual([['dup', 'archive dup']]);
  });

  it('makes each upload without an id its own anomaly, never aborted', async () => {
    const idless = (description: string) => ({ ...uploadAged('', 30, NOW), description });
    const api = new FakeVaultApi().addVault(
      'alpha',
      [idless('one'), uploadAged('ok', 30, NOW), idless('two'), idless('three')],
      [2],
    );
    const anomalies: string[] = [];
    const { report } = await sweepAlpha(
      api,
      {},
      { observer: { anomaly: (e) => anomalies.push(`${e.description}:${e.reason}`) } },
    );
    expect(report).toMatchObject({ scanned: 4, duplicates: 0, stale: 1, aborted: 1 });
    expect(report.anomalies.map((a) => [a.uploadId, a.description])).toEqual([
      ['', 'one'],
      ['', 'two'],
      ['', 'three'],
    ]);
    expect(anomalies).toEqual(['one:no-upload-id', 'two:no-upload-id', 'three:no-upload-id']);
    expect(api.aborted).toEqual([{ vault: 'alpha', uploadId: 'ok' }]);
  });

  it('never aborts an anomaly and lists it', async () => {
    const api = new FakeVaultApi().addVault('alpha', [
      { uploadId: 'a1', createdAt: undefined, description: undefined, partSizeBytes: undefined },
      { uploadId: 'a2', createdAt: 'garbage', description: 'odd', partSizeBytes: 1 },
      { uploadId: 'a3', createdAt: '2099-01-01T00:00:00Z', description: 'future', partSizeBytes: 1 },
    ]);
    const { report } = await sweepAlpha(api);
    expect(api.aborted).toEqual([]);
    expect(report.stale).toBe(0);
    expect(report.anomalies).toEqual([
      { uploadId: 'a1', createdAt: null, description: '' },
      { uploadId: 'a2', createdAt: 'garbage', description: 'odd' },
      { uploadId: 'a3', createdAt: '2099-01-01T00:00:00Z', description: 'future' },
    ]);
  });

  it('logs intent before each abort', async () => {
    const api = new FakeVaultApi().addVault('alpha', [uploadAged('old', 30, NOW)]);
    const order: string[] = [];
    api.onRequest = (op) => {
      order.push(`request:${op}`);
    };
    await sweepAlpha(api, {}, { observer: { abortStarting: (e) => order.push(`intent:${e.uploadId}`) } });
    expect(order).toEqual(['request:list', 'request:listParts', 'intent:old', 'request:abort']);
  });
});

describe('sweepRun', () => {
  const settingsOf = (raw: Parameters<typeof parseSettings>[0]) =>
    parseSettings(raw, ssmNames('/glacier-sweeper'));
  const runInput = (
    api: FakeVaultApi,
    raw: Parameters<typeof parseSettings>[0],
    extra: Partial<Parameters<typeof sweepRun>[0]> = {},
  ) => ({
    api,
    settings: settingsOf(raw),
    clock: () => NOW,
    deadline: NOW + 60_000,
    vaultConcurrency: 4,
    abortConcurrency: 8,
    runId: 'run-1',
    region: 'us-east-1',
    ...extra,
  });

  it('sweeps every vault; a missing vault is an error on that vault only', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed()).addVault('beta', [uploadAged('b1', 4, NOW)]);
    const report = await sweepRun(runInput(api, { vaults: 'alpha,missing,beta=3d', action: 'abort' }));
    expect(report.vaults.map((v) => [v.vault, v.olderThan, v.stale, v.complete, v.error === null])).toEqual([
      ['alpha', '7d', 5, true, true],
      ['missing', '7d', 0, false, false],
      ['beta', '3d', 1, true, true],
    ]);
    expect(report.totals).toEqual({
      vaults: 3,
      scanned: 11,
      duplicates: 0,
      stale: 6,
      aborted: 6,
      gone: 0,
      failed: 0,
      skipped: 0,
      reported: 0,
      pending: 0,
      bytesAtStake: 0,
      unmeasured: 0,
      wouldAbort: 6,
      anomalies: 0,
      vaultErrors: 1,
    });
    expect(report).toMatchObject({
      runId: 'run-1',
      region: 'us-east-1',
      action: 'abort',
      olderThan: '7d',
      complete: false,
      capped: false,
    });
  });

  it('expands * with ListVaults, filtered by the vault pattern', async () => {
    const api = new FakeVaultApi()
      .addVault('backup-1', mixed())
      .addVault('logs', mixed())
      .addVault('backup-2', []);
    const report = await sweepRun(runInput(api, { vaults: '*' }, { vaultPattern: pattern('^backup-') }));
    expect(report.vaults.map((v) => v.vault)).toEqual(['backup-1', 'backup-2']);
    expect(api.listCalls('logs')).toEqual([]);
  });

  it('refuses a named vault outside the vault pattern before listing anything', async () => {
    const api = new FakeVaultApi().addVault('backup-1', mixed()).addVault('prod-db', mixed());
    const run = sweepRun(
      runInput(
        api,
        { vaults: 'backup-1,prod-db', action: 'abort' },
        {
          vaultPattern: pattern('^(backup|logs)-'),
          vaultPatternNames: {
            pattern: 'SWEEPER_VAULT_PATTERN',
            text: '^(backup|logs)-',
            vaults: '/p/vaults',
          },
        },
      ),
    );
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('/p/vaults');
    for (const shown of ['"prod-db"', '"^(backup|logs)-"', 'SWEEPER_VAULT_PATTERN', '/p/vaults'])
      expect((error as ConfigError).message).toContain(shown);
    // Not even the vaults that match were listed: the whole configuration is in doubt.
    expect(api.calls).toEqual([]);
    expect(api.aborted).toEqual([]);
  });

  it('sweeps named vaults that all match the vault pattern', async () => {
    const api = new FakeVaultApi().addVault('backup-1', mixed()).addVault('logs-2', mixed());
    const report = await sweepRun(
      runInput(
        api,
        { vaults: 'backup-1,logs-2', action: 'abort' },
        { vaultPattern: pattern('^(backup|logs)-') },
      ),
    );
    expect(report.vaults.map((v) => v.vault)).toEqual(['backup-1', 'logs-2']);
    expect(api.aborted).toHaveLength(10);
  });

  it('checks every configured vault against the pattern, also those a request leaves out', async () => {
    const api = new FakeVaultApi().addVault('backup-1', mixed()).addVault('prod-db', mixed());
    await expect(
      sweepRun(
        runInput(
          api,
          { vaults: 'backup-1,prod-db' },
          { vaultPattern: pattern('^backup-'), onlyVaults: ['backup-1'] },
        ),
      ),
    ).rejects.toThrow(/"prod-db"/);
    expect(api.calls).toEqual([]);
  });

  it('turns a failed ListVaults into a vault error on *', async () => {
    const api = new FakeVaultApi();
    api.listVaultNames = async () => {
      throw Object.assign(new Error('no vault storage'), { name: 'NoLongerSupportedException' });
    };
    const report = await sweepRun(runInput(api, { vaults: '*' }));
    expect(report.vaults).toHaveLength(1);
    expect(report.vaults[0]).toMatchObject({
      vault: '*',
      complete: false,
      error: expect.stringContaining('NoLongerSupportedException'),
    });
    expect(report.totals.vaultErrors).toBe(1);
  });

  it('caps aborts across vaults at max-aborts and reports the rest', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed()).addVault('beta', mixed());
    const report = await sweepRun(runInput(api, { vaults: 'alpha,beta', action: 'abort', maxAborts: '7' }));
    expect(api.aborted).toHaveLength(7);
    expect(report.totals).toMatchObject({ stale: 10, aborted: 7, reported: 3 });
    expect(report.capped).toBe(true);
  });

  it('is not capped when the budget is exactly enough', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed());
    const report = await sweepRun(runInput(api, { vaults: 'alpha', action: 'abort', maxAborts: '5' }));
    expect(report).toMatchObject({ capped: false, totals: { aborted: 5 } });
  });

  it('de-escalates to report mode when the request forces it', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed());
    const report = await sweepRun(runInput(api, { vaults: 'alpha', action: 'abort' }, { forceReport: true }));
    expect(report.action).toBe('report');
    expect(api.aborted).toEqual([]);
  });

  it('sweeps only the vaults the request names', async () => {
    const api = new FakeVaultApi().addVault('alpha', mixed()).addVault('beta', mixed());
    const report = await sweepRun(runInput(api, { vaults: 'alpha,beta' }, { onlyVaults: ['beta'] }));
    expect(report.vaults.map((v) => v.vault)).toEqual(['beta']);
    expect(api.listCalls('alpha')).toEqual([]);
  });

  it('runs at most vaultConcurrency vaults at once', async () => {
    const api = new FakeVaultApi();
    for (let i = 0; i < 6; i++) api.addVault(`v${i}`, []);
    let inFlight = 0;
    let peak = 0;
    api.onRequest = async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
    };
    await sweepRun(runInput(api, { vaults: 'v0,v1,v2,v3,v4,v5' }, { vaultConcurrency: 2 }));
    expect(peak).toBe(2);
  });
});
