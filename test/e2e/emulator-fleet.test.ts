import { Readable } from 'node:stream';
import {
  AddTagsToVaultCommand,
  GlacierClient,
  ListMultipartUploadsCommand,
  ListTagsForVaultCommand,
  ListVaultsCommand,
  RemoveTagsFromVaultCommand,
} from '@aws-sdk/client-glacier';
import {
  ListAccountsCommand,
  type ListAccountsCommandOutput,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, makeUploads, readSeedFile, startEmulator } from '../../local/emulator';
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

function sts(region: string, credentials: Credentials = FAKE_CREDENTIALS): STSClient {
  const client = new STSClient({ endpoint: emu.url, region, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

function organizations(credentials: Credentials = FAKE_CREDENTIALS, maxAttempts = 1): OrganizationsClient {
  // Organizations is global: the SDK signs for the client's region when given an endpoint.
  const client = new OrganizationsClient({
    endpoint: emu.url,
    region: 'eu-west-1',
    credentials,
    maxAttempts,
  });
  clients.push(client);
  return client;
}

function s3(maxAttempts = 1): S3Client {
  const client = new S3Client({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts,
  });
  clients.push(client);
  return client;
}

const SPOKE = `arn:aws:iam::${B}:role/glacier-sweeper-spoke`;

/** What the fleet's worker will do: assume the spoke role in the target's region, then use its keys. */
async function assume(
  region: string,
  roleArn = SPOKE,
  from: Credentials = FAKE_CREDENTIALS,
): Promise<Credentials> {
  const { Credentials: issued } = await sts(region, from).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'fleet-survey' }),
  );
  return {
    accessKeyId: issued?.AccessKeyId ?? '',
    secretAccessKey: issued?.SecretAccessKey ?? '',
    sessionToken: issued?.SessionToken ?? '',
  };
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

describe('STS', () => {
  beforeEach(() => {
    emu.seed({
      roles: [{ accountId: B, name: 'glacier-sweeper-spoke' }],
      vaults: [
        { name: 'a-east', uploads: makeUploads(1) },
        { name: 'b-east', accountId: B, uploads: makeUploads(2) },
        { name: 'b-west', accountId: B, region: 'eu-west-1', uploads: makeUploads(3) },
      ],
    });
  });

  it("assumes a role in account B and sees only B's vaults and uploads, in two regions", async () => {
    const before = await sts('us-east-1').send(new GetCallerIdentityCommand({}));
    expect(before).toMatchObject({
      Account: A,
      Arn: `arn:aws:iam::${A}:user/emulator`,
      UserId: expect.stringMatching(/^AIDA/),
    });

    const { Credentials: issued, AssumedRoleUser } = await sts('eu-west-1').send(
      new AssumeRoleCommand({ RoleArn: SPOKE, RoleSessionName: 'fleet-survey', DurationSeconds: 900 }),
    );
    expect(issued?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(issued?.SecretAccessKey).toBeTruthy();
    expect(issued?.SessionToken).toBeTruthy();
    expect(issued?.Expiration).toBeInstanceOf(Date);
    expect((issued?.Expiration?.getTime() ?? 0) - Date.now()).toBeGreaterThan(880_000);
    expect(AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${B}:assumed-role/glacier-sweeper-spoke/fleet-survey`,
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:fleet-survey$/),
    });
    const asB = {
      accessKeyId: issued?.AccessKeyId ?? '',
      secretAccessKey: issued?.SecretAccessKey ?? '',
      sessionToken: issued?.SessionToken ?? '',
    };
    expect(await sts('eu-west-1', asB).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: B,
      Arn: AssumedRoleUser?.Arn,
      UserId: AssumedRoleUser?.AssumedRoleId,
    });

    // Keys issued in one region work in another, as regional STS tokens do in enabled regions.
    expect(await vaultNames(glacier('us-east-1', asB))).toEqual(['b-east']);
    expect(await vaultNames(glacier('eu-west-1', asB))).toEqual(['b-west']);
    const page = await glacier('eu-west-1', asB).send(
      new ListMultipartUploadsCommand({ accountId: '-', vaultName: 'b-west' }),
    );
    expect(page.UploadsList).toHaveLength(3);
    expect(await vaultNames(glacier('us-east-1'))).toEqual(['a-east']);
    expect(emu.sessions()).toMatchObject([
      {
        accountId: B,
        roleArn: SPOKE,
        sessionName: 'fleet-survey',
        region: 'eu-west-1',
        assumedBy: before.Arn,
      },
    ]);
    expect(emu.requests({ service: 'sts', operation: 'AssumeRole' })).toMatchObject([
      { region: 'eu-west-1', callerAccountId: A, status: 200 },
    ]);
  });

  it('serves as the credential provider of a Glacier client', async () => {
    const client = glacier('eu-west-1');
    const viaRole = new GlacierClient({
      endpoint: emu.url,
      region: 'eu-west-1',
      credentials: () => assume('eu-west-1'),
    });
    clients.push(viaRole);
    expect(await vaultNames(viaRole)).toEqual(['b-west']);
    expect(await vaultNames(client)).toEqual([]);
  });

  it('denies a role whose trust policy leaves the caller out, and a role that does not exist, alike', async () => {
    emu.seed({
      roles: [
        { accountId: B, name: 'locked', deny: true },
        { accountId: B, name: 'hub-only', trustedPrincipals: [`arn:aws:iam::${A}:role/hub-worker`] },
        { accountId: A, name: 'hub-worker' },
      ],
    });
    const denied = (role: string, by = 'arn:aws:iam::123456789012:user/emulator') => ({
      name: 'AccessDenied',
      message: `User: ${by} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${B}:role/${role}`,
      $metadata: { httpStatusCode: 403 },
    });
    for (const role of ['locked', 'missing', 'hub-only']) {
      await expect(assume('us-east-1', `arn:aws:iam::${B}:role/${role}`)).rejects.toMatchObject(denied(role));
    }
    // The trusted principal gets in: the hub's worker role, chained.
    const worker = await assume('us-east-1', `arn:aws:iam::${A}:role/hub-worker`);
    const spoke = await assume('us-east-1', `arn:aws:iam::${B}:role/hub-only`, worker);
    expect(await vaultNames(glacier('us-east-1', spoke))).toEqual(['b-east']);
    // Role chaining caps a session at an hour, whatever the role allows.
    emu.seed({ roles: [{ accountId: B, name: 'glacier-sweeper-spoke', maxSessionDurationSeconds: 43_200 }] });
    await expect(
      sts('us-east-1', worker).send(
        new AssumeRoleCommand({ RoleArn: SPOKE, RoleSessionName: 'long', DurationSeconds: 7200 }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('role chaining') });
    await expect(
      sts('us-east-1').send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${A}:role/hub-worker`,
          RoleSessionName: 'long',
          DurationSeconds: 7200,
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('MaxSessionDuration'),
    });
    await expect(
      sts('us-east-1').send(new AssumeRoleCommand({ RoleArn: 'not-an-arn', RoleSessionName: 'x1' })),
    ).rejects.toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    await expect(
      sts('us-east-1').send(new AssumeRoleCommand({ RoleArn: SPOKE, RoleSessionName: 'bad name' })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('refuses credentials in regions their account has not enabled', async () => {
    emu.seed({
      accounts: [
        { id: A, disabledRegions: ['me-south-1'] },
        { id: B, disabledRegions: ['ap-east-1'] },
      ],
    });
    // B never enabled ap-east-1: its STS there refuses to issue B's credentials…
    await expect(assume('ap-east-1')).rejects.toMatchObject({
      name: 'RegionDisabledException',
      $metadata: { httpStatusCode: 403 },
    });
    // …and B's keys from elsewhere are not recognised there, by Glacier as by STS.
    const asB = await assume('us-east-1');
    await expect(vaultNames(glacier('ap-east-1', asB))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(sts('ap-east-1', asB).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    // The hub's own account has not enabled me-south-1: its STS endpoint there does not know the hub.
    await expect(assume('me-south-1')).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    expect(await vaultNames(glacier('eu-west-1', asB))).toEqual(['b-west']);
  });

  it('throttles and fails AssumeRole through the fault rules, in the query protocol', async () => {
    emu.setFaults({ rules: [{ service: 'sts', operation: 'AssumeRole', fault: 'throttle', times: 1 }] });
    await expect(assume('us-east-1')).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    emu.setFaults({ rules: [{ service: 'sts', fault: 'error', times: 1 }] });
    await expect(assume('us-east-1')).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    expect((await assume('us-east-1')).accessKeyId).toMatch(/^ASIA/);
  });
});

describe('Organizations ListAccounts', () => {
  const ids = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'];

  beforeEach(() => {
    emu.seed({
      accounts: [
        { id: ids[0] as string, name: 'prod', state: 'ACTIVE' },
        {
          id: ids[1] as string,
          name: 'old',
          state: 'SUSPENDED',
          joinedMethod: 'INVITED',
          joinedAt: '2019-05-01T00:00:00Z',
        },
        { id: ids[2] as string, name: 'closing', state: 'PENDING_CLOSURE' },
        { id: ids[3] as string, name: 'dev' },
        { id: ids[4] as string, name: 'gone', state: 'CLOSED' },
        { id: '999999999999', name: 'outsider', inOrganization: false },
      ],
      roles: [{ accountId: ids[0] as string, name: 'member' }],
      organization: {},
    });
  });

  async function listAll(
    client: OrganizationsClient,
    pageSize: number,
  ): Promise<ListAccountsCommandOutput[]> {
    const pages: ListAccountsCommandOutput[] = [];
    for await (const page of paginateListAccounts({ client, pageSize }, {})) pages.push(page);
    return pages;
  }

  it('pages every account, the management account first, with State (and no retired Status)', async () => {
    const pages = await listAll(organizations(), 2);
    expect(pages.map((p) => p.Accounts?.length)).toEqual([2, 2, 2]);
    const accounts = pages.flatMap((p) => p.Accounts ?? []);
    expect(accounts.map((a) => a.Id)).toEqual([A, ...ids]);
    expect(accounts.map((a) => a.State)).toEqual([
      'ACTIVE',
      'ACTIVE',
      'SUSPENDED',
      'PENDING_CLOSURE',
      'ACTIVE',
      'CLOSED',
    ]);
    expect(accounts.every((a) => a.Status === undefined)).toBe(true);
    expect(accounts[2]).toEqual({
      Id: ids[1],
      Arn: `arn:aws:organizations::${A}:account/o-a1b2c3d4e5/${ids[1]}`,
      Email: `aws+${ids[1]}@example.com`,
      Name: 'old',
      State: 'SUSPENDED',
      JoinedMethod: 'INVITED',
      JoinedTimestamp: new Date('2019-05-01T00:00:00Z'),
    });
    expect(pages.at(-1)?.NextToken).toBeUndefined();
    expect(emu.requests({ service: 'organizations' }).map((r) => [r.operation, r.status])).toEqual([
      ['ListAccounts', 200],
      ['ListAccounts', 200],
      ['ListAccounts', 200],
    ]);
  });

  it('emits the retired Status beside State when asked, and pages at 20 at most', async () => {
    emu.seed({ organization: { legacyStatus: true } });
    const [page] = await listAll(organizations(), 20);
    expect(page?.Accounts?.map((a) => [a.State, a.Status])).toEqual([
      ['ACTIVE', 'ACTIVE'],
      ['ACTIVE', 'ACTIVE'],
      ['SUSPENDED', 'SUSPENDED'],
      ['PENDING_CLOSURE', 'PENDING_CLOSURE'],
      ['ACTIVE', 'ACTIVE'],
      ['CLOSED', 'SUSPENDED'],
    ]);
    for (const MaxResults of [0, 21]) {
      await expect(organizations().send(new ListAccountsCommand({ MaxResults }))).rejects.toMatchObject({
        name: 'InvalidInputException',
        Reason: MaxResults === 0 ? 'MIN_VALUE_EXCEEDED' : 'MAX_VALUE_EXCEEDED',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(
      organizations().send(new ListAccountsCommand({ NextToken: 'forged' })),
    ).rejects.toMatchObject({
      name: 'InvalidInputException',
      Reason: 'INVALID_NEXT_TOKEN',
    });
  });

  it('may answer fewer accounts than asked, even none, while a NextToken says there are more', async () => {
    emu.seed({ organization: { pageSize: 4, leadingEmptyPage: true } });
    const pages = await listAll(organizations(), 20);
    expect(pages.map((p) => p.Accounts?.length)).toEqual([0, 4, 2]);
    expect(pages.flatMap((p) => p.Accounts ?? []).map((a) => a.Id)).toEqual([A, ...ids]);
  });

  it('answers only the management account and delegated administrators', async () => {
    const member = await assume('us-east-1', `arn:aws:iam::${ids[0]}:role/member`);
    await expect(organizations(member).send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    emu.seed({ organization: { delegatedAdministrators: [ids[0] as string] } });
    expect((await organizations(member).send(new ListAccountsCommand({}))).Accounts).toHaveLength(6);
    emu.reset();
    await expect(organizations().send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: 'AWSOrganizationsNotInUseException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('throttles and denies through the fault rules; the SDK retries TooManyRequestsException', async () => {
    emu.setFaults({
      rules: [{ service: 'organizations', operation: 'ListAccounts', fault: 'throttle', times: 1 }],
    });
    await expect(organizations().send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
    emu.setFaults({ rules: [{ service: 'organizations', fault: 'throttle', times: 2 }] });
    expect(
      (await organizations(FAKE_CREDENTIALS, 3).send(new ListAccountsCommand({}))).Accounts,
    ).toHaveLength(6);
    for (const [code, status] of [
      ['AccessDeniedException', 403],
      ['AWSOrganizationsNotInUseException', 404],
    ] as const) {
      emu.setFaults({ rules: [{ service: 'organizations', fault: 'error', code, status, times: 1 }] });
      await expect(organizations().send(new ListAccountsCommand({}))).rejects.toMatchObject({
        name: code,
        $metadata: { httpStatusCode: status },
      });
    }
    expect(emu.requests({ service: 'organizations' }).map((r) => r.status)).toEqual([
      429, 429, 429, 200, 403, 404,
    ]);
  });
});

describe('S3 for run data', () => {
  const BUCKET = 'fleet-runs';

  beforeEach(() => {
    emu.createBucket(BUCKET);
  });

  async function keysOf(client: S3Client, Prefix: string, pageSize: number): Promise<string[][]> {
    const pages: string[][] = [];
    for await (const page of paginateListObjectsV2({ client, pageSize }, { Bucket: BUCKET, Prefix })) {
      pages.push((page.Contents ?? []).map((o) => o.Key ?? ''));
    }
    return pages;
  }

  it('puts, lists in pages under a prefix, heads and gets objects back', async () => {
    const client = s3();
    const keys = Array.from({ length: 7 }, (_, i) => `runs/r1/vaults/v${i}.json`);
    for (const [i, Key] of keys.entries()) {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key,
          Body: JSON.stringify({ i }),
          ContentType: 'application/json',
        }),
      );
    }
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'runs/r2/x', Body: 'other run' }));
    expect(await keysOf(client, 'runs/r1/', 3)).toEqual([keys.slice(0, 3), keys.slice(3, 6), keys.slice(6)]);
    const first = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'runs/', MaxKeys: 3 }),
    );
    expect(first).toMatchObject({ KeyCount: 3, MaxKeys: 3, IsTruncated: true, Prefix: 'runs/' });
    expect(first.Contents?.[0]).toMatchObject({ Key: keys[0], Size: 7, StorageClass: 'STANDARD' });
    expect(first.Contents?.[0]?.LastModified).toBeInstanceOf(Date);

    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: keys[4] }));
    expect(head).toMatchObject({
      ContentLength: 7,
      ContentType: 'application/json',
      ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[4] }));
    expect(JSON.parse((await got.Body?.transformToString()) ?? '')).toEqual({ i: 4 });
    expect(got.ETag).toBe(head.ETag);
    expect(emu.objects(BUCKET, 'runs/r1/').map((o) => o.key)).toEqual(keys);
    expect(emu.requests({ service: 's3', operation: 'PutObject' })).toHaveLength(8);
    expect(emu.requests({ service: 's3', operation: 'GetObject' })[0]).toMatchObject({
      bucket: BUCKET,
      key: keys[4],
    });
  });

  it('rolls keys up into common prefixes across pages, and starts after a key', async () => {
    const client = s3();
    for (const Key of ['t/a/1', 't/a/2', 't/b/1', 't/c', 't/d/1', 't/d/2', 't/e']) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    }
    const pages: string[][] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: 't/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken,
        }),
      );
      // A page holds keys and prefixes in two lists; S3 orders them together, by key.
      pages.push(
        [
          ...(page.CommonPrefixes ?? []).map((p) => `${p.Prefix}*`),
          ...(page.Contents ?? []).map((o) => o.Key ?? ''),
        ].toSorted(),
      );
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken !== undefined);
    expect(pages).toEqual([['t/a/*', 't/b/*'], ['t/c', 't/d/*'], ['t/e']]);
    const after = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 't/', StartAfter: 't/d/1' }),
    );
    expect(after.Contents?.map((o) => o.Key)).toEqual(['t/d/2', 't/e']);
    await expect(
      client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'forged' })),
    ).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
  });

  it("answers S3's errors: NoSuchKey, NoSuchBucket, NotFound on HEAD, PreconditionFailed", async () => {
    const client = s3();
    await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' }))).rejects.toMatchObject(
      {
        name: 'NoSuchKey',
        Key: 'missing',
        $metadata: { httpStatusCode: 404 },
      },
    );
    await expect(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client.send(new PutObjectCommand({ Bucket: 'nope', Key: 'k', Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
      BucketName: 'nope',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(client.send(new ListObjectsV2Command({ Bucket: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    // Create-only writes, for outcomes that must be written once.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: '1', IfNoneMatch: '*' }));
    await expect(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: '2', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(emu.objects(BUCKET).map((o) => o.body.toString())).toEqual(['1']);
  });

  it('takes streamed (aws-chunked) bodies, keys that look like Glacier paths, and metadata', async () => {
    const client = s3();
    const big = Buffer.alloc(200_000, 7);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: '123456789012/vaults/v/multipart-uploads/u',
        Body: Readable.from([big.subarray(0, 70_000), big.subarray(70_000)]),
        ContentLength: big.length,
        Metadata: { run: 'r1' },
      }),
    );
    const [object] = emu.objects(BUCKET);
    expect(object?.body.equals(big)).toBe(true);
    expect(object?.metadata).toEqual({ run: 'r1' });
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: object?.key }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(big)).toBe(true);
    expect(got.Metadata).toEqual({ run: 'r1' });
    expect(emu.requests({ service: 'glacier' })).toEqual([]);
  });

  it('deletes one object or many, and throttles with SlowDown through the fault rules', async () => {
    const client = s3();
    for (const Key of ['a', 'b & <c>', 'd'])
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'a' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-there' }));
    const deleted = await client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'b & <c>' }, { Key: 'd' }] } }),
    );
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual(['b & <c>', 'd']);
    expect(emu.objects(BUCKET)).toEqual([]);

    emu.clearRequests();
    emu.setFaults({ rules: [{ service: 's3', operation: 'PutObject', fault: 'throttle', times: 1 }] });
    await expect(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })),
    ).rejects.toMatchObject({
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    emu.setFaults({ rules: [{ service: 's3', operation: 'PutObject', fault: 'throttle', times: 1 }] });
    await s3(2).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));
    expect(emu.requests({ service: 's3', operation: 'PutObject' }).map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);
  });
});

describe('the fleet example seed', () => {
  it('loads, and answers as it says', async () => {
    emu.seed(await readSeedFile('local/emulator/seed.fleet.example.json'));
    const pages = await organizations().send(new ListAccountsCommand({}));
    expect(pages.Accounts?.map((a) => a.Name)).toEqual(['management', 'prod', 'staging', 'retired']);
    const prod = await assume('us-east-1', `arn:aws:iam::${B}:role/glacier-sweeper-spoke`);
    expect(await vaultNames(glacier('us-east-1', prod))).toEqual(['backups', 'legal-hold']);
    expect(await vaultNames(glacier('eu-west-1', prod))).toEqual(['backups']);
    await expect(
      assume('us-east-1', 'arn:aws:iam::310987654321:role/glacier-sweeper-spoke'),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    expect(emu.objects('glacier-sweeper-fleet-runs')).toEqual([]);
  });
});
