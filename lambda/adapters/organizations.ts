import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';

/**
 * Every ACTIVE account of the Organization: ListAccounts, every page (a page may be short or even
 * empty and still have a NextToken). Filters on `State`; the older `Status` field was retired on
 * 2026-09-09 and is not read. Throttling (TooManyRequestsException) is retried by the client.
 */
export async function listActiveAccounts(client: OrganizationsClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client }, {})) {
    for (const account of page.Accounts ?? []) {
      if (account.State === 'ACTIVE' && account.Id !== undefined) ids.push(account.Id);
    }
  }
  return ids;
}
