import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, makeUploads, startEmulator } from '../../local/emulator';

// botocore is a client written independently of the JS SDK: if both parse the emulator's answers,
// the emulator follows the wire protocols rather than one SDK's quirks. Another `aws` may shadow
// Debian's on PATH, hence the full path.
const AWS = '/usr/bin/aws';
const installed = existsSync(AWS);
const required = process.env.SWEEPER_REQUIRE_AWSCLI === '1';
const HOW_TO = 'install it with `apt-get install -y awscli` (as root)';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let emu: Emulator;

function aws(...args: string[]): Promise<CliResult> {
  return awsWith({}, ...args);
}

/** `env` adds to or overrides the environment below (other credentials, another region). */
function awsWith(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      ['--endpoint-url', emu.url, '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_PAGER: '',
          // Keep any profile on this machine out of the run.
          AWS_CONFIG_FILE: '/nonexistent',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function awsJson(...args: string[]): Promise<Record<string, unknown>> {
  return awsJsonWith({}, ...args);
}

async function awsJsonWith(env: Record<string, string>, ...args: string[]): Promise<Record<string, unknown>> {
  const result = await awsWith(env, ...args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout || '{}') as Record<string, unknown>;
}

type UploadsPage = {
  UploadsList?: { MultipartUploadId: string; ArchiveDescription?: string }[];
  Marker?: string;
};

const glacier = (...args: string[]) => ['glacier', ...args, '--account-id', '-', '--vault-name', 'cli-vault'];

if (!installed && required) {
  describe('awscli conformance', () => {
    it('needs Debian awscli at /usr/bin/aws', () => {
      expect.fail(`SWEEPER_REQUIRE_AWSCLI=1 but ${AWS} is missing: ${HOW_TO}`);
    });
  });
} else {
  // Without the CLI the real tests are reported as skipped, under a title that says why; the reason
  // also goes to stderr, which the default reporter prints even when it lists no skipped test names.
  const skipped = installed
    ? ''
    : `, skipped: ${AWS} is missing; ${HOW_TO} to run it, or set SWEEPER_REQUIRE_AWSCLI=1 to fail instead`;
  if (!installed) console.warn(`awscli conformance${skipped}`);
  describe.skipIf(!installed)(`awscli conformance (botocore against the emulator)${skipped}`, () => {
    beforeAll(async () => {
      emu = await startEmulator();
    });
    afterAll(async () => {
      await emu.stop();
    });

    // The three services run side by side: each CLI call costs about a second of Python start-up.
    it('speaks Glacier, SNS and SSM as botocore expects', async () => {
      await Promise.all([glacierFlow(), snsFlow(), ssmFlow()]);
    });

    it('speaks STS and Organizations as botocore expects, and keeps accounts and regions apart', async () => {
      emu.seed({
        accounts: [{ id: '111111111111', state: 'SUSPENDED' }, { id: SPOKE_ACCOUNT }, { id: '333333333333' }],
        roles: [{ accountId: SPOKE_ACCOUNT, name: 'spoke' }],
        organization: {},
        vaults: [
          { name: 'spoke-vault', accountId: SPOKE_ACCOUNT, region: 'eu-west-1', tags: { team: 'cli' } },
        ],
      });
      await Promise.all([stsFlow(), organizationsFlow()]);
    });
  });
}

async function glacierFlow(): Promise<void> {
  const created = await awsJson('glacier', 'create-vault', '--account-id', '-', '--vault-name', 'cli-vault');
  expect(created.location).toBe(`/${emu.accountId}/vaults/cli-vault`);
  const initiated = await awsJson(
    ...glacier(
      'initiate-multipart-upload',
      '--archive-description',
      'from the cli',
      '--part-size',
      '1048576',
    ),
  );
  const cliUpload = String(initiated.uploadId);
  expect(cliUpload).toMatch(/^[\w-]{92}$/);
  const { uploadIds } = emu.seed({ vaults: [{ name: 'cli-vault', uploads: makeUploads(4) }] });
  const all = [cliUpload, ...(uploadIds['cli-vault'] ?? [])];

  // botocore's own paginator follows Marker until it is null; run it beside the paging by hand.
  const [auto, manual] = await Promise.all([
    awsJson(...glacier('list-multipart-uploads', '--page-size', '1')) as Promise<UploadsPage>,
    pageByHand(),
  ]);
  expect(auto.UploadsList?.map((u) => u.MultipartUploadId).toSorted()).toEqual(all.toSorted());
  expect(manual.markers).toHaveLength(2);
  expect(manual.seen.toSorted()).toEqual(all.toSorted());
  expect(emu.requests({ operation: 'ListMultipartUploads', status: 200 }).length).toBe(5 + 2);

  const aborted = await aws(...glacier('abort-multipart-upload', '--upload-id', cliUpload));
  expect(aborted.code).toBe(0);
  expect(emu.uploads('cli-vault').map((u) => u.uploadId)).not.toContain(cliUpload);
  const again = await aws(...glacier('abort-multipart-upload', '--upload-id', cliUpload));
  expect(again.code).not.toBe(0);
  expect(again.stderr).toContain('ResourceNotFoundException');
  expect(emu.requests({ operation: 'AbortMultipartUpload' }).map((r) => r.status)).toEqual([204, 404]);
}

/** Pages with --limit and --marker (the CLI stops auto-paging when either is given). */
async function pageByHand(): Promise<{ seen: string[]; markers: (string | undefined)[] }> {
  const seen: string[] = [];
  const markers: (string | undefined)[] = [];
  let marker: string | undefined;
  do {
    const page = (await awsJson(
      ...glacier(
        'list-multipart-uploads',
        '--limit',
        '3',
        '--no-paginate',
        ...(marker ? ['--marker', marker] : []),
      ),
    )) as UploadsPage;
    expect(page.UploadsList?.length).toBeLessThanOrEqual(3);
    seen.push(...(page.UploadsList ?? []).map((u) => u.MultipartUploadId));
    marker = page.Marker ?? undefined;
    markers.push(marker);
  } while (marker !== undefined);
  return { seen, markers };
}

const SPOKE_ACCOUNT = '222222222222';

async function stsFlow(): Promise<void> {
  expect(await awsJson('sts', 'get-caller-identity')).toMatchObject({
    Account: emu.accountId,
    Arn: `arn:aws:iam::${emu.accountId}:user/emulator`,
  });
  const roleArn = `arn:aws:iam::${SPOKE_ACCOUNT}:role/spoke`;
  const assumed = (await awsJson(
    'sts',
    'assume-role',
    '--region',
    'eu-west-1',
    '--role-arn',
    roleArn,
    '--role-session-name',
    'cli',
  )) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
  const asSpoke = {
    AWS_ACCESS_KEY_ID: assumed.Credentials.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: assumed.Credentials.SecretAccessKey,
    AWS_SESSION_TOKEN: assumed.Credentials.SessionToken,
    AWS_DEFAULT_REGION: 'eu-west-1',
  };
  const [identity, tags] = await Promise.all([
    awsJsonWith(asSpoke, 'sts', 'get-caller-identity'),
    awsJsonWith(
      asSpoke,
      'glacier',
      'list-tags-for-vault',
      '--account-id',
      '-',
      '--vault-name',
      'spoke-vault',
    ),
  ]);
  expect(identity).toMatchObject({
    Account: SPOKE_ACCOUNT,
    Arn: `arn:aws:sts::${SPOKE_ACCOUNT}:assumed-role/spoke/cli`,
  });
  expect(tags).toEqual({ Tags: { team: 'cli' } });
  const denied = await aws(
    'sts',
    'assume-role',
    '--role-arn',
    `${roleArn}-missing`,
    '--role-session-name',
    'cli',
  );
  expect(denied.code).not.toBe(0);
  expect(denied.stderr).toContain('AccessDenied');
}

async function organizationsFlow(): Promise<void> {
  const listed = (await awsJson('organizations', 'list-accounts', '--page-size', '2')) as {
    Accounts: { Id: string; Status?: string }[];
  };
  expect(listed.Accounts.map((a) => a.Id)).toEqual([
    emu.accountId,
    '111111111111',
    SPOKE_ACCOUNT,
    '333333333333',
  ]);
  // The retired Status is not sent; this CLI's botocore predates State, so it shows neither.
  expect(listed.Accounts.every((a) => a.Status === undefined)).toBe(true);
  expect(emu.requests({ service: 'organizations', operation: 'ListAccounts', status: 200 })).toHaveLength(2);
}

async function snsFlow(): Promise<void> {
  const { TopicArn } = await awsJson('sns', 'create-topic', '--name', 'cli-topic');
  expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${emu.accountId}:cli-topic`);
  const published = await awsJson(
    'sns',
    'publish',
    '--topic-arn',
    String(TopicArn),
    '--message',
    'hello from botocore',
    '--subject',
    'cli subject',
    '--message-attributes',
    '{"kind":{"DataType":"String","StringValue":"report"}}',
  );
  expect(emu.published()).toMatchObject([
    {
      messageId: published.MessageId,
      message: 'hello from botocore',
      subject: 'cli subject',
      attributes: { kind: 'report' },
    },
  ]);
  const tooLong = await aws(
    'sns',
    'publish',
    '--topic-arn',
    String(TopicArn),
    '--message',
    'm',
    '--subject',
    's'.repeat(100),
  );
  expect(tooLong.code).not.toBe(0);
  expect(tooLong.stderr).toContain('InvalidParameter');
}

async function ssmFlow(): Promise<void> {
  const put = await awsJson(
    'ssm',
    'put-parameter',
    '--name',
    '/cli/vaults',
    '--type',
    'StringList',
    '--value',
    'a,b=3d',
  );
  expect(put.Version).toBe(1);
  const got = (await awsJson('ssm', 'get-parameters', '--names', '/cli/vaults', '/cli/missing')) as {
    Parameters: { Name: string; Value: string; Type: string }[];
    InvalidParameters: string[];
  };
  expect(got.Parameters).toMatchObject([{ Name: '/cli/vaults', Value: 'a,b=3d', Type: 'StringList' }]);
  expect(got.InvalidParameters).toEqual(['/cli/missing']);
  const missing = await aws('ssm', 'get-parameter', '--name', '/cli/missing');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('ParameterNotFound');
}
