import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateVaultCommand,
  InitiateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListVaultsCommand,
  paginateListMultipartUploads,
  UploadMultipartPartCommand,
} from '@aws-sdk/client-glacier';
import { CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { daysAgo, type Emulator, makeUploads, startEmulator, treeHash } from '../../local/emulator';
import { type SdkClients, sdkClients } from './helpers/sdk-clients';

const MIB = 1024 * 1024;
const accountId = '-';

let emu: Emulator;
let aws: SdkClients;
let strict: SdkClients;

beforeAll(async () => {
  emu = await startEmulator();
  aws = sdkClients(emu.url);
  strict = sdkClients(emu.url, { maxAttempts: 1 });
});

afterAll(async () => {
  aws.destroy();
  strict.destroy();
  await emu.stop();
});

beforeEach(() => {
  emu.reset();
});

async function listAll(vaultName: string, pageSize: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListMultipartUploads(
    { client: aws.glacier, pageSize },
    { accountId, vaultName },
  )) {
    for (const upload of page.UploadsList ?? []) ids.push(upload.MultipartUploadId ?? '');
  }
  return ids;
}

describe('Glacier multipart uploads over the real SDK', () => {
  it('creates a vault, uploads parts (overwriting one range), lists parts and completes', async () => {
    const created = await aws.glacier.send(new CreateVaultCommand({ accountId, vaultName: 'photos' }));
    expect(created.location).toBe(`/${emu.accountId}/vaults/photos`);

    const initiated = await aws.glacier.send(
      new InitiateMultipartUploadCommand({
        accountId,
        vaultName: 'photos',
        archiveDescription: 'holiday 2024',
        partSize: String(MIB),
      }),
    );
    const uploadId = initiated.uploadId ?? '';
    expect(uploadId).not.toBe('');
    expect(initiated.location).toBe(`/${emu.accountId}/vaults/photos/multipart-uploads/${uploadId}`);

    const first = Buffer.alloc(MIB, 1);
    const second = Buffer.alloc(MIB, 2);
    const tail = Buffer.alloc(1000, 3);
    const part = (range: string, body: Buffer) =>
      aws.glacier.send(
        new UploadMultipartPartCommand({ accountId, vaultName: 'photos', uploadId, range, body }),
      );
    await part(`bytes 0-${MIB - 1}/*`, first);
    const replaced = await part(`bytes 0-${MIB - 1}/*`, second);
    expect(replaced.checksum).toBe(treeHash(second));
    await part(`bytes ${MIB}-${MIB + 999}/*`, tail);

    const parts = await aws.glacier.send(new ListPartsCommand({ accountId, vaultName: 'photos', uploadId }));
    expect(parts.Parts).toEqual([
      { RangeInBytes: `0-${MIB - 1}`, SHA256TreeHash: treeHash(second) },
      { RangeInBytes: `${MIB}-${MIB + 999}`, SHA256TreeHash: treeHash(tail) },
    ]);
    expect(parts).toMatchObject({
      ArchiveDescription: 'holiday 2024',
      MultipartUploadId: uploadId,
      PartSizeInBytes: MIB,
      VaultARN: `arn:aws:glacier:us-east-1:${emu.accountId}:vaults/photos`,
    });
    expect(parts.Marker).toBeUndefined();
    expect(Number.isNaN(Date.parse(parts.CreationDate ?? ''))).toBe(false);

    // A wrong archive checksum is refused, the right one (tree hash of the whole archive) accepted.
    await expect(
      aws.glacier.send(
        new CompleteMultipartUploadCommand({
          accountId,
          vaultName: 'photos',
          uploadId,
          archiveSize: String(MIB + 1000),
          checksum: treeHash(Buffer.concat([first, tail])),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    const completed = await aws.glacier.send(
      new CompleteMultipartUploadCommand({
        accountId,
        vaultName: 'photos',
        uploadId,
        archiveSize: String(MIB + 1000),
        checksum: treeHash(Buffer.concat([second, tail])),
      }),
    );
    expect(completed.archiveId).toMatch(/.{20,}/);
    expect(completed.location).toBe(`/${emu.accountId}/vaults/photos/archives/${completed.archiveId}`);
    expect(emu.uploads('photos')).toEqual([]);
    await expect(
      aws.glacier.send(new ListPartsCommand({ accountId, vaultName: 'photos', uploadId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('lists 100 uploads 7 at a time with the paginator, each exactly once, not in creation order', async () => {
    const { uploadIds } = emu.seed({ vaults: [{ name: 'big', uploads: makeUploads(100) }] });
    const seen = await listAll('big', 7);
    expect(seen).toHaveLength(100);
    expect(new Set(seen)).toEqual(new Set(uploadIds.big));
    expect(seen).not.toEqual(uploadIds.big);
    const pages = emu.requests({ operation: 'ListMultipartUploads' });
    expect(pages).toHaveLength(15);
    expect(pages.every((request) => request.status === 200 && request.vault === 'big')).toBe(true);
  });

  it('keeps markers valid when uploads are aborted between pages, even the one a marker points at', async () => {
    const { uploadIds } = emu.seed({ vaults: [{ name: 'churn', uploads: makeUploads(100) }] });
    const seen: string[] = [];
    const abortedUnseen = new Set<string>();
    let marker: string | undefined;
    do {
      const page = await aws.glacier.send(
        new ListMultipartUploadsCommand({ accountId, vaultName: 'churn', limit: 7, marker }),
      );
      const ids = (page.UploadsList ?? []).map((u) => u.MultipartUploadId ?? '');
      seen.push(...ids);
      marker = page.Marker;
      const last = ids.at(-1);
      // Abort the upload the marker was derived from, and two not yet listed.
      const unseen = (uploadIds.churn ?? []).filter((id) => !seen.includes(id) && !abortedUnseen.has(id));
      for (const id of [last, ...unseen.slice(0, 2)]) {
        if (id === undefined) continue;
        await aws.glacier.send(
          new AbortMultipartUploadCommand({ accountId, vaultName: 'churn', uploadId: id }),
        );
        if (id !== last) abortedUnseen.add(id);
      }
    } while (marker !== undefined);
    expect(abortedUnseen.size).toBeGreaterThan(20);
    expect(seen.length).toBe(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set((uploadIds.churn ?? []).filter((id) => !abortedUnseen.has(id))));
  });

  it('rejects limit 0 and 51, and answers null Marker on the last page', async () => {
    emu.seed({ vaults: [{ name: 'v', uploads: makeUploads(3) }] });
    for (const limit of [0, 51]) {
      await expect(
        strict.glacier.send(new ListMultipartUploadsCommand({ accountId, vaultName: 'v', limit })),
      ).rejects.toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
    }
    const page = await aws.glacier.send(
      new ListMultipartUploadsCommand({ accountId, vaultName: 'v', limit: 50 }),
    );
    expect(page.UploadsList).toHaveLength(3);
    expect(page.Marker).toBeUndefined();
    expect(emu.requests({ operation: 'ListMultipartUploads', status: 400 })).toHaveLength(2);
  });

  it('aborts with 204, then answers ResourceNotFoundException; unknown vaults are 404 too', async () => {
    const { uploadIds } = emu.seed({ vaults: [{ name: 'v', uploads: makeUploads(2) }] });
    const uploadId = uploadIds.v?.[0] ?? '';
    await aws.glacier.send(new AbortMultipartUploadCommand({ accountId, vaultName: 'v', uploadId }));
    expect(emu.requests({ operation: 'AbortMultipartUpload' })[0]?.status).toBe(204);
    expect(emu.uploads('v').map((u) => u.uploadId)).toEqual([uploadIds.v?.[1]]);
    await expect(
      aws.glacier.send(new AbortMultipartUploadCommand({ accountId, vaultName: 'v', uploadId })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(
      aws.glacier.send(new ListMultipartUploadsCommand({ accountId, vaultName: 'nope' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('passes seeded anomalies through verbatim and keeps accounts apart', async () => {
    const weird = `ctl\u0001\u0007\ttab ${'x'.repeat(1500)}`;
    emu.seed({
      vaults: [
        {
          name: 'odd',
          uploads: [
            { uploadId: 'garbage-date', createdAt: 'yesterday-ish', description: weird, partSizeBytes: null },
            { uploadId: 'null-date', createdAt: null },
            { uploadId: 'no-date' },
          ],
        },
        { name: 'odd', accountId: '210987654321', uploads: makeUploads(1) },
      ],
    });
    const page = await aws.glacier.send(new ListMultipartUploadsCommand({ accountId, vaultName: 'odd' }));
    const byId = new Map((page.UploadsList ?? []).map((u) => [u.MultipartUploadId, u]));
    expect(byId.size).toBe(3);
    expect(byId.get('garbage-date')?.CreationDate).toBe('yesterday-ish');
    expect(byId.get('garbage-date')?.ArchiveDescription).toBe(weird);
    expect(byId.get('garbage-date')?.PartSizeInBytes ?? null).toBeNull();
    expect(byId.get('null-date')?.CreationDate ?? null).toBeNull();
    expect(byId.get('no-date')?.CreationDate).toBeUndefined();
    const other = await aws.glacier.send(
      new ListMultipartUploadsCommand({ accountId: '210987654321', vaultName: 'odd' }),
    );
    expect(other.UploadsList?.[0]?.VaultARN).toBe('arn:aws:glacier:us-east-1:210987654321:vaults/odd');
    expect(other.UploadsList).toHaveLength(1);
    const vaults = await aws.glacier.send(new ListVaultsCommand({ accountId }));
    expect(vaults.VaultList?.map((v) => v.VaultName)).toEqual(['odd']);
  });

  it('pages 50,000 uploads 50 at a time quickly', async () => {
    const started = performance.now();
    emu.seed({
      vaults: [{ name: 'huge', uploads: makeUploads(50_000, { createdAt: (i) => daysAgo(i % 30) }) }],
    });
    const seen = await listAll('huge', 50);
    const elapsed = performance.now() - started;
    expect(seen).toHaveLength(50_000);
    expect(new Set(seen).size).toBe(50_000);
    // Quadratic paging would take minutes here; the bound is loose because CI machines are shared.
    expect(elapsed).toBeLessThan(20_000);
  });
});

describe('SNS', () => {
  it('creates a topic and keeps each message with subject, structure and attributes', async () => {
    const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: 'reports' }));
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${emu.accountId}:reports`);
    const message = JSON.stringify({ default: 'summary', email: 'long text' });
    const { MessageId } = await aws.sns.send(
      new PublishCommand({
        TopicArn,
        Message: message,
        Subject: 'glacier-sweeper: 3 stale uploads',
        MessageStructure: 'json',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'report' },
          action: { DataType: 'String', StringValue: 'abort' },
        },
      }),
    );
    expect(emu.published()).toEqual([
      expect.objectContaining({
        messageId: MessageId,
        topicArn: TopicArn,
        message,
        subject: 'glacier-sweeper: 3 stale uploads',
        messageStructure: 'json',
        attributes: { kind: 'report', action: 'abort' },
        structured: { default: 'summary', email: 'long text' },
      }),
    ]);
  });

  it('enforces the size, subject and structure limits, and NotFound for unknown topics', async () => {
    const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: 't' }));
    const publish = (
      input: Omit<ConstructorParameters<typeof PublishCommand>[0], 'TopicArn'>,
      arn = TopicArn,
    ) => strict.sns.send(new PublishCommand({ TopicArn: arn, ...input }));
    await publish({ Message: 'é'.repeat(131_072) });
    const rejected = { name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } };
    await expect(publish({ Message: `${'é'.repeat(131_072)}x` })).rejects.toMatchObject(rejected);
    await publish({ Message: 'm', Subject: 's'.repeat(99) });
    await expect(publish({ Message: 'm', Subject: 's'.repeat(100) })).rejects.toMatchObject(rejected);
    await expect(publish({ Message: 'm', Subject: 'two\nlines' })).rejects.toMatchObject(rejected);
    await expect(publish({ Message: 'm', Subject: '' })).rejects.toMatchObject(rejected);
    await expect(publish({ Message: '{"email":"x"}', MessageStructure: 'json' })).rejects.toMatchObject(
      rejected,
    );
    await expect(publish({ Message: '[1]', MessageStructure: 'json' })).rejects.toMatchObject(rejected);
    await expect(
      publish({ Message: 'm' }, `arn:aws:sns:us-east-1:${emu.accountId}:missing`),
    ).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    expect(emu.published()).toHaveLength(2);
  });
});

describe('SSM', () => {
  it('puts, overwrites and reads parameters, reporting unknown names', async () => {
    await aws.ssm.send(new PutParameterCommand({ Name: '/gs/vaults', Type: 'StringList', Value: 'a,b=3d' }));
    await expect(
      aws.ssm.send(new PutParameterCommand({ Name: '/gs/vaults', Type: 'StringList', Value: 'c' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    const put = await aws.ssm.send(
      new PutParameterCommand({ Name: '/gs/vaults', Type: 'StringList', Value: 'c', Overwrite: true }),
    );
    expect(put.Version).toBe(2);
    const got = await aws.ssm.send(new GetParameterCommand({ Name: '/gs/vaults' }));
    expect(got.Parameter).toMatchObject({ Name: '/gs/vaults', Type: 'StringList', Value: 'c', Version: 2 });
    expect(got.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    await expect(aws.ssm.send(new GetParameterCommand({ Name: '/gs/none' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
      $metadata: { httpStatusCode: 400 },
    });
    const many = await aws.ssm.send(new GetParametersCommand({ Names: ['/gs/vaults', '/gs/none'] }));
    expect(many.Parameters?.map((p) => p.Value)).toEqual(['c']);
    expect(many.InvalidParameters).toEqual(['/gs/none']);
    const eleven = Array.from({ length: 11 }, (_, i) => `/gs/${i}`);
    await expect(aws.ssm.send(new GetParametersCommand({ Names: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('pages GetParametersByPath, recursively or one level', async () => {
    emu.seed({
      parameters: ['a', 'b', 'c', 'd', 'deep/e'].map((n) => ({ name: `/app/${n}`, value: n })),
    });
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws.ssm.send(
        new GetParametersByPathCommand({ Path: '/app', Recursive: true, MaxResults: 2, NextToken }),
      );
      names.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    expect(names).toEqual(['/app/a', '/app/b', '/app/c', '/app/d', '/app/deep/e']);
    const flat = await aws.ssm.send(new GetParametersByPathCommand({ Path: '/app' }));
    expect(flat.Parameters).toHaveLength(4);
  });
});

describe('fault injection', () => {
  beforeEach(() => {
    emu.seed({ vaults: [{ name: 'v', uploads: makeUploads(3) }], topics: ['t'] });
  });

  const listV = (clients: SdkClients) =>
    clients.glacier.send(new ListMultipartUploadsCommand({ accountId, vaultName: 'v' }));

  it('throttles every service in its own format at rate 1.0', async () => {
    emu.setFaults({ throttleRate: 1 });
    await expect(listV(strict)).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      strict.sns.send(
        new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${emu.accountId}:t`, Message: 'm' }),
      ),
    ).rejects.toMatchObject({ name: 'ThrottledException', $metadata: { httpStatusCode: 429 } });
    await expect(strict.ssm.send(new GetParameterCommand({ Name: 'x' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    expect(emu.requests({ fault: 'throttle' }).map((r) => r.service)).toEqual(['glacier', 'sns', 'ssm']);
  });

  it('answers 5xx at errorRate 1.0, and the SDK retries a transient 5xx to success', async () => {
    emu.setFaults({ errorRate: 1 });
    await expect(listV(strict)).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(strict.sns.send(new CreateTopicCommand({ Name: 'x' }))).rejects.toMatchObject({
      name: 'InternalErrorException',
    });
    emu.setFaults({ rules: [{ operation: 'ListMultipartUploads', fault: 'error', times: 1 }] });
    const page = await listV(aws);
    expect(page.UploadsList).toHaveLength(3);
    expect(emu.requests({ operation: 'ListMultipartUploads' }).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('targets one upload and one operation, for a number of times', async () => {
    const [target, other] = emu.uploads('v').map((u) => u.uploadId);
    emu.setFaults({
      rules: [
        {
          operation: 'AbortMultipartUpload',
          uploadId: target,
          fault: 'error',
          code: 'InternalFailure',
          status: 500,
          times: 2,
        },
      ],
    });
    const abort = (uploadId = '') =>
      strict.glacier.send(new AbortMultipartUploadCommand({ accountId, vaultName: 'v', uploadId }));
    await abort(other);
    await expect(abort(target)).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(abort(target)).rejects.toMatchObject({ name: 'InternalFailure' });
    await abort(target);
    expect(emu.faults().rules?.[0]?.times).toBe(0);
    expect(emu.uploads('v')).toHaveLength(1);
  });

  it('targets a vault with a 403, and a service with throttling for a number of times', async () => {
    emu.seed({ vaults: [{ name: 'broken', uploads: makeUploads(1) }] });
    emu.setFaults({
      rules: [
        {
          vault: 'broken',
          operation: 'ListMultipartUploads',
          fault: 'error',
          status: 403,
          code: 'AccessDeniedException',
        },
        { service: 'sns', fault: 'throttle', times: 3 },
      ],
    });
    await expect(
      strict.glacier.send(new ListMultipartUploadsCommand({ accountId, vaultName: 'broken' })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect((await listV(strict)).UploadsList).toHaveLength(3);
    const publish = () =>
      strict.sns.send(
        new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${emu.accountId}:t`, Message: 'm' }),
      );
    for (let i = 0; i < 3; i += 1)
      await expect(publish()).rejects.toMatchObject({ name: 'ThrottledException' });
    await publish();
    expect(emu.published()).toHaveLength(1);
  });

  it('resets connections: the SDK sees an error, and retries past a single reset', async () => {
    emu.setFaults({ resetRate: 1 });
    await expect(listV(strict)).rejects.toThrow(/socket hang up|ECONNRESET/);
    emu.setFaults({ rules: [{ fault: 'reset', times: 1 }] });
    expect((await listV(aws)).UploadsList).toHaveLength(3);
    const record = emu.requests({ operation: 'ListMultipartUploads' });
    expect(record.map((r) => [r.fault, r.status])).toEqual([
      ['reset', null],
      ['reset', null],
      [null, 200],
    ]);
  });

  it('hangs requests until the SDK request timeout fires', async () => {
    const impatient = sdkClients(emu.url, { maxAttempts: 1, requestTimeoutMs: 200 });
    emu.setFaults({ rules: [{ operation: 'ListMultipartUploads', fault: 'hang' }] });
    const started = performance.now();
    await expect(listV(impatient)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    impatient.destroy();
    expect(emu.requests({ fault: 'hang' })).toMatchObject([
      { operation: 'ListMultipartUploads', status: null },
    ]);
  });

  it('delays answers by latencyMs', async () => {
    emu.setFaults({ latencyMs: 150 });
    const started = performance.now();
    await listV(strict);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(emu.requests()[0]?.durationMs).toBeGreaterThanOrEqual(145);
  });

  it('draws random faults from a seeded PRNG, so a seed replays the same run', async () => {
    const run = async () => {
      emu.clearRequests();
      emu.setFaults({ throttleRate: 0.5, seed: 42 });
      for (let i = 0; i < 20; i += 1) await listV(strict).catch(() => undefined);
      return emu.requests().map((r) => r.fault);
    };
    const first = await run();
    expect(first.filter((f) => f === 'throttle').length).toBeGreaterThan(3);
    expect(first.filter((f) => f === null).length).toBeGreaterThan(3);
    expect(await run()).toEqual(first);
  });
});

describe('request record', () => {
  it('records time, service, operation, vault, upload id, status and fault of each request', async () => {
    const { uploadIds } = emu.seed({ vaults: [{ name: 'rec', uploads: makeUploads(1) }] });
    const uploadId = uploadIds.rec?.[0] ?? '';
    emu.addFaultRule({ operation: 'ListParts', fault: 'throttle', times: 1 });
    await strict.glacier
      .send(new ListPartsCommand({ accountId, vaultName: 'rec', uploadId }))
      .catch(() => undefined);
    await aws.glacier.send(new AbortMultipartUploadCommand({ accountId, vaultName: 'rec', uploadId }));
    await aws.ssm.send(new GetParametersCommand({ Names: ['/x'] }));
    const record = emu.requests();
    expect(record).toMatchObject([
      {
        service: 'glacier',
        operation: 'ListParts',
        vault: 'rec',
        uploadId,
        accountId: emu.accountId,
        status: 400,
        errorCode: 'ThrottlingException',
        fault: 'throttle',
      },
      { service: 'glacier', operation: 'AbortMultipartUpload', uploadId, status: 204, fault: null },
      { service: 'ssm', operation: 'GetParameters', status: 200, vault: undefined },
    ]);
    expect(Date.parse(record[0]?.time ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(emu.requests({ service: 'ssm' })).toHaveLength(1);
    emu.reset();
    expect(emu.requests()).toEqual([]);
    expect(emu.vaults()).toEqual([]);
  });
});
