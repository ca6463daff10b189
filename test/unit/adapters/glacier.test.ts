import 'aws-sdk-client-mock-vitest/extend';
import {
  AbortMultipartUploadCommand,
  GlacierClient,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListTagsForVaultCommand,
  ListVaultsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-glacier';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { GlacierVaultApi } from '../../../lambda/adapters/glacier';
import { CYCLES, markerLinks } from '../helpers/marker-links';
import { named } from '../helpers/mock-aws';

const glacierMock = mockClient(GlacierClient);
const client = new GlacierClient({ region: 'us-east-1' });
const api = new GlacierVaultApi(client, '-');

const listInputs = () =>
  glacierMock.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input);

beforeEach(() => {
  glacierMock.reset();
});

describe('GlacierVaultApi.listUploadsPage', () => {
  it('follows the marker page by page, asking for 50 uploads each time', async () => {
    glacierMock
      .on(ListMultipartUploadsCommand, { marker: undefined })
      .resolves({ UploadsList: [{ MultipartUploadId: 'u1' }], Marker: 'm-1' })
      .on(ListMultipartUploadsCommand, { marker: 'm-1' })
      .resolves({ UploadsList: [{ MultipartUploadId: 'u2' }], Marker: 'm-2' })
      .on(ListMultipartUploadsCommand, { marker: 'm-2' })
      .resolves({ UploadsList: [{ MultipartUploadId: 'u3' }], Marker: null as unknown as string });

    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = await api.listUploadsPage('backups', marker);
      ids.push(...page.uploads.map((u) => u.uploadId));
      marker = page.marker;
    } while (marker !== undefined);

    expect(ids).toEqual(['u1', 'u2', 'u3']);
    expect(glacierMock).toReceiveCommandTimes(ListMultipartUploadsCommand, 3);
    expect(listInputs()).toEqual([
      { accountId: '-', vaultName: 'backups', limit: 50 },
      { accountId: '-', vaultName: 'backups', limit: 50, marker: 'm-1' },
      { accountId: '-', vaultName: 'backups', limit: 50, marker: 'm-2' },
    ]);
    // The first request carries no marker key at all (not `marker: undefined` serialised as "undefined").
    expect(Object.keys(listInputs()[0] ?? {})).not.toContain('marker');
  });

  it.each([
    ['null', { Marker: null as unknown as string }],
    ['absent', {}],
    ['empty', { Marker: '' }],
  ])('ends the listing when Marker is %s', async (_label, tail) => {
    glacierMock.on(ListMultipartUploadsCommand).resolves({ UploadsList: [], ...tail });

    const page = await api.listUploadsPage('backups', 'm-7');

    expect(page).toEqual({ uploads: [], marker: undefined });
    expect(glacierMock).toReceiveCommandWith(ListMultipartUploadsCommand, { marker: 'm-7', limit: 50 });
  });

  it('treats a missing UploadsList as an empty page', async () => {
    glacierMock.on(ListMultipartUploadsCommand).resolves({ Marker: 'm-2' });

    expect(await api.listUploadsPage('backups', undefined)).toEqual({ uploads: [], marker: 'm-2' });
  });

  it('maps every field, and null fields to undefined', async () => {
    glacierMock.on(ListMultipartUploadsCommand).resolves({
      UploadsList: [
        {
          MultipartUploadId: 'full',
          CreationDate: '2026-10-01T00:00:00.000Z',
          ArchiveDescription: 'nightly tar',
          PartSizeInBytes: 4_194_304,
          VaultARN: 'arn:aws:glacier:us-east-1:123456789012:vaults/backups',
        },
        {
          MultipartUploadId: 'nulls',
          CreationDate: null as unknown as string,
          ArchiveDescription: null as unknown as string,
          PartSizeInBytes: null as unknown as number,
        },
        { MultipartUploadId: 'absent' },
        {},
      ],
    });

    const page = await api.listUploadsPage('backups', undefined);

    expect(page.uploads).toEqual([
      {
        uploadId: 'full',
        createdAt: '2026-10-01T00:00:00.000Z',
        description: 'nightly tar',
        partSizeBytes: 4_194_304,
      },
      { uploadId: 'nulls', createdAt: undefined, description: undefined, partSizeBytes: undefined },
      { uploadId: 'absent', createdAt: undefined, description: undefined, partSizeBytes: undefined },
      { uploadId: '', createdAt: undefined, description: undefined, partSizeBytes: undefined },
    ]);
  });

  it('rethrows listing errors', async () => {
    glacierMock.on(ListMultipartUploadsCommand).rejects(named('AccessDeniedException', 'no'));

    await expect(api.listUploadsPage('backups', undefined)).rejects.toThrow('no');
  });
});

