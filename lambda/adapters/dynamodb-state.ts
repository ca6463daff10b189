import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { StateStore, UploadHistory } from '../core/activity';
import { STATE_KEY_ATTRIBUTE } from '../core/defaults';

const NUMBER_FIELDS = [
  'firstSeen',
  'lastSeen',
  'lastChanged',
  'partCount',
  'bytes',
  'seenCount',
  'ttl',
] as const;

function toItem(key: string, history: UploadHistory): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [STATE_KEY_ATTRIBUTE]: { S: key },
    fingerprint: { S: history.fingerprint },
  };
  for (const field of NUMBER_FIELDS) item[field] = { N: String(history[field]) };
  if (history.runId !== undefined) item.runId = { S: history.runId };
  return item;
}

function fromItem(item: Record<string, AttributeValue>): UploadHistory | undefined {
  const fingerprint = item.fingerprint?.S;
  if (fingerprint === undefined) return undefined;
  const numbers: Partial<Record<(typeof NUMBER_FIELDS)[number], number>> = {};
  for (const field of NUMBER_FIELDS) {
    const n = Number(item[field]?.N);
    // A damaged record proves nothing: treat it as absent, so the upload starts its quiet period again.
    if (!Number.isFinite(n)) return undefined;
    numbers[field] = n;
  }
  const runId = item.runId?.S;
  return {
    fingerprint,
    ...(numbers as Record<(typeof NUMBER_FIELDS)[number], number>),
    ...(runId === undefined ? {} : { runId }),
  };
}

/**
 * Upload history in DynamoDB. Writes are conditional on the item still being what this run read, so a
 * concurrent writer makes the write fail (reported as a warning) instead of being overwritten.
 * Uses nothing dynalite lacks (no transactions, no reliance on TTL deletion).
 */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    /** The invocation's hard stop: a history call still in flight then is cancelled like any other request. */
    private readonly signal?: AbortSignal,
  ) {}

  private get options() {
    return this.signal ? { abortSignal: this.signal } : {};
  }

  async get(key: string): Promise<UploadHistory | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { [STATE_KEY_ATTRIBUTE]: { S: key } },
        ConsistentRead: true,
      }),
      this.options,
    );
    return out.Item === undefined ? undefined : fromItem(out.Item);
  }

  async put(key: string, next: UploadHistory, previous: UploadHistory | undefined): Promise<void> {
    const condition: Pick<
      PutItemCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      previous === undefined
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': STATE_KEY_ATTRIBUTE },
          }
        : {
            ConditionExpression: '#fp = :fp AND #ls = :ls',
            ExpressionAttributeNames: { '#fp': 'fingerprint', '#ls': 'lastSeen' },
            ExpressionAttributeValues: {
              ':fp': { S: previous.fingerprint },
              ':ls': { N: String(previous.lastSeen) },
            },
          };
    await this.client.send(
      new PutItemCommand({ TableName: this.table, Item: toItem(key, next), ...condition }),
      this.options,
    );
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({ TableName: this.table, Key: { [STATE_KEY_ATTRIBUTE]: { S: key } } }),
      this.options,
    );
  }
}
