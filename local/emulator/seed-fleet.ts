import { type AccountDirectory, AccountError, type AccountState } from './accounts';
import { OrganizationError, type OrganizationState } from './organizations';
import { S3Error, type S3State } from './s3';
import { type Seed, SeedError } from './seed';

/** An AWS account: its Organizations entry, its opt-in regions and any static keys of its own. */
export interface SeedAccount {
  /** 12 digits. */
  id: string;
  name?: string;
  email?: string;
  /** Organizations' `State`; default ACTIVE. */
  state?: AccountState;
  joinedMethod?: 'INVITED' | 'CREATED';
  joinedAt?: string;
  /** Listed by ListAccounts when an organization is seeded; default true. */
  inOrganization?: boolean;
  /** Opt-in regions not enabled: this account's credentials are refused there. */
  disabledRegions?: string[];
  /** Access key ids (not issued by STS) that sign as this account's base user. */
  accessKeyIds?: string[];
}

/** An IAM role STS may assume; a role nobody seeded does not exist, and AssumeRole is denied. */
export interface SeedRole {
  /** Default: the emulator's account. */
  accountId?: string;
  name: string;
  path?: string;
  /** Refuse every AssumeRole, as a trust policy that does not name the caller does. */
  deny?: boolean;
  /** Principal ARNs (a role's or user's) or account ids allowed to assume it; absent = anyone. */
  trustedPrincipals?: string[];
  /** Default 3600, as IAM's default. */
  maxSessionDurationSeconds?: number;
}

/** An AWS Organization over the seeded accounts (those with `inOrganization` not false). */
export interface SeedOrganization {
  /** `o-` and 10 to 32 lowercase letters or digits; default o-a1b2c3d4e5. */
  id?: string;
  /** Default: the emulator's account. Listed first, seeded as an account or not. */
  managementAccountId?: string;
  /** Member accounts allowed to call ListAccounts besides the management account. */
  delegatedAdministrators?: string[];
  /** Also emit the account `Status` that AWS retired on 2026-09-09; default false (`State` only). */
  legacyStatus?: boolean;
  /** Most accounts per ListAccounts page whatever MaxResults says (1-20; default 20). */
  pageSize?: number;
  /** The first ListAccounts page is empty but has a NextToken, as AWS says can happen. */
  leadingEmptyPage?: boolean;
}

function asSeedError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof AccountError || error instanceof OrganizationError || error instanceof S3Error)
      throw new SeedError(error.message, { cause: error });
    throw error;
  }
}

/** The parts of a seed beyond vaults, parameters and topics. Seeding an id again replaces it. */
export function applyFleetSeed(
  seed: Seed,
  accounts: AccountDirectory,
  organizations: OrganizationState,
  s3: S3State,
): void {
  asSeedError(() => {
    for (const account of seed.accounts ?? []) accounts.putAccount(account);
    for (const role of seed.roles ?? []) accounts.putRole(role);
    if (seed.organization) organizations.set(seed.organization, accounts.defaultAccountId);
    for (const bucket of seed.buckets ?? []) s3.createBucket(bucket);
  });
}
