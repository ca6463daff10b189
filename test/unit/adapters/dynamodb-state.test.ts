import 'aws-sdk-client-mock-vitest/extend';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoStateStore } from '../../../lambda/adapters/dynamodb-state';
import type { UploadHistory } from '../../../lambda/core/activity';

const dynamo = mockClient(DynamoDBClient);
const store = new DynamoStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'history');
const KEY = '123456789012:us-east-1:v#u';
const HISTORY: UploadHistory = {
  firstSeen: 1,
  lastSeen: 2,
  lastChanged: 1,
  fingerprint: 'abc',
  partCount: 3,
  bytes: 300,
  seenCount: 2,
  ttl: 99,
};

beforeEach(() => dynamo.reset());

describe('DynamoStateStore', () => {
  it('reads consistently by key and maps every attribute', async () => {
    dynamo.on(GetItemCommand).resolves({
      Item: {
        pk: { S: KEY },
        fingerprint: { S: 'abc' },
        firstSeen: { N: '1' },
        lastSeen: { N: '2' },
        lastChanged: { N: '1' },
        partCount: { N: '3' },
        bytes: { N: '300' },
        seenCount: { N: '2' },
        ttl: { N: '99' },
      },
    });
    expect(await store.get(KEY)).toEqual(HISTORY);
    expect(dynamo).toReceiveCommandWith(GetItemCommand, {
      TableName: 'history',
      Key: { pk: { S: KEY } },
      ConsistentRead: true,
    });
  });

  it('answers undefined for a missing item and for a damaged one', async () => {
    dynamo
      .on(GetItemCommand)
      .resolvesOnce({})
      .resolvesOnce({ Item: { pk: { S: KEY }, fingerprint: { S: 'x' }, lastSeen: { N: 'NaN' } } });
    expect(await store.get(KEY)).toBeUndefined();
    expect(await store.get(KEY)).toBeUndefined();
  });

  it('creates an item only if none exists', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await store.put(KEY, HISTORY, undefined);
    expect(dynamo).toReceiveCommandWith(PutItemCommand, {
      TableName: 'history',
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': 'pk' },
    });
    const item = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      pk: { S: KEY },
      fingerprint: { S: 'abc' },
      ttl: { N: '99' },
      bytes: { N: '300' },
    });
  });

  it('updates an item only if it is still what this run read', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await store.put(KEY, { ...HISTORY, lastSeen: 5, seenCount: 3 }, HISTORY);
    expect(dynamo).toReceiveCommandWith(PutItemCommand, {
      ConditionExpression: '#fp = :fp AND #ls = :ls',
      ExpressionAttributeValues: { ':fp': { S: 'abc' }, ':ls': { N: '2' } },
    });
  });

  it('lets a failed condition surface to the caller', async () => {
    dynamo.on(PutItemCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    await expect(store.put(KEY, HISTORY, undefined)).rejects.toThrow('conditional request failed');
  });

  it('deletes by key', async () => {
    dynamo.on(DeleteItemCommand).resolves({});
    await store.delete(KEY);
    expect(dynamo).toReceiveCommandWith(DeleteItemCommand, { TableName: 'history', Key: { pk: { S: KEY } } });
  });
});

describe('DynamoStateStore and the hard-stop signal', () => {
  const signal = new AbortController().signal;
  const stopping = new DynamoStateStore(new DynamoDBClient({ region: 'us-east-1' }), 'history', signal);
  const optionsOf = (command: Parameters<typeof dynamo.commandCalls>[0]) =>
    dynamo
      .commandCalls(command)
      .map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined);

  it('sends GetItem, PutItem and DeleteItem with the invocation signal', async () => {
    dynamo.on(GetItemCommand).resolves({});
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});

    await stopping.get(KEY);
    await stopping.put(KEY, HISTORY, undefined);
    await stopping.put(KEY, { ...HISTORY, lastSeen: 5 }, HISTORY);
    await stopping.delete(KEY);

    for (const command of [GetItemCommand, PutItemCommand, DeleteItemCommand]) {
      const sent = optionsOf(command);
      expect(sent.length, command.name).toBeGreaterThan(0);
      for (const options of sent) expect(options?.abortSignal, command.name).toBe(signal);
    }
  });
});
