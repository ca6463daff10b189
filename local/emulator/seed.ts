import { readFile } from 'node:fs/promises';
import type { GlacierStore, Part } from './glacier-store';
import type { SeedAccount, SeedOrganization, SeedRole } from './seed-fleet';
import type { SnsState } from './sns';
import type { SsmState } from './ssm';

export interface SeedUpload {
  uploadId?: string;
  /**
   * What listings show as its MultipartUploadId, when that must differ from the upload's own id: the id
   * of another upload (a repeated entry), `''`, or `null` (the field absent). A misbehaving service, on
   * purpose; only listings are affected, every other operation still takes the upload's own id.
   */
  listedId?: string | null;
  /** Listed as CreationDate verbatim: garbage strings, null and absence are all allowed on purpose. */
  createdAt?: string | Date | null;
  description?: string | null;
  partSizeBytes?: number | null;
  /** `{ range: '0-1048575', treeHash }`; the hash defaults to a fixed dummy. */
  parts?: { range: string; treeHash?: string }[];
}

/** Many uploads in a file-friendly form; `{i}` in the description is replaced by the index. */
export interface SeedGenerate {
  count: number;
  createdAt?: string | null;
  /** Alternative to createdAt: created this many days before seeding. */
  ageDays?: number;
  description?: string | null;
  partSizeBytes?: number | null;
}

export interface SeedVault {
  name: string;
  accountId?: string;
  /** Default: the emulator's region. */
  region?: string;
  /** Set as given, unchecked (e.g. `{ 'glacier-sweeper': 'skip' }`). */
  tags?: Record<string, string>;
  createdAt?: string;
  uploads?: SeedUpload[];
  generate?: SeedGenerate;
}

export interface SeedParameter {
  name: string;
  value: string;
  type?: 'String' | 'StringList' | 'SecureString';
}

export interface Seed {
  vaults?: SeedVault[];
  parameters?: SeedParameter[];
  /** Topic names (not ARNs). */
  topics?: string[];
  accounts?: SeedAccount[];
  roles?: SeedRole[];
  organization?: SeedOrganization;
  /** S3 buckets to create, empty. */
  buckets?: string[];
}

export interface SeedResult {
  /** Upload ids by vault name, in seed order. */
  uploadIds: Record<string, string[]>;
  /** Topic ARNs by topic name. */
  topicArns: Record<string, string>;
}

export class SeedError extends Error {
  override name = 'SeedError';
}

const DUMMY_HASH = '0'.repeat(64);

/** ISO time `days` days before `now`. */
export function daysAgo(days: number, now: Date = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

/** Builds `count` uploads fast; each field may be a value or a function of the index. */
export function makeUploads(
  count: number,
  fields: {
    createdAt?: string | null | ((i: number) => string | null | undefined);
    description?: string | null | ((i: number) => string | null);
    partSizeBytes?: number | null;
  } = {},
): SeedUpload[] {
  const { createdAt = new Date().toISOString(), description = null, partSizeBytes = 1_048_576 } = fields;
  const uploads: SeedUpload[] = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const upload: SeedUpload = {
      description: typeof description === 'function' ? description(i) : description,
      partSizeBytes,
    };
    const created = typeof createdAt === 'function' ? createdAt(i) : createdAt;
    if (created !== undefined) upload.createdAt = created;
    uploads[i] = upload;
  }
  return uploads;
}

function parsePart(part: { range: string; treeHash?: string }): Part {
  const match = /^(\d+)-(\d+)$/.exec(part.range);
  if (match === null)
    throw new SeedError(`part range must look like "0-1048575", got ${JSON.stringify(part.range)}`);
  return { start: Number(match[1]), end: Number(match[2]), treeHash: part.treeHash ?? DUMMY_HASH };
}

function expand(generate: SeedGenerate): SeedUpload[] {
  if (!Number.isInteger(generate.count) || generate.count < 0) {
    throw new SeedError(`generate.count must be a whole number, got ${generate.count}`);
  }
  const createdAt = generate.ageDays !== undefined ? daysAgo(generate.ageDays) : generate.createdAt;
  const description = generate.description ?? null;
  return makeUploads(generate.count, {
    ...(createdAt === undefined ? {} : { createdAt }),
    description: description === null ? null : (i) => description.replaceAll('{i}', String(i)),
    partSizeBytes: generate.partSizeBytes === undefined ? 1_048_576 : generate.partSizeBytes,
  });
}

export function applySeed(seed: Seed, glacier: GlacierStore, sns: SnsState, ssm: SsmState): SeedResult {
  const result: SeedResult = { uploadIds: {}, topicArns: {} };
  for (const seedVault of seed.vaults ?? []) {
    if (typeof seedVault.name !== 'string' || seedVault.name === '')
      throw new SeedError('every vault needs a name');
    const vault = glacier.createVault(
      seedVault.accountId ?? '-',
      seedVault.name,
      seedVault.createdAt,
      seedVault.region,
    );
    for (const [key, value] of Object.entries(seedVault.tags ?? {})) vault.tags.set(key, value);
    const ids = result.uploadIds[seedVault.name] ?? [];
    result.uploadIds[seedVault.name] = ids;
    const uploads = [...(seedVault.uploads ?? []), ...(seedVault.generate ? expand(seedVault.generate) : [])];
    for (const upload of uploads) {
      const created = upload.createdAt instanceof Date ? upload.createdAt.toISOString() : upload.createdAt;
      ids.push(
        glacier.addUpload(vault, {
          uploadId: upload.uploadId,
          creationDate: created,
          description: upload.description ?? null,
          partSizeBytes: upload.partSizeBytes === undefined ? 1_048_576 : upload.partSizeBytes,
          parts: upload.parts?.map(parsePart),
          ...(upload.listedId === undefined ? {} : { listedId: upload.listedId }),
        }).uploadId,
      );
    }
  }
  for (const parameter of seed.parameters ?? []) {
    ssm.put(parameter.name, parameter.type ?? 'String', parameter.value, true);
  }
  for (const topic of seed.topics ?? []) {
    result.topicArns[topic] = sns.createTopic(topic);
  }
  return result;
}

export async function readSeedFile(path: string): Promise<Seed> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new SeedError(
      `cannot read seed file ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SeedError(`seed file ${path} must hold a JSON object with vaults, parameters and/or topics`);
  }
  return parsed as Seed;
}
