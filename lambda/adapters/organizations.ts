import { ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { MarkerChain } from '../core/paging';

/**
 * Every ACTIVE account of the Organization: ListAccounts, every page (a page may be short or even
 * empty and still have a NextToken). Filters on `State`; the older `Status` field was retired on
 * 2026-09-09 and is not read. Throttling (TooManyRequestsException) is retried by the client.
 * Paged by hand, not with the SDK's paginator: that one follows a NextToken it has sent before (even
 * the one it was just given) forever; here a repeated token throws.
 */
export async function listActiveAccounts(client: OrganizationsClient): Promise<string[]> {
  const ids: string[] = [];
  const chain = new MarkerChain('ListAccounts');
  let token: string | undefined;
  do {
    const page = await client.send(new ListAccountsCommand(token === undefined ? {} : { NextToken: token }));
    for (const account of page.Accounts ?? []) {
      if (account.State === 'ACTIVE' && account.Id !== undefined) ids.push(account.Id);
    }
    // An empty NextToken ends the listing, as it ends the SDK's paginator.
    token = chain.follow(page.NextToken ? page.NextToken : undefined);
  } while (token !== undefined);
  return ids;
}
