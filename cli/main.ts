import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClients } from '../lambda/adapters/clients';
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
import { isWholeNumberError, parseWholeNumber } from '../lambda/core/numbers';
import { renderText } from '../lambda/core/report-text';
import { terminalSafeJson } from '../lambda/core/sanitize';
import {
  ConfigError,
  parseSettings,
  parseVaultPattern,
  quote,
  type RawSettings,
} from '../lambda/core/settings';
import { type SweepObserver, sweepRun } from '../lambda/core/sweep';
import type { SweepReport } from '../lambda/core/types';

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
  --account-id ID           12-digit vault owner account, or '-' for the caller's (default ${DEFAULT_ACCOUNT_ID})
  --vault-pattern REGEX     with --vault '*', only vault names matching it (RE2 syntax)
  --vault-concurrency N     vaults swept at once, 1-${MAX_VAULT_CONCURRENCY} (default ${DEFAULT_VAULT_CONCURRENCY})
  --abort-concurrency N     aborts in flight per vault, 1-${MAX_ABORT_CONCURRENCY} (default ${DEFAULT_ABORT_CONCURRENCY})
  --region REGION           AWS region (default: the SDK's, e.g. AWS_REGION or your profile)
  --endpoint-url URL        send every request there (LocalStack, the local emulator)
  --json                    print the JSON report instead of the table
  -V, --version             print the tool's version and the Node.js running it
  -h, --help                show this help

Credentials and region come from the standard AWS chain (environment, profile, SSO, instance role).
Progress goes to stderr when stderr is a terminal.

Exit codes: 0 ran (stale uploads found or not), 1 a vault error or a failed abort,
            2 bad arguments or configuration (the message names the argument).`;

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A concurrency flag: absent takes the default, as the unset environment variable does. */
function concurrencyFlag(value: string | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = parseWholeNumber(value, { min: 1, max });
  if (isWholeNumberError(parsed)) throw new UsageError(`${flag} ${quote(value)}: ${parsed.error}`);
  return parsed;
}

function parseCli(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      vault: { type: 'string', multiple: true },
      'older-than': { type: 'string' },
      exclude: { type: 'string' },
      abort: { type: 'boolean', default: false },
      'max-aborts': { type: 'string' },
      'max-list-parts': { type: 'string' },
      'account-id': { type: 'string' },
      'vault-pattern': { type: 'string' },
      'vault-concurrency': { type: 'string' },
      'abort-concurrency': { type: 'string' },
      region: { type: 'string' },
      'endpoint-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'V', default: false },
    },
  });
  return { values, positionals };
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
    vaultDone: () => {
      done += 1;
      draw();
    },
  };
}

/** Runs the CLI; returns the exit code. Never calls process.exit, so tests can drive it. */
export async function main(argv: string[], io: CliIo): Promise<number> {
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
    };
    const settings = parseSettings(raw, { name: (key) => FLAG_OF[key] });
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
    const clients = createClients({ region: values.region, endpoint: values['endpoint-url'] });
    const region = await clients.glacier.config.region().catch(() => undefined);
    if (!region) throw new UsageError('no AWS region: pass --region or set AWS_REGION');
    const observer = io.stderr.isTTY ? progressObserver(io.stderr) : undefined;
    report = await sweepRun({
      api: new GlacierVaultApi(clients.glacier, settings.accountId),
      settings,
      clock: Date.now,
      deadline: Number.POSITIVE_INFINITY,
      vaultConcurrency,
      abortConcurrency,
      runId: randomUUID(),
      region,
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
      : `${renderText(report, { account: values['account-id'] ?? DEFAULT_ACCOUNT_ID, enableAbort: 'run again with --abort' })}\n`,
  );
  return report.totals.vaultErrors > 0 || report.totals.failed > 0 ? EXIT_FINDINGS_FAILED : EXIT_OK;
}
