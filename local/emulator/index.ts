import type { AddressInfo } from 'node:net';
import { AccountDirectory } from './accounts';
import type { FaultOptions, FaultRule } from './faults';
import { FaultInjector } from './faults';
import { GlacierStore, type Part, type Upload } from './glacier-store';
import { OrganizationState } from './organizations';
import { type RecordedRequest, type RequestFilter, RequestRecord } from './request-record';
import { S3State } from './s3';
import { applySeed, type Seed, type SeedResult } from './seed';
import { applyFleetSeed } from './seed-fleet';
import { createEmulatorServer } from './server';
import { type PublishedMessage, SnsState } from './sns';
import { SsmState, type StoredParameter } from './ssm';

export type { AccountState } from './accounts';
export type { ServiceName } from './errors';
export type { FaultKind, FaultOptions, FaultRule } from './faults';
export { seededRandom } from './faults';
export type { RecordedRequest, RequestFilter } from './request-record';
export type { Seed, SeedGenerate, SeedParameter, SeedResult, SeedUpload, SeedVault } from './seed';
export { daysAgo, makeUploads, readSeedFile, SeedError } from './seed';
export type { SeedAccount, SeedOrganization, SeedRole } from './seed-fleet';
export type { MessageAttribute, PublishedMessage } from './sns';
export { treeHash } from './tree-hash';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. The server only listens on 127.0.0.1. */
  port?: number;
  /** Shorthand for `faults.latencyMs`. */
  latencyMs?: number;
  faults?: FaultOptions;
  seed?: Seed;
  /**
   * The default account: what `-` stands for with any credentials the emulator did not issue (the
   * tests' `test` key). Default 123456789012.
   */
  accountId?: string;
  /** The region of unsigned requests and of seeds that name none. Default us-east-1. */
  region?: string;
}

/** Which vaults: an account id (`-` = the default account) or an account and a region. */
export type VaultWhere = string | { accountId?: string; region?: string };

/** An in-progress upload as tests see it: the stored fields, with its parts in range order. */
export type UploadView = Pick<
  Upload,
  'uploadId' | 'accountId' | 'vault' | 'creationDate' | 'description' | 'partSizeBytes'
> & {
  region: string;
  parts: Part[];
  /** Only for a seeded upload listed under another id, or none (see SeedUpload.listedId). */
  listedId?: string | null;
};

export interface VaultView {
  accountId: string;
  region: string;
  name: string;
  uploads: number;
  archives: number;
  tags: Record<string, string>;
}

/** An S3 object as tests see it. */
export interface ObjectView {
  key: string;
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

/** Credentials STS issued, as tests see them. */
export interface SessionView {
  accessKeyId: string;
  accountId: string;
  roleArn: string;
  sessionName: string;
  expiration: Date;
  /** Region of the STS endpoint that issued them. */
  region: string;
  /** Who assumed the role (their GetCallerIdentity ARN). */
  assumedBy: string;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT`, to pass as the SDK's `endpoint`. */
  url: string;
  port: number;
  accountId: string;
  region: string;
  stop(): Promise<void>;
  seed(seed: Seed): SeedResult;
  /** Replaces the fault configuration (and restarts its PRNG). */
  setFaults(faults: FaultOptions): void;
  addFaultRule(rule: FaultRule): void;
  /** The fault configuration, with each rule's remaining `times`. */
  faults(): FaultOptions;
  requests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): void;
  published(filter?: { topicArn?: string }): PublishedMessage[];
  /** In-progress uploads of a vault, in listing order; by default the default account and region. */
  uploads(vault: string, where?: VaultWhere): UploadView[];
  /** Every vault of every account and region. */
  vaults(): VaultView[];
  parameters(): StoredParameter[];
  /** Creates an empty S3 bucket unless it exists (the emulator has one bucket namespace, like S3). */
  createBucket(name: string): void;
  /** Objects of a bucket in key order (UTF-8 byte order, as S3 lists them), optionally under a prefix. */
  objects(bucket: string, prefix?: string): ObjectView[];
  /** Every AssumeRole that succeeded, oldest first. */
  sessions(): SessionView[];
  /** Empties every store and the record, and restores the faults given at start. */
  reset(): void;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const accountId = options.accountId ?? '123456789012';
  const region = options.region ?? 'us-east-1';
  const initialFaults: FaultOptions = {
    ...options.faults,
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  };
  const state = {
    accounts: new AccountDirectory(accountId, region),
    glacier: new GlacierStore(region, accountId),
    organizations: new OrganizationState(),
    s3: new S3State(),
    sns: new SnsState(region, accountId),
    ssm: new SsmState(region, accountId),
    faults: new FaultInjector(initialFaults),
    record: new RequestRecord(),
  };
  const seed = (input: Seed) => {
    applyFleetSeed(input, state.accounts, state.organizations, state.s3);
    return applySeed(input, state.glacier, state.sns, state.ssm);
  };
  if (options.seed) seed(options.seed);

  const { server, close } = createEmulatorServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    accountId,
    region,
    stop: () => {
      stopped ??= close();
      return stopped;
    },
    seed,
    setFaults: (faults) => state.faults.set(faults),
    addFaultRule: (rule) => state.faults.addRule(rule),
    faults: () => state.faults.current(),
    requests: (filter) => state.record.list(filter),
    clearRequests: () => state.record.clear(),
    published: (filter = {}) =>
      state.sns.messages.filter((m) => filter.topicArn === undefined || m.topicArn === filter.topicArn),
    uploads: (vault, where = '-') => {
      const { accountId: account = '-', region: inRegion = region } =
        typeof where === 'string' ? { accountId: where } : where;
      const found = state.glacier.vault(account, vault, inRegion);
      if (found === undefined)
        throw new Error(`no vault ${vault} in account ${state.glacier.account(account)}, ${inRegion}`);
      return found.uploads.values().map((upload) => ({
        uploadId: upload.uploadId,
        accountId: upload.accountId,
        region: found.region,
        vault: upload.vault,
        creationDate: upload.creationDate,
        description: upload.description,
        partSizeBytes: upload.partSizeBytes,
        parts: [...upload.parts.values()].sort((a, b) => a.start - b.start),
        ...(upload.listedId === undefined ? {} : { listedId: upload.listedId }),
      }));
    },
    vaults: () =>
      state.glacier.allVaults().map((v) => ({
        accountId: v.accountId,
        region: v.region,
        name: v.name,
        uploads: v.uploadsById.size,
        archives: v.archives.length,
        tags: Object.fromEntries(v.tags),
      })),
    parameters: () => [...state.ssm.parameters.values()],
    createBucket: (name) => {
      state.s3.createBucket(name);
    },
    objects: (name, prefix = '') => {
      const bucket = state.s3.buckets.get(name);
      if (bucket === undefined) throw new Error(`no bucket ${name}`);
      return [...bucket.objects.values()]
        .filter((object) => object.key.startsWith(prefix))
        .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
        .map((object) => ({ ...object, metadata: { ...object.metadata } }));
    },
    sessions: () =>
      [...state.accounts.sessions.values()].map((s) => ({
        accessKeyId: s.accessKeyId,
        accountId: s.accountId,
        roleArn: s.roleArn,
        sessionName: s.sessionName,
        expiration: s.expiration,
        region: s.issuedIn,
        assumedBy: s.assumedBy,
      })),
    reset: () => {
      state.accounts.clear();
      state.glacier.clear();
      state.organizations.clear();
      state.s3.clear();
      state.sns.clear();
      state.ssm.clear();
      state.record.clear();
      state.faults.set(initialFaults);
    },
  };
}
