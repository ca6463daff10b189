/**
 * The one home of every default and name in the contract (docs/CONTRACT.md). The Lambda, the CLI and
 * the CDK construct all import from here, so a default can never drift between them.
 */

export const DEFAULT_SSM_PREFIX = '/glacier-sweeper';
export const DEFAULT_OLDER_THAN = '7d';
export const DEFAULT_ACTION = 'report';
export const DEFAULT_ACCOUNT_ID = '-';
export const DEFAULT_MAX_ABORTS = 1000;
export const DEFAULT_NOTIFY = 'findings';
export const DEFAULT_VAULT_CONCURRENCY = 4;
export const DEFAULT_ABORT_CONCURRENCY = 8;
/**
 * Most upload part listings (ListParts calls) in one run: each stale upload is measured once, so this
 * bounds the extra requests on a vault full of abandoned uploads.
 */
export const DEFAULT_MAX_LIST_PARTS = 2000;
/** A state record lives this long after its upload was last seen (DynamoDB TTL attribute). */
export const STATE_TTL_DAYS = 30;
/** Partition key attribute of the upload-history table (String): `accountId:region:vault#uploadId`. */
export const STATE_KEY_ATTRIBUTE = 'pk';
/** The history table's TTL attribute: epoch seconds. */
export const STATE_TTL_ATTRIBUTE = 'ttl';

/**
 * Glacier's limit on an archive description (the ArchiveDescription of an upload): a longer one
 * cannot be legitimate, so every copy of a description (report, published JSON, log) is cut there.
 */
export const GLACIER_MAX_DESCRIPTION_CHARS = 1024;

/** Glacier's documented maximum (and default) page size for ListMultipartUploads. */
export const LIST_PAGE_SIZE = 50;

/** Thresholds under a day mostly hit live uploads: Glacier itself may drop uploads idle for 24 h. */
export const MIN_THRESHOLD_MS = 24 * 60 * 60 * 1000;
export const MAX_THRESHOLD_MS = 3650 * 24 * 60 * 60 * 1000;
export const MAX_EXCLUDE_LENGTH = 256;
/** Upper bounds for the concurrency settings: beyond these Glacier only throttles. */
export const MAX_VAULT_CONCURRENCY = 32;
export const MAX_ABORT_CONCURRENCY = 64;

export const ACTIONS = ['report', 'abort'] as const;
export const NOTIFY_MODES = ['findings', 'always'] as const;

/** Names of the SSM parameters under the prefix. */
export const PARAM = {
  vaults: 'vaults',
  olderThan: 'older-than',
  action: 'action',
  accountId: 'account-id',
  maxAborts: 'max-aborts',
  exclude: 'exclude',
  notify: 'notify',
  quietPeriod: 'quiet-period',
  maxListParts: 'max-list-parts',
} as const;
export type ParamKey = keyof typeof PARAM;

/** Environment variables of the function. */
export const ENV = {
  ssmPrefix: 'SWEEPER_SSM_PREFIX',
  topicArn: 'SWEEPER_TOPIC_ARN',
  vaultConcurrency: 'SWEEPER_VAULT_CONCURRENCY',
  abortConcurrency: 'SWEEPER_ABORT_CONCURRENCY',
  vaultPattern: 'SWEEPER_VAULT_PATTERN',
  stateTable: 'SWEEPER_STATE_TABLE',
  vaultMetrics: 'SWEEPER_VAULT_METRICS',
} as const;

/**
 * SWEEPER_VAULT_METRICS: `on` adds the per-vault metrics (dimension Vault) to the run totals. Off by
 * default: each vault costs 7 custom metrics, and every alarm watches the totals (docs/DEPLOY.md).
 */
export const VAULT_METRICS_MODES = ['on', 'off'] as const;
export const DEFAULT_VAULT_METRICS = 'off';

export const METRIC_NAMESPACE = 'GlacierSweeper';
export const METRIC_DIMENSION_VAULT = 'Vault';
export const METRICS = {
  scanned: 'UploadsScanned',
  stale: 'StaleUploads',
  aborted: 'UploadsAborted',
  abortFailures: 'AbortFailures',
  vaultErrors: 'VaultErrors',
  anomalies: 'Anomalies',
  runsCompleted: 'RunsCompleted',
  bytesAtStake: 'BytesAtStake',
} as const;

export const SERVICE_NAME = 'glacier-sweeper';

/**
 * Fleet mode's own SSM parameters, beside the single-account ones (PARAM, less `account-id`) under
 * the hub's prefix. Apart from PARAM so the single-account stack keeps reading its nine names in one
 * GetParameters call; the hub reads its twelve in two (GetParameters takes at most ten names).
 */
export const FLEET_PARAM = {
  accounts: 'accounts',
  excludeAccounts: 'exclude-accounts',
  abortAccounts: 'abort-accounts',
  regions: 'regions',
} as const;
export type FleetParamKey = keyof typeof FLEET_PARAM;
/** `accounts` = this word: every ACTIVE account of the Organization (ListAccounts, every page). */
export const ACCOUNTS_ORGANIZATION = 'organization';
/**
 * Most account × region targets in one run. The target list travels inline in the state (Plan's
 * output, the Distributed Maps' items) and Step Functions caps a state's payload at 256 KiB; at about
 * 60 bytes per target, 2,000 leave room for the rest. Past it, a configuration error names the count.
 */
export const MAX_FLEET_TARGETS = 2000;
