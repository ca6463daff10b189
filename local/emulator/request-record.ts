import type { ServiceName } from './errors';
import type { FaultKind } from './faults';

export interface RecordedRequest {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  service: ServiceName | 'unknown';
  operation: string;
  method: string;
  path: string;
  /** The account the call acts on: a vault's owner for Glacier, else the caller's account. */
  accountId: string | undefined;
  /** The account of the credentials that signed the call (the default account when unsigned). */
  callerAccountId: string;
  /** Access key id of the signature; undefined when unsigned. */
  accessKeyId: string | undefined;
  /** Region of the signature's credential scope, or the emulator's default region. */
  region: string;
  vault: string | undefined;
  uploadId: string | undefined;
  /** S3 bucket and object key, for S3 calls. */
  bucket: string | undefined;
  key: string | undefined;
  /** null while unanswered, and for ever for a reset or hung request. */
  status: number | null;
  errorCode: string | undefined;
  fault: Exclude<FaultKind, 'latency'> | null;
  durationMs: number | null;
}

export type RequestFilter = Partial<
  Pick<
    RecordedRequest,
    | 'service'
    | 'operation'
    | 'vault'
    | 'uploadId'
    | 'status'
    | 'fault'
    | 'errorCode'
    | 'accountId'
    | 'callerAccountId'
    | 'accessKeyId'
    | 'region'
    | 'bucket'
    | 'key'
  >
>;

export class RequestRecord {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  start(
    entry: Omit<RecordedRequest, 'seq' | 'time' | 'status' | 'errorCode' | 'fault' | 'durationMs'>,
  ): RecordedRequest {
    this.seq += 1;
    const recorded: RecordedRequest = {
      ...entry,
      seq: this.seq,
      time: new Date().toISOString(),
      status: null,
      errorCode: undefined,
      fault: null,
      durationMs: null,
    };
    this.entries.push(recorded);
    return recorded;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    const keys = Object.keys(filter) as (keyof RequestFilter)[];
    return this.entries
      .filter((entry) => keys.every((key) => entry[key] === filter[key]))
      .map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
