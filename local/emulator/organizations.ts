import type { AccountDirectory, AccountRecord, AccountState, Caller } from './accounts';
import { type Reply, ServiceError } from './errors';
import type { HttpCall } from './http-call';

export const ORGANIZATIONS_TARGET = 'AWSOrganizationsV20161128.';

export interface OrganizationConfig {
  id: string;
  managementAccountId: string;
  /** Member accounts that may call ListAccounts besides the management account. */
  delegatedAdministrators: Set<string>;
  /** Also emit `Status`, which AWS retired on 2026-09-09 in favour of `State`. */
  legacyStatus: boolean;
  /** The most accounts a page holds, whatever MaxResults asks: AWS may return fewer. */
  pageSize: number;
  /** Answer the first call with no accounts and a NextToken, which AWS documents it may do. */
  leadingEmptyPage: boolean;
}

export interface NewOrganization {
  id?: string | undefined;
  managementAccountId?: string | undefined;
  delegatedAdministrators?: string[] | undefined;
  legacyStatus?: boolean | undefined;
  pageSize?: number | undefined;
  leadingEmptyPage?: boolean | undefined;
}

const MAX_RESULTS = 20;

/** The retired `Status` had three values; `State` splits them further. */
const LEGACY_STATUS: Record<AccountState, string | undefined> = {
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  PENDING_CLOSURE: 'PENDING_CLOSURE',
  // A closed account stayed SUSPENDED under the old field during its 90 days in the organization.
  CLOSED: 'SUSPENDED',
  PENDING_ACTIVATION: undefined,
};

export class OrganizationError extends Error {
  override name = 'OrganizationError';
}

export class OrganizationState {
  config: OrganizationConfig | undefined;

  set(input: NewOrganization, defaultAccountId: string): OrganizationConfig {
    const id = input.id ?? 'o-a1b2c3d4e5';
    if (!/^o-[a-z0-9]{10,32}$/.test(id))
      throw new OrganizationError(`organization id must match o-[a-z0-9]{10,32}: ${id}`);
    const pageSize = input.pageSize ?? MAX_RESULTS;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_RESULTS)
      throw new OrganizationError(`organization pageSize must be 1 to ${MAX_RESULTS}, got ${pageSize}`);
    this.config = {
      id,
      managementAccountId: input.managementAccountId ?? defaultAccountId,
      delegatedAdministrators: new Set(input.delegatedAdministrators ?? []),
      legacyStatus: input.legacyStatus ?? false,
      pageSize,
      leadingEmptyPage: input.leadingEmptyPage ?? false,
    };
    return this.config;
  }

  clear(): void {
    this.config = undefined;
  }
}

export function organizationsOperation(target: string): string {
  return target.slice(ORGANIZATIONS_TARGET.length);
}

function invalidInput(reason: string, message: string): ServiceError {
  return new ServiceError(400, 'InvalidInputException', message, { Reason: reason });
}

function readInput(call: HttpCall): Record<string, unknown> {
  if (call.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(call.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new ServiceError(400, 'SerializationException', 'The request body is not a JSON object');
}

/** Tokens are opaque: the id the next page starts after (empty = from the start). */
function encodeToken(afterId: string): string {
  return Buffer.from(`v1:${afterId}`, 'utf8').toString('base64url');
}

function decodeToken(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === 'string' ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  if (!text.startsWith('v1:') || encodeToken(text.slice(3)) !== raw)
    throw invalidInput('INVALID_NEXT_TOKEN', 'You specified an invalid value for nextToken.');
  return text.slice(3);
}

function maxResults(raw: unknown): number {
  if (raw === undefined || raw === null) return MAX_RESULTS;
  if (typeof raw !== 'number' || !Number.isInteger(raw))
    throw invalidInput('INVALID_INPUT', 'MaxResults must be a whole number.');
  if (raw < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is smaller than allowed.');
  if (raw > MAX_RESULTS)
    throw invalidInput('MAX_VALUE_EXCEEDED', 'You provided a value that exceeds the maximum allowed value.');
  return raw;
}

/** The management account first, then every member in the order it was seeded. */
function members(accounts: AccountDirectory, config: OrganizationConfig): AccountRecord[] {
  const management = accounts.accounts.get(config.managementAccountId) ?? {
    id: config.managementAccountId,
    name: 'management',
    email: `aws+${config.managementAccountId}@example.com`,
    state: 'ACTIVE',
    joinedMethod: 'CREATED',
    joinedTimestamp: new Date('2021-01-01T00:00:00Z'),
    inOrganization: true,
    disabledRegions: new Set<string>(),
  };
  const others = [...accounts.accounts.values()].filter(
    (account) => account.inOrganization && account.id !== management.id,
  );
  return [management, ...others];
}

function accountEntry(account: AccountRecord, config: OrganizationConfig) {
  const status = config.legacyStatus ? LEGACY_STATUS[account.state] : undefined;
  return {
    Id: account.id,
    Arn: `arn:aws:organizations::${config.managementAccountId}:account/${config.id}/${account.id}`,
    Email: account.email,
    Name: account.name,
    ...(status === undefined ? {} : { Status: status }),
    State: account.state,
    JoinedMethod: account.joinedMethod,
    // JSON 1.1 sends timestamps as epoch seconds.
    JoinedTimestamp: account.joinedTimestamp.getTime() / 1000,
  };
}

function listAccounts(state: OrganizationState, accounts: AccountDirectory, call: HttpCall, caller: Caller) {
  const config = state.config;
  const listed = config === undefined ? [] : members(accounts, config);
  if (config === undefined || !listed.some((account) => account.id === caller.accountId)) {
    throw new ServiceError(
      404,
      'AWSOrganizationsNotInUseException',
      'Your account is not a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization.',
    );
  }
  if (
    caller.accountId !== config.managementAccountId &&
    !config.delegatedAdministrators.has(caller.accountId)
  ) {
    throw new ServiceError(
      403,
      'AccessDeniedException',
      "You don't have permissions to access this resource.",
    );
  }
  const input = readInput(call);
  const limit = Math.min(maxResults(input.MaxResults), config.pageSize);
  const after = decodeToken(input.NextToken);
  if (after === undefined && config.leadingEmptyPage) return { Accounts: [], NextToken: encodeToken('') };
  const start =
    after === undefined || after === '' ? 0 : listed.findIndex((account) => account.id === after) + 1;
  if (start === 0 && after !== undefined && after !== '')
    throw invalidInput('INVALID_NEXT_TOKEN', 'You specified an invalid value for nextToken.');
  const page = listed.slice(start, start + limit);
  const last = page.at(-1);
  const more = start + limit < listed.length;
  return {
    Accounts: page.map((account) => accountEntry(account, config)),
    ...(more && last !== undefined ? { NextToken: encodeToken(last.id) } : {}),
  };
}

export function handleOrganizations(
  state: OrganizationState,
  accounts: AccountDirectory,
  operation: string,
  call: HttpCall,
  caller: Caller,
): Reply {
  switch (operation) {
    case 'ListAccounts':
      return {
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': call.requestId },
        body: JSON.stringify(listAccounts(state, accounts, call, caller)),
      };
    default:
      throw new ServiceError(400, 'UnknownOperationException', `${operation} is not emulated`);
  }
}
