import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { daysAgo, type Emulator, makeUploads, startEmulator } from '../../local/emulator';
import { expectValidReport } from './helpers/report-schema';
import { configure, onlyMessage, reportOf, sweep } from './helpers/scenario';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

describe('single-account stack: a vault tagged glacier-sweeper=skip', () => {
  it('is never listed nor aborted, reported as skipped by tag; the vault beside it is swept', async () => {
    emu.seed({
      vaults: [
        {
          name: 'legal-hold',
          tags: { 'glacier-sweeper': 'skip' },
          uploads: makeUploads(3, { createdAt: daysAgo(400) }),
        },
        { name: 'backups', uploads: makeUploads(2, { createdAt: daysAgo(30) }) },
      ],
    });
    const topicArn = configure(emu, { vaults: '*', action: 'abort' });
    const report = expectValidReport(reportOf(await sweep(emu, topicArn)));

    expect(emu.uploads('legal-hold')).toHaveLength(3);
    expect(emu.uploads('backups')).toHaveLength(0);
    expect(
      emu.requests({ vault: 'legal-hold' }).map((r) => r.operation),
      'one ListTagsForVault, nothing else',
    ).toEqual(['ListTagsForVault']);
    expect(report.vaults.find((v) => v.vault === 'legal-hold')).toMatchObject({
      skippedByTag: true,
      scanned: 0,
      complete: true,
    });
    expect(report.totals).toMatchObject({ skippedByTag: 1, aborted: 2, vaultErrors: 0 });
    expect(onlyMessage(emu).message).toContain('skipped: tagged glacier-sweeper=skip');
  });
});
