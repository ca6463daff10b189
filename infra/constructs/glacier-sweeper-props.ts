import type { Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Action, Notify } from '../../lambda/core/types';

/**
 * Props of {@link GlacierSweeper}.
 *
 * The first group sets the *initial* values of the SSM parameters under `ssmPrefix`. The function
 * reads those parameters on every run, so operators change them with `aws ssm put-parameter` and no
 * deploy. CloudFormation writes a parameter only when its value in the template changes: a deploy with
 * unchanged props leaves a hand-edited parameter alone, but changing the prop overwrites the hand edit.
 *
 * Every prop is validated at synth by the same parsers the function uses; a bad value fails synth
 * with `GlacierSweeper: invalid prop <name>: …`.
 */
export interface GlacierSweeperProps {
  /**
   * Initial `vaults` parameter: vault names, each optionally with its own threshold
   * (`backups,logs=3d`), as one comma-separated string or as an array of entries; or `*` for every
   * vault of the account in the region.
   *
   * @default '*' when `action` is `report` (discovery: report mode never aborts). With
   * `action: 'abort'` this prop is required: synth fails rather than abort in every vault by default.
   */
  readonly vaults?: string | readonly string[];

  /**
   * Initial `older-than` parameter: the default threshold, a whole number and a unit `m`, `h`, `d`
   * or `w`, from 24h to 3650d.
   *
   * @default '7d'
   */
  readonly olderThan?: string;

  /**
   * Initial `action` parameter: `report` or `abort`.
   *
   * @default 'report'
   */
  readonly action?: Action;

  /**
   * Initial `account-id` parameter: the 12-digit account that owns the vaults, or `-` for the
   * function's own. Another account must be listed in `vaultAccountIds` (the IAM grant) and must grant
   * the function's role in its vault access policies.
   *
   * @default '-'
   */
  readonly accountId?: string;

  /**
   * Initial `max-aborts` parameter: most aborts in one run; past it the run only reports.
   *
   * @default 1000
   */
  readonly maxAborts?: number | string;

  /**
   * Initial `exclude` parameter: a pattern in RE2 syntax (the subset the README lists, at most 256
   * characters), matched in linear time and searched in each upload's description and id; a match is
   * never touched. SSM has no empty parameters, so the parameter is created only when this prop is
   * set; the function treats an absent one as none.
   *
   * @default - no `exclude` parameter
   */
  readonly exclude?: string;

  /**
   * Initial `notify` parameter: `findings` (publish when something is stale or failed) or `always`.
   *
   * @default 'findings'
   */
  readonly notify?: Notify;

  /**
   * Initial `quiet-period` parameter: a stale upload is aborted only once its parts have not changed
   * for this long, as recorded by earlier runs in the stack's state table (a `DURATION`, 24h to
   * 3650d). SSM has no empty parameters, so the parameter is created only when this prop is set; the
   * function treats an absent one as "no quiet period". The state table exists either way, so the
   * parameter can be created later in SSM without a deploy.
   *
   * @default - no `quiet-period` parameter
   */
  readonly quietPeriod?: string;

  /**
   * Initial `max-list-parts` parameter: most upload part listings (Glacier ListParts calls, one
   * measurement per stale upload) in one run.
   *
   * @default 2000
   */
  readonly maxListParts?: number | string;

  /**
   * When to run: an EventBridge Scheduler expression, `cron(…)` with 6 fields (minutes hours
   * day-of-month month day-of-week year; one of the two day fields `?`) or `rate(N unit)` (N ≥ 1;
   * minute, hour or day, plural when N > 1). Anything else fails synth.
   *
   * The "no successful run in two days" alarm assumes at least one run a day; a sparser schedule
   * keeps that alarm in ALARM.
   *
   * @default 'cron(0 3 * * ? *)' (daily, 03:00 in `timezone`)
   */
  readonly schedule?: string;

  /**
   * IANA time zone of a `cron(…)` schedule.
   *
   * @default 'Etc/UTC'
   */
  readonly timezone?: string;

  /**
   * Email addresses subscribed to the topic (reports and alarms). Each address must confirm the
   * subscription from the email AWS sends.
   *
   * @default - no subscriptions
   */
  readonly alertEmails?: readonly string[];

