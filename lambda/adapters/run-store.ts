import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** Where one execution keeps its data: JSON objects under `runs/<runId>/`. */
export interface RunStore {
  put(key: string, value: unknown): Promise<void>;
  /** undefined when there is no such object. */
  get<T>(key: string): Promise<T | undefined>;
  /** Every key under the prefix, in S3's (UTF-8 byte) order. */
  list(prefix: string): Promise<string[]>;
}

export const RUNS_PREFIX = 'runs/';

/** The run's prefix: nothing outside it is ever read back into a run. */
export const runPrefix = (runId: string): string => `${RUNS_PREFIX}${encodeURIComponent(runId)}/`;

const isNotFound = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** The run store in the hub's bucket. Translation only. */
export class S3RunStore implements RunStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, value: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await out.Body?.transformToString('utf-8');
      return text === undefined ? undefined : (JSON.parse(text) as T);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: prefix },
    )) {
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    }
    return keys;
  }
}

/** The same store in memory, for core tests. */
export class MemoryRunStore implements RunStore {
  readonly objects = new Map<string, string>();

  async put(key: string, value: unknown): Promise<void> {
    this.objects.set(key, JSON.stringify(value));
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.objects.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
