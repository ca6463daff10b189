import 'aws-sdk-client-mock-vitest/extend';
import { type Account, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listActiveAccounts } from '../../../lambda/adapters/organizations';
import { CYCLES, markerLinks } from '../helpers/marker-links';

const orgMock = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });

beforeEach(() => {
  orgMock.reset();
});

/** ListAccounts answers whose NextToken follow `links`; each page holds one ACTIVE account. */
function cyclingAccounts(links: Readonly<Record<string, string>>) {
  const fake = markerLinks(links, 25);
  orgMock.on(ListAccountsCommand).callsFake(async (input: { NextToken?: string }) => {
    const { item, marker } = fake.page(input.NextToken);
    const account: Account = { Id: item, State: 'ACTIVE' };
    return marker === undefined ? { Accounts: [account] } : { Accounts: [account], NextToken: marker };
  });
  return fake.asked;
}

describe('listActiveAccounts', () => {
  it('follows NextToken to the last page (an empty one too) and keeps the ACTIVE accounts by State', async () => {
    const pages: Record<string, { Accounts: Account[]; NextToken?: string }> = {
      start: { Accounts: [], NextToken: 't-1' },
      't-1': {
        Accounts: [
          { Id: '111111111111', State: 'ACTIVE' },
          { Id: '222222222222', State: 'SUSPENDED' },
        ],
        NextToken: 't-2',
      },
      't-2': { Accounts: [{ Id: '333333333333', State: 'ACTIVE' }, { State: 'ACTIVE' }] },
    };
    const sent: Array<string | undefined> = [];
    orgMock.on(ListAccountsCommand).callsFake(async (input: { NextToken?: string }) => {
      sent.push(input.NextToken);
      return pages[input.NextToken ?? 'start'];
    });

    expect(await listActiveAccounts(client)).toEqual(['111111111111', '333333333333']);
    expect(sent).toEqual([undefined, 't-1', 't-2']);
  });

  it('stops with an error when ListAccounts returns the NextToken it was given', async () => {
    const asked = cyclingAccounts({ '': 'same', same: 'same' });
    await expect(listActiveAccounts(client)).rejects.toThrow(
      'ListAccounts repeated a marker it was already given (same); listing stopped',
    );
    expect(asked).toEqual([undefined, 'same']);
  });

  it.each(Object.entries(CYCLES))(
    'stops with an error when the ListAccounts tokens cycle %s',
    async (_label, cycle) => {
      const asked = cyclingAccounts(cycle.links);
      await expect(listActiveAccounts(client)).rejects.toThrow(
        `ListAccounts repeated a marker it was already given (${cycle.repeated}); listing stopped`,
      );
      expect(asked).toEqual(cycle.asked);
    },
  );
});