describe('GlacierVaultApi.abortUpload', () => {
  it('sends one AbortMultipartUpload and resolves aborted', async () => {
    glacierMock.on(AbortMultipartUploadCommand).resolves({});

    expect(await api.abortUpload('backups', 'u1')).toBe('aborted');
    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 1);
    expect(glacierMock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toEqual({
      accountId: '-',
      vaultName: 'backups',
      uploadId: 'u1',
    });
  });

  it('resolves gone when Glacier answers ResourceNotFoundException (modelled error class)', async () => {
    glacierMock
      .on(AbortMultipartUploadCommand)
      .rejects(new ResourceNotFoundException({ message: 'no such upload', $metadata: {} }));

    expect(await api.abortUpload('backups', 'u1')).toBe('gone');
  });

  it('resolves gone for a ResourceNotFoundException by name (as deserialised from the wire)', async () => {
    glacierMock.on(AbortMultipartUploadCommand).rejects(named('ResourceNotFoundException', 'gone'));

    expect(await api.abortUpload('backups', 'u1')).toBe('gone');
  });

  it.each([
    'ThrottlingException',
    'ServiceUnavailableException',
    'AccessDeniedException',
    'InvalidParameterValueException',
  ])('rethrows %s', async (name) => {
    glacierMock.on(AbortMultipartUploadCommand).rejects(named(name, `boom ${name}`));

    await expect(api.abortUpload('backups', 'u1')).rejects.toMatchObject({
      name,
      message: `boom ${name}`,
    });
  });
});

describe('GlacierVaultApi.listVaultNames', () => {
  it('follows ListVaults markers across pages and skips entries without a name', async () => {
    // The SDK paginator mutates one input object between pages, so record each input as it is sent.
    const sent: Record<string, unknown>[] = [];
    const pages: Record<string, { VaultList: { VaultName?: string }[]; Marker: string | null }> = {
      start: { VaultList: [{ VaultName: 'a' }, { VaultName: 'b' }], Marker: 'v-1' },
      'v-1': { VaultList: [{}, { VaultName: 'c' }], Marker: 'v-2' },
      'v-2': { VaultList: [{ VaultName: 'd' }], Marker: null },
    };
    glacierMock.on(ListVaultsCommand).callsFake(async (input: { marker?: string }) => {
      sent.push({ ...input });
      return pages[input.marker ?? 'start'];
    });

    expect(await api.listVaultNames()).toEqual(['a', 'b', 'c', 'd']);
    expect(glacierMock).toReceiveCommandTimes(ListVaultsCommand, 3);
    expect(sent.map((input) => [input.accountId, input.marker])).toEqual([
      ['-', undefined],
      ['-', 'v-1'],
      ['-', 'v-2'],
    ]);
  });

  // A ListVaults answer that repeats its marker would loop until the Lambda times out (no report, no
  // alert). The mock gives up after 25 calls so the test ends even if the guard is missing.
  it('stops with an error when ListVaults returns the marker it was given', async () => {
    glacierMock.on(ListVaultsCommand).callsFake(async () => {
      if (glacierMock.commandCalls(ListVaultsCommand).length > 25) throw new Error('test mock: looped');
      return { VaultList: [{ VaultName: 'a' }], Marker: 'same' };
    });

    await expect(api.listVaultNames()).rejects.toThrow(/marker/i);
    expect(glacierMock.commandCalls(ListVaultsCommand).length).toBeLessThanOrEqual(2);
  });

  it.each(Object.entries(CYCLES))(
    'stops with an error when the ListVaults markers cycle %s',
    async (_label, cycle) => {
      const fake = markerLinks(cycle.links, 25);
      glacierMock.on(ListVaultsCommand).callsFake(async (input: { marker?: string }) => {
        const { item, marker } = fake.page(input.marker);
        return { VaultList: [{ VaultName: item }], Marker: marker ?? null };
      });

      await expect(api.listVaultNames()).rejects.toThrow(
        `ListVaults repeated a marker it was already given (${cycle.repeated}); listing stopped`,
      );
      expect(fake.asked).toEqual(cycle.asked);
    },
  );

  it('returns an empty list for an account without vaults', async () => {
    glacierMock.on(ListVaultsCommand).resolves({});

    expect(await api.listVaultNames()).toEqual([]);
    expect(glacierMock).toReceiveCommandTimes(ListVaultsCommand, 1);
  });
});

