import type { AccountDirectory, Caller } from './accounts';
import { type Reply, ServiceError, STS_NAMESPACE, xmlEscape } from './errors';
import type { HttpCall } from './http-call';

/** The query API version STS requests carry; tells an unsigned STS request from an SNS one. */
export const STS_VERSION = '2011-06-15';

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/[\x21-\x7e]+$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const CHAINED_SESSION_LIMIT = 3600;

function validation(message: string): ServiceError {
  return new ServiceError(400, 'ValidationError', message);
}

function xml(action: string, result: string, requestId: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** What a trust policy allowing `trusted` lets in: the principal itself, or its whole account. */
function trusts(trusted: string[] | undefined, caller: Caller): boolean {
  if (trusted === undefined) return true;
  const root = `arn:aws:iam::${caller.accountId}:root`;
  return trusted.some((entry) => [caller.principalArn, caller.arn, caller.accountId, root].includes(entry));
}

function durationSeconds(raw: string | null): number {
  if (raw === null) return 3600;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 900 && value <= 43_200)) {
    throw validation(
      `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: ` +
        'Member must have value between 900 and 43200',
    );
  }
  return value;
}

function assumeRole(
  accounts: AccountDirectory,
  form: URLSearchParams,
  caller: Caller,
  region: string,
  requestId: string,
): Reply {
  const roleArn = form.get('RoleArn') ?? '';
  const sessionName = form.get('RoleSessionName') ?? '';
  if (!ROLE_ARN.test(roleArn) || roleArn.length > 2048)
    throw validation(`Invalid RoleArn: ${JSON.stringify(roleArn)} is not the ARN of a role`);
  if (!SESSION_NAME.test(sessionName)) {
    throw validation(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: ` +
        'Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*',
    );
  }
  const duration = durationSeconds(form.get('DurationSeconds'));
  // AWS answers a role that does not exist exactly as one whose trust policy leaves the caller out, so
  // that nobody can probe for role names.
  const role = accounts.roles.get(roleArn);
  if (role === undefined || role.deny || !trusts(role.trustedPrincipals, caller)) {
    throw new ServiceError(
      403,
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  if (!accounts.regionEnabled(role.accountId, region)) {
    throw new ServiceError(
      403,
      'RegionDisabledException',
      `STS is not activated in this region for account:${role.accountId}. Your account administrator ` +
        'can activate STS in this region using the IAM Console.',
    );
  }
  if (caller.session !== undefined && duration > CHAINED_SESSION_LIMIT) {
    throw validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > role.maxSessionDurationSeconds)
    throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const session = accounts.issue(role, sessionName, duration, region, caller);
  return xml(
    'AssumeRole',
    `<Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${xmlEscape(session.secretAccessKey)}</SecretAccessKey>` +
      `<SessionToken>${xmlEscape(session.sessionToken)}</SessionToken>` +
      `<Expiration>${session.expiration.toISOString().replace('.000Z', 'Z')}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>${xmlEscape(session.assumedRoleId)}</AssumedRoleId>` +
      `<Arn>${xmlEscape(session.assumedRoleArn)}</Arn></AssumedRoleUser>`,
    requestId,
  );
}

export function handleSts(
  accounts: AccountDirectory,
  operation: string,
  form: URLSearchParams,
  call: HttpCall,
  caller: Caller,
  region: string,
): Reply {
  switch (operation) {
    case 'AssumeRole':
      return assumeRole(accounts, form, caller, region, call.requestId);
    case 'GetCallerIdentity':
      return xml(
        'GetCallerIdentity',
        `<Arn>${xmlEscape(caller.arn)}</Arn><UserId>${xmlEscape(caller.userId)}</UserId>` +
          `<Account>${caller.accountId}</Account>`,
        call.requestId,
      );
    default:
      throw new ServiceError(
        400,
        'InvalidAction',
        `Could not find operation ${operation} for version ${STS_VERSION}`,
      );
  }
}
