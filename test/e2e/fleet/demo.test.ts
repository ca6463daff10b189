import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMain } from '../../../local/demo';
import { type Emulator, startEmulator } from '../../../local/emulator';
import { ACCOUNT_DENIED, BIG_VAULT, runFleetDemo } from '../../../local/fleet/demo';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

describe('npm run demo -- --fleet', () => {
  it('prints the fleet email and a summary: 3 worker invocations for the big vault, the denied account apart, nothing aborted', async () => {
    let output = '';
    const { exitCode, run } = await runFleetDemo({ emulator: emu, write: (s) => (output += s) });
    expect(exitCode).toBe(0);
    expect(run.invocations).toMatchObject({ plan: 1, resolve: 6, 'sweep-vault': 6, select: 1, report: 1 });
    expect(output).toContain('── What SNS received ──');
    expect(output).toMatch(/^Subject: glacier-sweeper fleet: 235 stale uploads found in 3 accounts$/m);
    expect(output).toMatch(/^ACCOUNT\s+REGIONS\s+VAULTS\s+SCANNED\s+STALE\s+ABORTED\s+FAILED\s+STATUS$/m);
    expect(output).toContain(`${ACCOUNT_DENIED} us-east-1: no spoke role`);
    expect(output).toContain('Report mode: nothing was aborted; the same settings would abort 50.');
    expect(output).toContain('1 vault skipped by tag glacier-sweeper=skip');
    expect(output).toContain(`Uploads left in ${BIG_VAULT}: 20000 of 20000; legal-hold: 3 of 3`);
    expect(emu.requests({ operation: 'ListMultipartUploads', vault: BIG_VAULT })).toHaveLength(400);
  });

  it('--abort aborts the 50 oldest and leaves the tagged vault alone', async () => {
    let output = '';
    const { exitCode } = await runFleetDemo({ emulator: emu, abort: true, write: (s) => (output += s) });
    expect(exitCode).toBe(0);
    expect(output).toContain('AbortMultipartUpload 50');
    expect(output).toContain('legal-hold: 3 of 3');
  });

  it('is reached through the demo script with --fleet', async () => {
    let help = '';
    expect(
      await demoMain(
        ['--help'],
        (s) => (help += s),
        () => undefined,
      ),
    ).toBe(0);
    expect(help).toContain('--fleet');
  });
});
