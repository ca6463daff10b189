/**
 * Runs one sweep over a fake vault with the `exclude` pattern and descriptions given on the command
 * line, and prints each stale upload's outcome as JSON. It runs as a child process so that a pattern
 * that blocks the event loop can be killed from outside: no timer inside a blocked process fires.
 *
 * Usage: node --import tsx exclude-sweep-child.ts EXCLUDE DESCRIPTION...
 */
import { parseSettings, ssmNames } from '../../../lambda/core/settings';
import { sweepRun } from '../../../lambda/core/sweep';
import { FakeVaultApi, uploadAged } from './fake-vault-api';

const NOW = Date.parse('2026-11-27T03:00:00.000Z');
const [exclude = '', ...descriptions] = process.argv.slice(2);

const settings = parseSettings({ vaults: 'alpha', action: 'abort', exclude }, ssmNames('/glacier-sweeper'));
const api = new FakeVaultApi().addVault(
  'alpha',
  // Ids with a '-', as real ones often have: `^(\w+\s?)*$` must not match them, only the descriptions.
  descriptions.map((description, i) => uploadAged(`upload-${i}`, 30, NOW, description)),
);
const report = await sweepRun({
  api,
  settings,
  clock: () => NOW,
  deadline: NOW + 60_000,
  vaultConcurrency: 1,
  abortConcurrency: 1,
  runId: 'redos',
  region: 'us-east-1',
});
const outcomes = Object.fromEntries(
  (report.vaults[0]?.staleUploads ?? []).map((entry) => [entry.description, entry.outcome]),
);
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
