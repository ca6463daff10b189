import {
  AddTagsToVaultCommand,
  GlacierClient,
  ListMultipartUploadsCommand,
  ListTagsForVaultCommand,
  ListVaultsCommand,
  RemoveTagsFromVaultCommand,
} from '@aws-sdk/client-glacier';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, makeUploads, startEmulator } from '../../local/emulator';
import { FAKE_CREDENTIALS } from './helpers/sdk-clients';

// Fleet mode sweeps many accounts and regions from one place: the emulator keeps each
// (account, region) apart, as AWS does, and tells them apart the way AWS does, by the signature.

const A = '123456789012';
const B = '210987654321';
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const KEY_B = { accessKeyId: 'AKIDACCOUNTB', secretAccessKey: 'b' };

let emu: Emulator;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

function glacier(region: string, credentials: Credentials = FAKE_CREDENTIALS): GlacierClient {
  const client = new GlacierClient({ endpoint: emu.url, region, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function vaultNames(client: GlacierClient, accountId = '-'): Promise<string[]> {
  const page = await client.send(new ListVaultsCommand({ accountId }));
  return (page.VaultList ?? []).map((v) => v.VaultName ?? '');
}

describe('accounts and regions', () => {
  beforeEach(() => {
    emu.seed({
      accounts: [{ id: B, accessKeyIds: [KEY_B.accessKeyId], disabledRegions: ['ap-east-1'] }],
      vaults: [
        { name: 'a-east', uploads: makeUploads(2) },
        { name: 'a-west', region: 'eu-west-1', uploads: makeUploads(3) },
        { name: 'b-east', accountId: B, uploads: makeUploads(4) },
        { name: 'b-west', accountId: B, region: 'eu-west-1', uploads: makeUploads(5) },
      ],
    });
  });

  it('keeps vaults apart per account and region; `-` is the account of the credentials', async () => {
    expect(await vaultNames(glacier('us-east-1'))).toEqual(['a-east']);
    expect(await vaultNames(glacier('eu-west-1'))).toEqual(['a-west']);
    expect(await vaultNames(glacier('us-east-1', KEY_B))).toEqual(['b-east']);
    expect(await vaultNames(glacier('eu-west-1', KEY_B))).toEqual(['b-west']);

    const page = await glacier('eu-west-1', KEY_B).send(
      new ListMultipartUploadsCommand({ accountId: '-', vaultName: 'b-west' }),
    );
    expect(page.UploadsList).toHaveLength(5);
    expect(page.UploadsList?.[0]?.VaultARN).toBe(`arn:aws:glacier:eu-west-1:${B}:vaults/b-west`);
    // The same name in another region is another vault.
    await expect(
      glacier('us-east-1', KEY_B).send(
        new ListMultipartUploadsCommand({ accountId: '-', vaultName: 'b-west' }),
      ),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('us-east-1'),
    });

    expect(emu.requests({ operation: 'ListMultipartUploads' })).toMatchObject([
      { accountId: B, callerAccountId: B, region: 'eu-west-1', accessKeyId: KEY_B.accessKeyId, status: 200 },
      { accountId: B, callerAccountId: B, region: 'us-east-1', status: 404 },
    ]);
    expect(emu.uploads('b-west', { accountId: B, region: 'eu-west-1' })).toHaveLength(5);
    expect(emu.uploads('a-east')).toHaveLength(2);
    expect(() => emu.uploads('a-west')).toThrow(/no vault a-west/);
    expect(
      emu
        .vaults()
        .map((v) => `${v.accountId}/${v.region}/${v.name}:${v.uploads}`)
        .toSorted(),
    ).toEqual([
      `${A}/eu-west-1/a-west:3`,
      `${A}/us-east-1/a-east:2`,
      `${B}/eu-west-1/b-west:5`,
      `${B}/us-east-1/b-east:4`,
    ]);
  });

  it('takes an account id in the path as given, as for a vault another account shared', async () => {
    const page = await glacier('us-east-1').send(
      new ListMultipartUploadsCommand({ accountId: B, vaultName: 'b-east' }),
    );
    expect(page.UploadsList).toHaveLength(4);
    expect(emu.requests()[0]).toMatchObject({ accountId: B, callerAccountId: A });
  });

  it("refuses an account's credentials in a region it has not enabled, as AWS does", async () => {
    await expect(vaultNames(glacier('ap-east-1', KEY_B))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 403 },
    });
    // The region is only closed to that account.
    expect(await vaultNames(glacier('ap-east-1'))).toEqual([]);
    expect(emu.requests().map((r) => [r.callerAccountId, r.region, r.status])).toEqual([
      [B, 'ap-east-1', 403],
      [A, 'ap-east-1', 200],
    ]);
  });

  it('aims fault rules at one account or one region', async () => {
    emu.setFaults({
      rules: [
        {
          service: 'glacier',
          accountId: B,
          region: 'eu-west-1',
          fault: 'error',
          code: 'AccessDeniedException',
          status: 403,
        },
      ],
    });
    await expect(vaultNames(glacier('eu-west-1', KEY_B))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect(await vaultNames(glacier('us-east-1', KEY_B))).toEqual(['b-east']);
    expect(await vaultNames(glacier('eu-west-1'))).toEqual(['a-west']);
  });
});

describe('vault tags', () => {
  it('lists seeded tags, adds and removes them, and keeps to ten', async () => {
    emu.seed({
      vaults: [
        {
          name: 'keep',
          accountId: B,
          region: 'eu-west-1',
          tags: { 'glacier-sweeper': 'skip', team: 'archive' },
        },
        { name: 'plain' },
      ],
    });
    const west = glacier('eu-west-1', KEY_B);
    emu.seed({ accounts: [{ id: B, accessKeyIds: [KEY_B.accessKeyId] }] });
    expect(
      (await west.send(new ListTagsForVaultCommand({ accountId: '-', vaultName: 'keep' }))).Tags,
    ).toEqual({
      'glacier-sweeper': 'skip',
      team: 'archive',
    });
    const east = glacier('us-east-1');
    expect(
      (await east.send(new ListTagsForVaultCommand({ accountId: '-', vaultName: 'plain' }))).Tags,
    ).toEqual({});

    await west.send(
      new AddTagsToVaultCommand({ accountId: '-', vaultName: 'keep', Tags: { team: 'ops', cost: '42' } }),
    );
    await west.send(
      new RemoveTagsFromVaultCommand({
        accountId: '-',
        vaultName: 'keep',
        TagKeys: ['glacier-sweeper', 'none'],
      }),
    );
    expect(emu.vaults().find((v) => v.name === 'keep')?.tags).toEqual({ team: 'ops', cost: '42' });

    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
    await expect(
      west.send(new AddTagsToVaultCommand({ accountId: '-', vaultName: 'keep', Tags: many })),
    ).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } });
    await expect(
      east.send(new AddTagsToVaultCommand({ accountId: '-', vaultName: 'plain', Tags: { 'aws:x': 'y' } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      east.send(new ListTagsForVaultCommand({ accountId: '-', vaultName: 'keep' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(emu.requests({ operation: 'ListTagsForVault' })).toHaveLength(3);
  });
});
