import { ListMultipartUploadsCommand } from '@aws-sdk/client-glacier';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listActiveAccounts } from '../../lambda/adapters/organizations';
import { runPrefix, S3RunStore } from '../../lambda/adapters/run-store';
import { SpokeAccess, SpokeAccessError, sessionName } from '../../lambda/adapters/spoke';
import { readParameters } from '../../lambda/adapters/ssm';
import { SPOKE_ROLE_NAME } from '../../lambda/fleet/names';
import { type Emulator, makeUploads, startEmulator } from '../../local/emulator';
import { FAKE_CREDENTIALS } from './helpers/sdk-clients';

const HUB = '123456789012';
const B = '210987654321';
const C = '310987654321';
const D = '410987654321';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
  // The hub's own credentials, as Lambda's environment hands them over: the emulator's default account.
  process.env.AWS_ACCESS_KEY_ID = FAKE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDENTIALS.secretAccessKey;
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

const base = () => ({ endpoint: emu.url, maxAttempts: 3 });

describe('SpokeAccess', () => {
  beforeEach(() => {
    emu.seed({
      accounts: [{ id: B, disabledRegions: ['ap-east-1'] }, { id: C }],
      roles: [
        { accountId: B, name: SPOKE_ROLE_NAME },
        { accountId: C, name: SPOKE_ROLE_NAME, deny: true },
      ],
      vaults: [{ name: 'backups', accountId: B, region: 'eu-west-1', uploads: makeUploads(2) }],
    });
  });

  it("assumes the spoke role through the target region's STS, the run id in the session name", async () => {
    const spokes = new SpokeAccess({ client: base() });
    const glacier = await spokes.glacier({ account: B, region: 'eu-west-1' }, 'run-7');
    const page = await glacier.send(
      new ListMultipartUploadsCommand({ accountId: '-', vaultName: 'backups' }),
    );
    expect(page.UploadsList).toHaveLength(2);
    expect(emu.sessions()).toMatchObject([
      {
        accountId: B,
        roleArn: `arn:aws:iam::${B}:role/${SPOKE_ROLE_NAME}`,
        sessionName: 'gsf-run-7',
        region: 'eu-west-1',
      },
    ]);
    // A second client for the same target and run reuses the session.
    await spokes.glacier({ account: B, region: 'eu-west-1' }, 'run-7');
    expect(emu.requests({ operation: 'AssumeRole' })).toHaveLength(1);
  });

  it('tells a denied role (no spoke) and a region not enabled apart from errors', async () => {
    const spokes = new SpokeAccess({ client: base() });
    await expect(spokes.credentials({ account: C, region: 'eu-west-1' }, 'r')).rejects.toMatchObject({
      name: 'SpokeAccessError',
      problem: 'no-spoke',
    });
    await expect(spokes.credentials({ account: D, region: 'eu-west-1' }, 'r')).rejects.toMatchObject({
      problem: 'no-spoke',
    });
    const disabled = await spokes.credentials({ account: B, region: 'ap-east-1' }, 'r').catch((e) => e);
    expect(disabled).toBeInstanceOf(SpokeAccessError);
    expect(disabled.problem).toBe('region-not-enabled');
    expect(disabled.message).toContain('RegionDisabledException');
  });

  it('keeps session names within STS rules', () => {
    expect(sessionName('exec:1/2')).toBe('gsf-exec-1-2');
    expect(sessionName('x'.repeat(100))).toHaveLength(64);
  });
});

describe('listActiveAccounts', () => {
  beforeEach(() => {
    emu.seed({
      accounts: [
        { id: B },
        { id: C, state: 'SUSPENDED' },
        { id: D, state: 'PENDING_CLOSURE' },
        { id: '510987654321' },
        { id: '610987654321', state: 'CLOSED' },
      ],
      organization: { pageSize: 2, leadingEmptyPage: true, legacyStatus: true },
    });
  });

  it('reads every page (an empty first one too) and keeps the ACTIVE accounts by State', async () => {
    const client = new OrganizationsClient({ ...base(), region: 'us-east-1', credentials: FAKE_CREDENTIALS });
    expect(await listActiveAccounts(client)).toEqual([HUB, B, '510987654321']);
    expect(emu.requests({ operation: 'ListAccounts' }).length).toBeGreaterThanOrEqual(4);
  });

  it('rides out throttling: TooManyRequestsException is retried', async () => {
    emu.setFaults({ rules: [{ service: 'organizations', fault: 'throttle', times: 2 }] });
    const client = new OrganizationsClient({ ...base(), region: 'us-east-1', credentials: FAKE_CREDENTIALS });
    expect(await listActiveAccounts(client)).toEqual([HUB, B, '510987654321']);
    expect(
      emu
        .requests({ operation: 'ListAccounts' })
        .map((r) => r.status)
        .slice(0, 3),
    ).toEqual([429, 429, 200]);
  });
});

describe('S3RunStore', () => {
  it('puts and gets JSON under the run prefix and lists every key, past one page', async () => {
    emu.createBucket('runs');
    const client = new S3Client({
      ...base(),
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      forcePathStyle: true,
    });
    const store = new S3RunStore(client, 'runs');
    const prefix = runPrefix('exec-1');
    expect(prefix).toBe('runs/exec-1/');
    for (let i = 0; i < 1005; i++)
      await store.put(`${prefix}chunks/${String(i).padStart(4, '0')}.json`, { i });
    await store.put(`${runPrefix('exec-2')}other.json`, {});
    const keys = await store.list(`${prefix}chunks/`);
    expect(keys).toHaveLength(1005);
    expect(await store.get(keys[7] as string)).toEqual({ i: 7 });
    expect(await store.get(`${prefix}missing.json`)).toBeUndefined();
  });
});

describe('readParameters', () => {
  it('reads more than ten names in calls of ten', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `/p/n${i}`);
    emu.seed({ parameters: names.slice(0, 11).map((name) => ({ name, value: name })) });
    const ssm = new SSMClient({ ...base(), region: 'us-east-1', credentials: FAKE_CREDENTIALS });
    const values = await readParameters(ssm, names);
    expect(values.size).toBe(11);
    expect(values.get('/p/n10')).toBe('/p/n10');
    expect(emu.requests({ operation: 'GetParameters' })).toHaveLength(2);
  });
});
