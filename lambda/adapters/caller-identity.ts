import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { quote } from '../core/settings';
import { type ClientOptions, clientConfig } from './clients';

const ACCOUNT_ID_RE = /^[0-9]{12}$/;

/**
 * An STS client configured like the others. Kept out of `createClients`, so that the function's
 * bundle, which never asks who it is, does not carry STS.
 */
export function createStsClient(options: ClientOptions = {}): STSClient {
  return new STSClient(clientConfig(options));
}

/**
 * The 12-digit account the client's credentials belong to (STS GetCallerIdentity, which needs no
 * permission unless a policy denies it explicitly). Throws when STS fails or answers no account.
 */
export async function callerAccount(sts: STSClient): Promise<string> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  const account = out.Account ?? '';
  if (!ACCOUNT_ID_RE.test(account))
    throw new Error(`GetCallerIdentity answered no 12-digit account (${quote(account)})`);
  return account;
}
