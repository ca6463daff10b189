import 'aws-sdk-client-mock-vitest/extend';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readSettings } from '../../../lambda/adapters/ssm';

const ssmMock = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });

const ALL_NAMES = [
  '/glacier-sweeper/vaults',
  '/glacier-sweeper/older-than',
  '/glacier-sweeper/action',
  '/glacier-sweeper/account-id',
  '/glacier-sweeper/max-aborts',
  '/glacier-sweeper/exclude',
  '/glacier-sweeper/notify',
  '/glacier-sweeper/quiet-period',
  '/glacier-sweeper/max-list-parts',
];

beforeEach(() => {
  ssmMock.reset();
});

describe('readSettings', () => {
  it('asks for all nine parameters under the prefix in one GetParameters call', async () => {
    ssmMock.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: ALL_NAMES });

    await readSettings(client, '/glacier-sweeper');

    expect(ssmMock).toReceiveCommandTimes(GetParametersCommand, 1);
    const names = ssmMock.commandCalls(GetParametersCommand)[0]?.args[0].input.Names;
    expect([...(names ?? [])].sort()).toEqual([...ALL_NAMES].sort());
    expect(ssmMock).toReceiveCommandWith(GetParametersCommand, { WithDecryption: false });
  });

  it('uses the prefix it is given', async () => {
    ssmMock.on(GetParametersCommand).resolves({});

    await readSettings(client, '/team/sweeper');

    const names = ssmMock.commandCalls(GetParametersCommand)[0]?.args[0].input.Names ?? [];
    expect(names).toHaveLength(9);
    expect(names).toContain('/team/sweeper/vaults');
    expect(names.every((name) => name.startsWith('/team/sweeper/'))).toBe(true);
  });

  it('maps every returned parameter to its key', async () => {
    ssmMock.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: '/glacier-sweeper/vaults', Type: 'StringList', Value: 'a,b=3d' },
        { Name: '/glacier-sweeper/older-than', Type: 'String', Value: '14d' },
        { Name: '/glacier-sweeper/action', Type: 'String', Value: 'abort' },
        { Name: '/glacier-sweeper/account-id', Type: 'String', Value: '123456789012' },
        { Name: '/glacier-sweeper/max-aborts', Type: 'String', Value: '5' },
        { Name: '/glacier-sweeper/exclude', Type: 'String', Value: '^keep' },
        { Name: '/glacier-sweeper/notify', Type: 'String', Value: 'always' },
      ],
    });

    expect(await readSettings(client, '/glacier-sweeper')).toEqual({
      vaults: 'a,b=3d',
      olderThan: '14d',
      action: 'abort',
      accountId: '123456789012',
      maxAborts: '5',
      exclude: '^keep',
      notify: 'always',
    });
  });

  it('leaves InvalidParameters (parameters that do not exist) absent', async () => {
    ssmMock.on(GetParametersCommand).resolves({
      Parameters: [{ Name: '/glacier-sweeper/vaults', Type: 'StringList', Value: 'a' }],
      InvalidParameters: ALL_NAMES.filter((name) => !name.endsWith('/vaults')),
    });

    const raw = await readSettings(client, '/glacier-sweeper');

    expect(raw).toEqual({ vaults: 'a' });
    expect(Object.keys(raw)).toEqual(['vaults']);
  });

  it('ignores parameters it did not ask for and parameters without a value', async () => {
    ssmMock.on(GetParametersCommand).resolves({
      Parameters: [
        { Name: '/other/vaults', Value: 'evil' },
        { Name: '/glacier-sweeper/action', Value: undefined },
        { Value: 'no name' },
        { Name: '/glacier-sweeper/notify', Value: 'always' },
      ],
    });

    expect(await readSettings(client, '/glacier-sweeper')).toEqual({ notify: 'always' });
  });

  it('rejects when SSM fails', async () => {
    ssmMock.on(GetParametersCommand).rejects(new Error('AccessDenied'));

    await expect(readSettings(client, '/glacier-sweeper')).rejects.toThrow('AccessDenied');
  });
});
