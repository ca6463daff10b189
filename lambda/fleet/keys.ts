import { runPrefix } from '../adapters/run-store';

/**
 * Every S3 key of a run, under `runs/<runId>/`. Each Lambda reads only its own execution's prefix, so
 * nothing another execution wrote (a pick, an outcome) can reach this one.
 */
const part = (s: string): string => encodeURIComponent(s);

export const keys = {
  plan: (runId: string) => `${runPrefix(runId)}plan.json`,
  target: (runId: string, account: string, region: string) =>
    `${runPrefix(runId)}targets/${part(account)}/${part(region)}/target.json`,
  targetsPrefix: (runId: string) => `${runPrefix(runId)}targets/`,
  vaultPrefix: (runId: string, account: string, region: string, vault: string) =>
    `${runPrefix(runId)}targets/${part(account)}/${part(region)}/vaults/${part(vault)}/`,
  chunk: (runId: string, account: string, region: string, vault: string, pass: number, invocation: number) =>
    `${keys.vaultPrefix(runId, account, region, vault)}chunks/${pass}-${String(invocation).padStart(5, '0')}.json`,
  chunksOfPass: (runId: string, account: string, region: string, vault: string, pass: number) =>
    `${keys.vaultPrefix(runId, account, region, vault)}chunks/${pass}-`,
  vaultDone: (runId: string, account: string, region: string, vault: string) =>
    `${keys.vaultPrefix(runId, account, region, vault)}done.json`,
  picks: (runId: string, account: string, region: string) =>
    `${runPrefix(runId)}picks/${part(account)}/${part(region)}.json`,
  selection: (runId: string) => `${runPrefix(runId)}selection.json`,
  intentPrefix: (runId: string, account: string, region: string) =>
    `${runPrefix(runId)}act/${part(account)}/${part(region)}/intents/`,
  intent: (runId: string, account: string, region: string, vault: string, uploadId: string) =>
    `${keys.intentPrefix(runId, account, region)}${part(vault)}/${part(uploadId)}.json`,
  outcomes: (runId: string, account: string, region: string, cursor: number) =>
    `${runPrefix(runId)}act/${part(account)}/${part(region)}/outcomes/${String(cursor).padStart(6, '0')}.json`,
  outcomesPrefix: (runId: string, account: string, region: string) =>
    `${runPrefix(runId)}act/${part(account)}/${part(region)}/outcomes/`,
  actError: (runId: string, account: string, region: string) =>
    `${runPrefix(runId)}act/${part(account)}/${part(region)}/error.json`,
  /** Full reports are kept as long as the logs; run chunks expire sooner (bucket lifecycle). */
  report: (runId: string) => `reports/${part(runId)}/fleet.json`,
  accountReport: (runId: string, account: string) => `reports/${part(runId)}/accounts/${part(account)}.json`,
};