  /**
   * SSM path holding the parameters (leading slash, no trailing slash). Two sweepers in one account
   * and region need different prefixes.
   *
   * @default '/glacier-sweeper'
   */
  readonly ssmPrefix?: string;

  /**
   * Function memory in MB, 128 to 10240.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Function timeout, 1 to 15 minutes. The sweep stops listing and aborting before it and reports
   * what it did not finish.
   *
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;

  /**
   * Retention of the function's log group. The log is the audit trail of every abort, so keep it at
   * least as long as anyone may ask what was aborted. The log group is retained when the stack is
   * deleted.
   *
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;

  /**
   * Reserved concurrency of the function. 1 keeps two runs (the schedule and a manual invocation)
   * from sweeping the same vaults at once. Reserving takes from the account's unreserved pool, which
   * must stay at or above its minimum (100 by default): in accounts with a low concurrency quota pass
   * `false` to reserve nothing.
   *
   * @default 1
   */
  readonly reservedConcurrency?: number | false;

  /**
   * How many vaults one run sweeps at once, passed to the function as `SWEEPER_VAULT_CONCURRENCY`:
   * a whole number from 1 to 32 (beyond it Glacier only throttles). Each vault
   * in flight lists its pages and aborts in turn, so the request rate on the account grows with it
   * (times `abortConcurrency` while aborting).
   *
   * @default 4
   */
  readonly vaultConcurrency?: number;

  /**
   * How many aborts one vault has in flight at once, passed to the function as
   * `SWEEPER_ABORT_CONCURRENCY`: a whole number from 1 to 64. Up to
   * `vaultConcurrency` × this many abort requests run together.
   *
   * @default 8
   */
  readonly abortConcurrency?: number;

  /**
   * Emit the sweeper's metrics per vault (dimension `Vault`) besides the run totals, passed to the
   * function as `SWEEPER_VAULT_METRICS` (`on` / `off`). Each vault that reports adds 7 custom
   * metrics to the CloudWatch bill (1,000 vaults: 7,000 metrics, up to about $2,100 a month at
   * $0.30 per metric-month; docs/DEPLOY.md has the arithmetic). Every alarm watches the run totals,
   * and the report, the email and the log carry the per-vault figures either way; with this off the
   * dashboard draws the totals instead of one line per vault.
   *
   * @default false (run totals only)
   */
  readonly perVaultMetrics?: boolean;

  /**
   * Accounts whose vaults the function may list and abort in (IAM resources). The function's own
   * account must be listed too if it sweeps it: with `accountId` `-`, synth fails when it is left out
   * (or, when the stack's account is unknown until deploy, a template rule fails the deploy).
   * `account-id` may be switched in SSM among these without a deploy.
   *
   * @default - this stack's account
   */
  readonly vaultAccountIds?: readonly string[];

  /**
   * A pattern in RE2 syntax (the subset the README lists) on vault names, passed to the function as
   * `SWEEPER_VAULT_PATTERN`: `*` then expands only to matching vaults. A simple anchored literal
   * pattern (`^backup-`, `^backup-.*$`, `^archive$`) also narrows the IAM grant to those vault names;
   * any other pattern keeps the grant at every vault of `vaultAccountIds` and relies on the run-time
   * filter. Every vault named in `vaults` must match it.
   *
   * @default - no pattern: every vault
   */
  readonly vaultPattern?: string;

  /**
   * Narrows the role's per-vault actions (ListMultipartUploads, ListParts, AbortMultipartUpload) from
   * every vault of `vaultAccountIds` in this region to the vaults named in `vaults`, in each of those
   * accounts (`arn:aws:glacier:REGION:ACCOUNT:vaults/NAME`), and drops ListVaults, which only serves
   * `*`. `vaults` must then name its vaults: `*` fails synth.
   *
   * The trade-off: the vault list in SSM can no longer grow without a deploy. A vault added to the
   * `vaults` parameter later is denied by IAM (a vault error naming AccessDenied in the report, the
   * other vaults swept as usual) until the stack is deployed again with it in `vaults`.
   *
   * @default false (the grant spans every vault of `vaultAccountIds`, or those of `vaultPattern`'s glob)
   */
  readonly grantNamedVaultsOnly?: boolean;
}
