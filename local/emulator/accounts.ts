import { createHash, randomBytes } from 'node:crypto';

/** The account lifecycle as Organizations' `State` field names it. */
export type AccountState = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface AccountRecord {
  id: string;
  name: string;
  email: string;
  state: AccountState;
  joinedMethod: 'INVITED' | 'CREATED';
  joinedTimestamp: Date;
  /** Listed by Organizations when an organization is configured. */
  inOrganization: boolean;
  /** Opt-in regions this account has not enabled: its credentials are not recognised there. */
  disabledRegions: Set<string>;
}

export interface RoleRecord {
  arn: string;
  accountId: string;
  name: string;
  roleId: string;
  /** AssumeRole is refused for everyone, as when the trust policy names nobody who calls. */
  deny: boolean;
  /** Principal ARNs or account ids the trust policy allows; undefined = anyone. */
  trustedPrincipals: string[] | undefined;
  maxSessionDurationSeconds: number;
}

/** Credentials AssumeRole handed out. */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  accountId: string;
  roleArn: string;
  sessionName: string;
  assumedRoleArn: string;
  assumedRoleId: string;
  /** Region of the STS endpoint that issued them. */
  issuedIn: string;
  /** GetCallerIdentity ARN of whoever assumed the role. */
  assumedBy: string;
}

/** Who sent a request, as far as the emulator can tell from the access key id. */
export interface Caller {
  accessKeyId: string | undefined;
  accountId: string;
  /** The principal a trust policy sees: the user, or the role behind an assumed-role session. */
  principalArn: string;
  /** The ARN GetCallerIdentity answers. */
  arn: string;
  userId: string;
  session: Session | undefined;
}

export interface NewAccount {
  id: string;
  name?: string | undefined;
  email?: string | undefined;
  state?: AccountState | undefined;
  joinedMethod?: 'INVITED' | 'CREATED' | undefined;
  joinedAt?: string | Date | undefined;
  inOrganization?: boolean | undefined;
  disabledRegions?: string[] | undefined;
  accessKeyIds?: string[] | undefined;
}

export interface NewRole {
  accountId?: string | undefined;
  name: string;
  /** IAM path, `/` when absent. */
  path?: string | undefined;
  deny?: boolean | undefined;
  trustedPrincipals?: string[] | undefined;
  maxSessionDurationSeconds?: number | undefined;
}

export const BASE_USER = 'emulator';
const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_STATES = new Set(['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']);
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A stable IAM-style unique id (`AIDA…`, `AROA…`) derived from a name. */
function stableId(prefix: string, text: string): string {
  const digest = createHash('sha256').update(text).digest();
  let id = prefix;
  for (let i = 0; id.length < 21; i += 1) id += BASE32[(digest[i] ?? 0) % 32];
  return id;
}

function randomKey(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let key = prefix;
  for (let i = 0; key.length < length; i += 1) key += BASE32[(bytes[i] ?? 0) % 32];
  return key;
}

export class AccountError extends Error {
  override name = 'AccountError';
}

/**
 * Accounts, IAM roles and the credentials STS issued. Any access key the emulator did not issue (the
 * SDK tests' `test`) belongs to the default account, unless a seed gave it to another account.
 */
export class AccountDirectory {
  readonly accounts = new Map<string, AccountRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly sessions = new Map<string, Session>();
  private readonly staticKeys = new Map<string, string>();

  constructor(
    readonly defaultAccountId: string,
    readonly defaultRegion: string,
  ) {}

  clear(): void {
    this.accounts.clear();
    this.roles.clear();
    this.sessions.clear();
    this.staticKeys.clear();
  }

  /** Adds an account, or replaces the settings of one already there. */
  putAccount(input: NewAccount): AccountRecord {
    if (!ACCOUNT_ID.test(input.id)) throw new AccountError(`account id must be 12 digits, got ${input.id}`);
    const state = input.state ?? 'ACTIVE';
    if (!ACCOUNT_STATES.has(state)) throw new AccountError(`account ${input.id}: unknown state ${state}`);
    const joined = input.joinedAt === undefined ? new Date('2021-01-01T00:00:00Z') : new Date(input.joinedAt);
    if (Number.isNaN(joined.getTime()))
      throw new AccountError(`account ${input.id}: bad joinedAt ${input.joinedAt}`);
    const record: AccountRecord = {
      id: input.id,
      name: input.name ?? `account-${input.id}`,
      email: input.email ?? `aws+${input.id}@example.com`,
      state,
      joinedMethod: input.joinedMethod ?? 'CREATED',
      joinedTimestamp: joined,
      inOrganization: input.inOrganization ?? true,
      disabledRegions: new Set(input.disabledRegions ?? []),
    };
    this.accounts.set(record.id, record);
    for (const key of input.accessKeyIds ?? []) this.staticKeys.set(key, record.id);
    return record;
  }

  putRole(input: NewRole): RoleRecord {
    const accountId = input.accountId ?? this.defaultAccountId;
    if (!ACCOUNT_ID.test(accountId))
      throw new AccountError(`role ${input.name}: bad account id ${accountId}`);
    if (!/^[\w+=,.@-]{1,64}$/.test(input.name)) throw new AccountError(`bad role name ${input.name}`);
    const path = input.path ?? '/';
    if (!/^\/([\x21-\x7e]*\/)?$/.test(path)) throw new AccountError(`role ${input.name}: bad path ${path}`);
    const arn = `arn:aws:iam::${accountId}:role${path}${input.name}`;
    const role: RoleRecord = {
      arn,
      accountId,
      name: input.name,
      roleId: stableId('AROA', arn),
      deny: input.deny ?? false,
      trustedPrincipals: input.trustedPrincipals,
      maxSessionDurationSeconds: input.maxSessionDurationSeconds ?? 3600,
    };
    this.roles.set(arn, role);
    return role;
  }

  /** False where the account has not enabled the (opt-in) region. Unknown accounts have every region. */
  regionEnabled(accountId: string, region: string): boolean {
    return !(this.accounts.get(accountId)?.disabledRegions.has(region) ?? false);
  }

  caller(accessKeyId: string | undefined): Caller {
    const session = accessKeyId === undefined ? undefined : this.sessions.get(accessKeyId);
    if (session !== undefined) {
      return {
        accessKeyId,
        accountId: session.accountId,
        principalArn: session.roleArn,
        arn: session.assumedRoleArn,
        userId: session.assumedRoleId,
        session,
      };
    }
    const accountId = (accessKeyId && this.staticKeys.get(accessKeyId)) || this.defaultAccountId;
    const arn = `arn:aws:iam::${accountId}:user/${BASE_USER}`;
    return {
      accessKeyId,
      accountId,
      principalArn: arn,
      arn,
      userId: stableId('AIDA', arn),
      session: undefined,
    };
  }

  issue(role: RoleRecord, sessionName: string, durationSeconds: number, region: string, by: Caller): Session {
    const accessKeyId = randomKey('ASIA', 20);
    const session: Session = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `emulator/${randomBytes(48).toString('base64')}`,
      expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + durationSeconds * 1000),
      accountId: role.accountId,
      roleArn: role.arn,
      sessionName,
      assumedRoleArn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
      assumedRoleId: `${role.roleId}:${sessionName}`,
      issuedIn: region,
      assumedBy: by.arn,
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }
}
