import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GlacierClient } from '@aws-sdk/client-glacier';
import { callerAccount, createStsClient } from '../lambda/adapters/caller-identity';
import { type ClientOptions, createClients } from '../lambda/adapters/clients';
import { DynamoStateStore } from '../lambda/adapters/dynamodb-state';
import { GlacierVaultApi } from '../lambda/adapters/glacier';
import {
  DEFAULT_ABORT_CONCURRENCY,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_MAX_ABORTS,
  DEFAULT_MAX_LIST_PARTS,
  DEFAULT_OLDER_THAN,
  DEFAULT_VAULT_CONCURRENCY,
  MAX_ABORT_CONCURRENCY,
  MAX_VAULT_CONCURRENCY,
  type ParamKey,
} from '../lambda/core/defaults';
import { errorSummary } from '../lambda/core/errors';
import { isWholeNumberError, parseWholeNumber } from '../lambda/core/numbers';
import { renderText } from '../lambda/core/report-text';
import { cleanText, terminalSafeJson } from '../lambda/core/sanitize';
import {
  ConfigError,
  parseSettings,
  parseVaultPattern,
  quote,
  type RawSettings,
} from '../lambda/core/settings';
import { type SweepObserver, sweepRun } from '../lambda/core/sweep';
import type { Clock, SweepReport } from '../lambda/core/types';
import { parseCli, parseEndpointUrl, UsageError } from './args';

export const EXIT_OK = 0;
export const EXIT_FINDINGS_FAILED = 1;
export const EXIT_USAGE = 2;

const FLAG_OF: Record<ParamKey, string> = {
  vaults: '--vault',
  olderThan: '--older-than',
  action: '--abort',
  accountId: '--account-id',
  maxAborts: '--max-aborts',
  exclude: '--exclude',
  notify: '--notify',
  quietPeriod: '--quiet-period',
  maxListParts: '--max-list-parts',
};

export const HELP = `Usage: glacier-sweeper scan --vault NAME[=DURATION] [options]

Lists the in-progress multipart uploads of Amazon S3 Glacier vaults and reports those older than a
threshold; with --abort, aborts them. Same rules and defaults as the scheduled Lambda.

Options:
  --vault NAME[=DURATION]   vault to sweep, repeatable; NAME=DURATION sets its own threshold;
                            '*' alone means every vault of the caller's account in the region
  --older-than DURATION     threshold: a whole number and m, h, d or w, from 24h to 3650d
                            (default ${DEFAULT_OLDER_THAN})
  --exclude REGEX           never touch uploads whose description or upload id matches
                            (RE2 syntax, matched in linear time; at most 256 characters)
  --abort                   abort stale uploads (default: report only)
  --max-aborts N            most aborts in this run; past it uploads are only reported
                            (default ${DEFAULT_MAX_ABORTS})
  --max-list-parts N        most uploads whose parts are listed (to show bytes at stake)
                            (default ${DEFAULT_MAX_LIST_PARTS})
  --quiet-period DURATION   abort an upload only once its parts stayed unchanged this long (24h or
                            more), as seen by earlier runs in --state-table; the Lambda's rule
  --state-table NAME        the stack's upload-history table (its StateTableName output): read and
                            written as the Lambda does, in report mode too. Its keys hold the vault
                            owner's account: --account-id, or else the caller's from STS
  --account-id ID           12-digit vault owner account, or '-' for the caller's (default ${DEFAULT_ACCOUNT_ID})
  --vault-pattern REGEX     with --vault '*', only vault names matching it (RE2 syntax)
  --vault-concurrency N     vaults swept at once, 1-${MAX_VAULT_CONCURRENCY} (default ${DEFAULT_VAULT_CONCURRENCY})
  --abort-concurrency N     aborts in flight per vault, 1-${MAX_ABORT_CONCURRENCY} (default ${DEFAULT_ABORT_CONCURRENCY})
  --region REGION           AWS region (default: the SDK's, e.g. AWS_REGION or your profile)
  --profile NAME            profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)
  --endpoint-url URL        send every request there, STS and DynamoDB too (LocalStack, the local
                            emulator); for one service alone use AWS_ENDPOINT_URL_<SERVICE>
                            (AWS_ENDPOINT_URL_DYNAMODB, …) without this flag
  --json                    print the JSON report instead of the table
  --wide                    print upload ids whole in the table (the JSON report always has them whole)
  -V, --version             print the tool's version and the Node.js running it
  -h, --help                show this help

Credentials and region come from the standard AWS chain (environment, profile, SSO, instance role),
resolved before the first vault: without credentials the CLI exits 2 and says how to supply them.
Progress goes to stderr when stderr is a terminal.

Exit codes: 0 ran (stale uploads found or not), 1 a vault error or a failed abort,
            2 bad arguments or configuration (the message names the argument).`;

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

