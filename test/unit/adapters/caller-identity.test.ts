import 'aws-sdk-client-mock-vitest/extend';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { callerAccount, createStsClient } from '../../../lambda/adapters/caller-identity';

const sts = mockClient(STSClient);
const client = new STSClient({ region: 'us-east-1' });

beforeEach(() => sts.reset());

describe('callerAccount', () => {
  it("answers the caller's 12-digit account from one GetCallerIdentity", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/a' });
    expect(await callerAccount(client)).toBe('123456789012');
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it.each([undefined, '', '12345', '1234567890123', 'abcdefghijkl'])(
    'refuses an answer without a 12-digit account (%s)',
    async (account) => {
      sts.on(GetCallerIdentityCommand).resolves(account === undefined ? {} : { Account: account });
      await expect(callerAccount(client)).rejects.toThrow('GetCallerIdentity answered no 12-digit account');
    },
  );

  it('lets an STS error through, for the caller to name', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(callerAccount(client)).rejects.toThrow('denied');
  });
});

describe('createStsClient', () => {
  it('takes the region, the profile and the endpoint like the other clients', async () => {
    const built = createStsClient({
      region: 'eu-west-1',
      profile: 'sandbox',
      endpoint: 'http://127.0.0.1:4566',
    });
    expect(await built.config.region()).toBe('eu-west-1');
    expect(built.config.profile).toBe('sandbox');
    expect((await built.config.endpoint?.())?.hostname).toBe('127.0.0.1');
    built.destroy();
  });
});
