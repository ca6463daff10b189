import { GlacierClient } from '@aws-sdk/client-glacier';
import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { spokeRoleArn } from '../fleet/names';
import { type ClientOptions, clientConfig } from './clients';

/** One account × region the hub reaches through the spoke role. */
export interface SpokeTarget {
  readonly account: string;
  readonly region: string;
}

/** Why a target could not be reached, when the reason is one the report lists apart from errors. */
export type AccessProblem = 'no-spoke' | 'region-not-enabled';

/** A target that cannot be reached: `problem` says whether it is a known state of the fleet or an error. */
export class SpokeAccessError extends Error {
  override readonly name = 'SpokeAccessError';
  constructor(
    readonly problem: AccessProblem | 'error',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');

/**
 * STS answers AccessDenied both for a role that does not exist and for one whose trust policy leaves
 * the caller out (so nobody can probe for role names): either way the account has no usable spoke.
 * An opt-in region the account has not enabled answers RegionDisabledException from STS, and
 * UnrecognizedClientException / InvalidClientTokenId from the services there.
 */
export function classifyAccessError(error: unknown): AccessProblem | undefined {
  const name = errorName(error);
  if (name === 'AccessDenied' || name === 'AccessDeniedException') return 'no-spoke';
  if (
    name === 'RegionDisabledException' ||
    name === 'UnrecognizedClientException' ||
    name === 'InvalidClientTokenId'
  )
    return 'region-not-enabled';
  return undefined;
}

/**
 * The RoleSessionName: carries the run id, so CloudTrail in the member account ties every call to the
 * execution. STS allows 2-64 characters of `[\w+=,.@-]`; an execution name may hold others.
 */
export function sessionName(runId: string): string {
  const safe = runId.replace(/[^\w+=,.@-]/g, '-');
  return `gsf-${safe}`.slice(0, 64);
}

interface CachedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: number;
}

export interface SpokeAccessOptions {
  readonly partition?: string;
  readonly client?: Omit<ClientOptions, 'region'>;
  readonly clock?: () => number;
}

/** A session is renewed this long before it expires, so no request starts on credentials about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Glacier clients for targets, each on credentials of the target account's spoke role, assumed with
 * the function's own role through the STS endpoint of the target's region (an opt-in region's STS
 * serves only accounts that enabled it). Credentials live in this container only: never in the state.
 */
export class SpokeAccess {
  private readonly sessions = new Map<string, CachedCredentials>();
  private readonly sts = new Map<string, STSClient>();

  constructor(private readonly options: SpokeAccessOptions = {}) {}

  private stsFor(region: string): STSClient {
    let client = this.sts.get(region);
    if (client === undefined) {
      client = new STSClient(clientConfig({ ...this.options.client, region }));
      this.sts.set(region, client);
    }
    return client;
  }

  /** Assumes the spoke role of `target` (or reuses a session still good for five minutes). */
  async credentials(target: SpokeTarget, runId: string): Promise<CachedCredentials> {
    const key = `${target.account}:${target.region}:${runId}`;
    const now = (this.options.clock ?? Date.now)();
    const cached = this.sessions.get(key);
    if (cached !== undefined && cached.expiration - RENEW_BEFORE_MS > now) return cached;
    const roleArn = spokeRoleArn(this.options.partition ?? 'aws', target.account);
    let out: AssumeRoleCommandOutput;
    try {
      out = await this.stsFor(target.region).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName(runId) }),
      );
    } catch (error) {
      const problem = classifyAccessError(error);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SpokeAccessError(
        problem ?? 'error',
        `AssumeRole ${roleArn} in ${target.region}: ${message}`,
        {
          cause: error,
        },
      );
    }
    const issued = out.Credentials;
    const credentials: CachedCredentials = {
      accessKeyId: String(issued?.AccessKeyId ?? ''),
      secretAccessKey: String(issued?.SecretAccessKey ?? ''),
      sessionToken: String(issued?.SessionToken ?? ''),
      expiration: issued?.Expiration instanceof Date ? issued.Expiration.getTime() : now + 15 * 60_000,
    };
    if (credentials.accessKeyId === '')
      throw new SpokeAccessError('error', `AssumeRole ${roleArn}: STS returned no credentials`);
    this.sessions.set(key, credentials);
    return credentials;
  }

  /** A Glacier client in the target's region on the spoke's credentials. */
  async glacier(target: SpokeTarget, runId: string): Promise<GlacierClient> {
    const credentials = await this.credentials(target, runId);
    return new GlacierClient({
      ...clientConfig({ ...this.options.client, region: target.region }),
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
    });
  }
}