function packageVersion(): string {
  // This file is cli/main.ts in a checkout and dist/cli/main.mjs in the package.
  const file = ['../package.json', '../../package.json']
    .map((path) => new URL(path, import.meta.url))
    .find((url) => existsSync(url));
  if (file === undefined) throw new Error('glacier-sweeper: no package.json above the CLI');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  return manifest.version;
}

/** A concurrency flag: absent takes the default, as the unset environment variable does. */
function concurrencyFlag(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = parseWholeNumber(value, { min: 1, max });
  if (isWholeNumberError(parsed)) throw new UsageError(`${flag} ${quote(value)}: ${parsed.error}`);
  return parsed;
}

/** What a service or the credential chain said, made safe for a terminal (it is outside text). */
const outsideError = (error: unknown): string => cleanText(errorSummary(error), 300);

/**
 * Resolves the credential chain once, before the first vault: without credentials every vault would
 * fail alike, so the run is refused with one message instead. A 403 on one vault later is that vault's
 * error, as before.
 */
async function requireCredentials(client: GlacierClient): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    throw new UsageError(
      `no AWS credentials (${outsideError(error)}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
        "name a profile with --profile or AWS_PROFILE, run 'aws sso login' for an SSO profile, " +
        'or run where an instance role is attached',
    );
  }
}

/**
 * `--state-table`: the stack's upload-history table (its StateTableName output). `--quiet-period`
 * needs it: without the history of earlier runs nothing can be proven idle.
 */
function parseStateTable(value: string | undefined, quietPeriod: boolean): string | undefined {
  if (value === undefined) {
    if (quietPeriod) {
      throw new UsageError(
        "--quiet-period needs --state-table: the upload history of earlier runs (the stack's StateTableName output) is what proves an upload idle",
      );
    }
    return undefined;
  }
  const table = value.trim();
  if (table === '')
    throw new UsageError("--state-table needs a table name (the stack's StateTableName output)");
  return table;
}

/** The caller's own account, from STS, for the history's keys; refused with both flags named when unknown. */
async function resolveAccount(options: ClientOptions): Promise<string> {
  const sts = createStsClient(options);
  try {
    return await callerAccount(sts);
  } catch (error) {
    throw new UsageError(
      `--state-table needs the vault owner's account for the history's keys, and STS could not tell the caller's (${outsideError(error)}): pass --account-id with the 12-digit account`,
    );
  } finally {
    sts.destroy();
  }
}

/** A key no run writes (theirs start with a 12-digit account or `-`): reading it proves the table readable. */
const PROBE_KEY = 'glacier-sweeper:probe';

/**
 * One read before the first vault. A table that cannot be read (a typo, no grant) proves nothing
 * idle, so every upload would stay pending run after run with nothing on the terminal saying why.
 */
async function readableHistory(client: DynamoDBClient, table: string): Promise<DynamoStateStore> {
  const store = new DynamoStateStore(client, table);
  try {
    await store.get(PROBE_KEY);
  } catch (error) {
    throw new UsageError(
      `--state-table = ${quote(table)}: the upload-history table could not be read (${outsideError(error)})`,
    );
  }
  return store;
}

/** A one-line progress display, redrawn in place; only ever written to a terminal. */
function progressObserver(stderr: CliIo['stderr']): SweepObserver {
  let scanned = 0;
  let done = 0;
  let total = 0;
  const draw = () => stderr.write(`\r\x1b[Kvaults ${done}/${total} · uploads scanned ${scanned}`);
  return {
    vaultsResolved: (vaults) => {
      total = vaults.length;
      draw();
    },
    pageListed: ({ uploads }) => {
      scanned += uploads;
      draw();
    },
    vaultListed: () => {
      done += 1;
      draw();
    },
  };
}

export interface CliOptions {
  /** The run's clock; tests move it to cross a quiet period. @default Date.now */
  readonly clock?: Clock;
}

