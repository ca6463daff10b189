import { describe, expect, it } from 'vitest';
import type { Duration } from '../../lambda/core/duration';
import { parseDuration } from '../../lambda/core/duration';
import { renderText } from '../../lambda/core/report-text';
import { parseSettings, ssmNames } from '../../lambda/core/settings';
import { hasSkipTag } from '../../lambda/core/skip-tag';
import { sweepRun } from '../../lambda/core/sweep';
import { SKIP_TAG_KEY, SKIP_TAG_VALUE } from '../../lambda/fleet/names';
import { FakeVaultApi, uploadAged } from './helpers/fake-vault-api';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const SEVEN_DAYS = parseDuration('7d') as Duration;
const stale = (prefix: string) => [uploadAged(`${prefix}1`, 30, NOW), uploadAged(`${prefix}2`, 40, NOW)];

function run(api: FakeVaultApi, vaults: string, action: 'report' | 'abort' = 'abort') {
  return sweepRun({
    api,
    settings: parseSettings({ vaults, action }, ssmNames('/glacier-sweeper')),
    clock: () => NOW,
    deadline: NOW + 60_000,
    vaultConcurrency: 4,
    abortConcurrency: 8,
    runId: 'run-1',
    region: 'us-east-1',
  });
}

describe('the skip tag glacier-sweeper=skip', () => {
  it('is the shared name', () => {
    expect(`${SKIP_TAG_KEY}=${SKIP_TAG_VALUE}`).toBe('glacier-sweeper=skip');
    expect(hasSkipTag({ 'glacier-sweeper': 'skip' })).toBe(true);
    expect(hasSkipTag({ 'glacier-sweeper': ' Skip ' })).toBe(true);
    expect(hasSkipTag({ 'glacier-sweeper': 'no' })).toBe(false);
    expect(hasSkipTag({ other: 'skip' })).toBe(false);
  });

  it('keeps a tagged vault untouched (not even listed), reported as skipped by tag; the others go on', async () => {
    const api = new FakeVaultApi().addVault('legal', stale('l')).addVault('backups', stale('b'));
    api.tags.set('legal', { 'glacier-sweeper': 'skip', owner: 'legal' });
    const report = await run(api, 'legal,backups');

    expect(api.calls.filter((c) => c.vault === 'legal').map((c) => c.op)).toEqual(['listTags']);
    expect(api.aborted.map((a) => a.uploadId).sort()).toEqual(['b1', 'b2']);
    expect(report.vaults[0]).toMatchObject({
      vault: 'legal',
      skippedByTag: true,
      complete: true,
      error: null,
      scanned: 0,
      stale: 0,
    });
    expect(report.vaults[1]).not.toHaveProperty('skippedByTag');
    expect(report.totals).toMatchObject({ vaults: 2, skippedByTag: 1, aborted: 2, vaultErrors: 0 });
    expect(renderText(report, { account: '-' })).toContain('skipped: tagged glacier-sweeper=skip');
  });

  it('leaves totals without skippedByTag when no vault is tagged', async () => {
    const api = new FakeVaultApi().addVault('backups', stale('b'));
    const report = await run(api, 'backups', 'report');
    expect(report.totals).not.toHaveProperty('skippedByTag');
    expect(api.calls.map((c) => c.op).slice(0, 2)).toEqual(['listTags', 'list']);
  });

  it('makes a vault whose tags cannot be read a vault error, never swept on a guess', async () => {
    const api = new FakeVaultApi().addVault('legal', stale('l')).addVault('backups', stale('b'));
    api.failTags.set('legal', Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const report = await run(api, 'legal,backups');
    expect(api.calls.filter((c) => c.vault === 'legal').map((c) => c.op)).toEqual(['listTags']);
    expect(report.vaults[0]).toMatchObject({ complete: false, error: 'AccessDeniedException: not allowed' });
    expect(report.totals).toMatchObject({ vaultErrors: 1, aborted: 2 });
  });

  it('checks each vault that * expands to', async () => {
    const api = new FakeVaultApi().addVault('a', stale('a')).addVault('b', stale('b'));
    api.tags.set('b', { 'glacier-sweeper': 'skip' });
    const report = await run(api, '*');
    expect(report.vaults.map((v) => [v.vault, v.skippedByTag ?? false, v.olderThan])).toEqual([
      ['a', false, SEVEN_DAYS.text],
      ['b', true, SEVEN_DAYS.text],
    ]);
  });
});
