import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { STATE_KEY_ATTRIBUTE } from '../lambda/core/defaults';

export const LOCAL_STATE_TABLE = 'glacier-sweeper-state';

export interface LocalStateTable {
  /** `http://127.0.0.1:PORT`: set as AWS_ENDPOINT_URL_DYNAMODB. */
  readonly url: string;
  readonly tableName: string;
  /** Creates the table (as the stack does: key `pk`) and waits until it is ACTIVE. */
  create(): Promise<void>;
  /** Deletes the table, as an operator or an accident might, and waits until it is gone. */
  drop(): Promise<void>;
  /** Every item, for tests and the demo. */
  items(): Promise<Record<string, unknown>[]>;
  /** Delays every request the table answers by this many ms (0 ends it): a slow or distant table. */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

/**
 * DynamoDB on loopback for the upload history, backed by dynalite (in memory). dynalite has no TTL and
 * no transactions; the sweeper uses neither (it checks `ttl` itself).
 */
export async function startStateTable(tableName = LOCAL_STATE_TABLE): Promise<LocalStateTable> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // dynalite has no latency of its own: its request handler is put behind a timer.
  let latencyMs = 0;
  const delayed = new Map<NodeJS.Timeout, ServerResponse>();
  const answer = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (latencyMs <= 0) {
      for (const listener of answer) listener(req, res);
      return;
    }
    const timer = setTimeout(() => {
      delayed.delete(timer);
      // The client may have given up meanwhile (a cancelled request): nobody is left to answer.
      if (req.destroyed) return;
      for (const listener of answer) listener(req, res);
    }, latencyMs);
    delayed.set(timer, res);
  });
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  // dynalite answers CreateTable while the table is CREATING and DeleteTable while it is DELETING, and
  // finishes on a timer: a request right after could still meet the old state.
  const settled = async (done: (status: string | undefined) => boolean): Promise<void> => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const status = await client
        .send(new DescribeTableCommand({ TableName: tableName }))
        .then((out) => out.Table?.TableStatus ?? 'UNKNOWN')
        .catch((error: unknown) => {
          if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
          throw error;
        });
      if (done(status)) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`local state table ${tableName} did not settle`);
  };
  const table: LocalStateTable = {
    url,
    tableName,
    create: async () => {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: STATE_KEY_ATTRIBUTE, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: STATE_KEY_ATTRIBUTE, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await settled((status) => status === 'ACTIVE');
    },
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      await settled((status) => status === undefined);
    },
    items: async () => {
      const out = await client.send(new ScanCommand({ TableName: tableName }));
      return (out.Items ?? []).map((item) =>
        Object.fromEntries(
          Object.entries(item).map(([k, v]) => [k, v.S ?? (v.N === undefined ? v : Number(v.N))]),
        ),
      );
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    stop: async () => {
      for (const [timer, res] of delayed) {
        clearTimeout(timer);
        res.destroy();
      }
      delayed.clear();
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await table.create();
  return table;
}