describe('accountId', () => {
  it('is passed through to every command', async () => {
    const other = new GlacierVaultApi(client, '210987654321');
    glacierMock.on(ListMultipartUploadsCommand).resolves({ UploadsList: [] });
    glacierMock.on(AbortMultipartUploadCommand).resolves({});
    glacierMock.on(ListVaultsCommand).resolves({ VaultList: [] });

    await other.listUploadsPage('v', undefined);
    await other.abortUpload('v', 'u');
    await other.listVaultNames();

    expect(glacierMock).toReceiveCommandWith(ListMultipartUploadsCommand, { accountId: '210987654321' });
    expect(glacierMock).toReceiveCommandWith(AbortMultipartUploadCommand, { accountId: '210987654321' });
    expect(glacierMock).toReceiveCommandWith(ListVaultsCommand, { accountId: '210987654321' });
  });
});

describe('the hard-stop signal', () => {
  const signal = new AbortController().signal;
  const stopping = new GlacierVaultApi(client, '-', signal);
  /** The options each call of this command was sent with (the second argument of `client.send`). */
  const optionsOf = (command: Parameters<typeof glacierMock.commandCalls>[0]) =>
    glacierMock
      .commandCalls(command)
      .map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined);

  it('goes with every request: ListMultipartUploads, ListParts (every page), AbortMultipartUpload, ListVaults', async () => {
    glacierMock.on(ListMultipartUploadsCommand).resolves({ UploadsList: [] });
    glacierMock
      .on(ListPartsCommand, { marker: undefined })
      .resolves({ Parts: [{ RangeInBytes: '0-9', SHA256TreeHash: 'h' }], Marker: 'p-1' })
      .on(ListPartsCommand, { marker: 'p-1' })
      .resolves({ Parts: [] });
    glacierMock.on(AbortMultipartUploadCommand).resolves({});
    glacierMock.on(ListVaultsCommand).resolves({ VaultList: [] });

    await stopping.listUploadsPage('v', undefined);
    await stopping.listPartsPage('v', 'u', undefined);
    await stopping.listPartsPage('v', 'u', 'p-1');
    await stopping.abortUpload('v', 'u');
    await stopping.listVaultNames();

    for (const command of [
      ListMultipartUploadsCommand,
      ListPartsCommand,
      AbortMultipartUploadCommand,
      ListVaultsCommand,
    ]) {
      const sent = optionsOf(command);
      expect(sent.length, command.name).toBeGreaterThan(0);
      for (const options of sent) expect(options?.abortSignal, command.name).toBe(signal);
    }
  });
});

describe('GlacierVaultApi.listVaultTags and ListParts fields', () => {
  it('sends ListTagsForVault with the account and returns the tags ({} when none)', async () => {
    glacierMock
      .on(ListTagsForVaultCommand, { vaultName: 'legal' })
      .resolves({ Tags: { 'glacier-sweeper': 'skip' } })
      .on(ListTagsForVaultCommand, { vaultName: 'plain' })
      .resolves({});
    expect(await api.listVaultTags('legal')).toEqual({ 'glacier-sweeper': 'skip' });
    expect(await api.listVaultTags('plain')).toEqual({});
    expect(glacierMock).toHaveReceivedCommandWith(ListTagsForVaultCommand, {
      accountId: '-',
      vaultName: 'legal',
    });
  });

  it('returns the CreationDate and description ListParts carries, for the re-check before an abort', async () => {
    glacierMock.on(ListPartsCommand).resolves({
      Parts: [{ RangeInBytes: '0-1', SHA256TreeHash: 'h' }],
      CreationDate: '2026-01-01T00:00:00.000Z',
      ArchiveDescription: 'nightly',
      Marker: null as unknown as undefined,
    });
    expect(await api.listPartsPage('v', 'u', undefined)).toEqual({
      parts: [{ range: '0-1', treeHash: 'h' }],
      marker: undefined,
      createdAt: '2026-01-01T00:00:00.000Z',
      description: 'nightly',
    });
  });
});
