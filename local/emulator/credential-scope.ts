import type { IncomingHttpHeaders } from 'node:http';

/** What a SigV4 signature says about a request: who signed it, for which region and service. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;

function parse(credential: string | null | undefined): CredentialScope | undefined {
  const match = SCOPE.exec(credential ?? '');
  if (match === null) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = match;
  return { accessKeyId, date, region, service };
}

/**
 * Reads `Credential=AKID/DATE/REGION/SERVICE/aws4_request` from the Authorization header, or from
 * `X-Amz-Credential` of a presigned URL. The signature itself is not checked: the emulator does not
 * know the secrets of the keys it is sent, and trusting the scope is what lets one endpoint serve
 * every region and account.
 */
export function credentialScope(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): CredentialScope | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.startsWith('AWS4-HMAC-SHA256')) {
    const credential = /Credential=([^,\s]+)/.exec(authorization)?.[1];
    return parse(credential);
  }
  return parse(query.get('X-Amz-Credential'));
}