/** Runs the CLI; returns the exit code. Never calls process.exit, so tests can drive it. */
export async function main(argv: string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    io.stderr.write(
      `glacier-sweeper: ${error instanceof Error ? error.message : String(error)}\nTry --help.\n`,
    );
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  if (values.version) {
    // The Node.js version goes with it: the CLI supports Node 22 and newer, and a bug report needs both.
    io.stdout.write(`glacier-sweeper ${packageVersion()} (Node.js ${process.version})\n`);
    return EXIT_OK;
  }
  const [command, ...extra] = positionals;
  if (command !== 'scan' || extra.length > 0) {
    io.stderr.write(
      `glacier-sweeper: expected the command 'scan'${command ? `, got ${quote(positionals.join(' '))}` : ''}\nTry --help.\n`,
    );
    return EXIT_USAGE;
  }

  let report: SweepReport;
  let account = values['account-id'] ?? DEFAULT_ACCOUNT_ID;
  try {
    if (!values.vault || values.vault.length === 0)
      throw new UsageError('--vault is required (a name, NAME=DURATION, or *)');
    const raw: RawSettings = {
      vaults: values.vault.join(','),
      action: values.abort ? 'abort' : 'report',
      ...(values['older-than'] === undefined ? {} : { olderThan: values['older-than'] }),
      ...(values.exclude === undefined ? {} : { exclude: values.exclude }),
      ...(values['max-aborts'] === undefined ? {} : { maxAborts: values['max-aborts'] }),
      ...(values['max-list-parts'] === undefined ? {} : { maxListParts: values['max-list-parts'] }),
      ...(values['account-id'] === undefined ? {} : { accountId: values['account-id'] }),
      ...(values['quiet-period'] === undefined ? {} : { quietPeriod: values['quiet-period'] }),
    };
    const settings = parseSettings(raw, { name: (key) => FLAG_OF[key] });
    const stateTable = parseStateTable(values['state-table'], settings.quietPeriod !== undefined);
    const vaultPattern = parseVaultPattern(values['vault-pattern'], '--vault-pattern');
    const vaultConcurrency = concurrencyFlag(
      values['vault-concurrency'],
      '--vault-concurrency',
      DEFAULT_VAULT_CONCURRENCY,
      MAX_VAULT_CONCURRENCY,
    );
    const abortConcurrency = concurrencyFlag(
      values['abort-concurrency'],
      '--abort-concurrency',
      DEFAULT_ABORT_CONCURRENCY,
      MAX_ABORT_CONCURRENCY,
    );
    const endpoint = parseEndpointUrl(values['endpoint-url']);
    const clients = createClients({ region: values.region, profile: values.profile, endpoint });
    const region = await clients.glacier.config.region().catch(() => undefined);
    if (!region) throw new UsageError('no AWS region: pass --region or set AWS_REGION');
    await requireCredentials(clients.glacier);
    // The history's keys hold the vault owner's account, as the Lambda's do: the same table serves both.
    if (stateTable !== undefined && account === DEFAULT_ACCOUNT_ID)
      account = await resolveAccount({ region, profile: values.profile, endpoint });
    const state = stateTable === undefined ? undefined : await readableHistory(clients.dynamodb, stateTable);
    const observer = io.stderr.isTTY ? progressObserver(io.stderr) : undefined;
    report = await sweepRun({
      api: new GlacierVaultApi(clients.glacier, settings.accountId),
      settings,
      clock: options.clock ?? Date.now,
      deadline: Number.POSITIVE_INFINITY,
      vaultConcurrency,
      abortConcurrency,
      runId: randomUUID(),
      region,
      account,
      state,
      vaultPattern,
      vaultPatternNames: {
        pattern: '--vault-pattern',
        text: values['vault-pattern'] ?? '',
        vaults: FLAG_OF.vaults,
      },
      ...(observer ? { observer } : {}),
    });
    if (observer) io.stderr.write('\r\x1b[K');
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.stderr.write(`glacier-sweeper: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }

  io.stdout.write(
    values.json
      ? `${terminalSafeJson(report, 2)}\n`
      : `${renderText(report, {
          account,
          enableAbort: 'run again with --abort',
          moreHint: 'run with --json for the full report',
          wideIds: values.wide,
        })}\n`,
  );
  return report.totals.vaultErrors > 0 || report.totals.failed > 0 ? EXIT_FINDINGS_FAILED : EXIT_OK;
}
