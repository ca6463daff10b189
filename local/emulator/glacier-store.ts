import { seededRandom } from './faults';
import { OrderedIndex } from './ordered-index';

export interface Part {
  start: number;
  end: number;
  treeHash: string;
}

export interface Upload {
  uploadId: string;
  accountId: string;
  vault: string;
  /** undefined = the field is absent from listings; null = listed as null. Seeds may set anything. */
  creationDate: string | null | undefined;
  description: string | null;
  partSizeBytes: number | null;
  /** Keyed by the first byte of the range, so a part sent again for the same range replaces it. */
  parts: Map<number, Part>;
  sortKey: string;
  /** Set only by a seed: the MultipartUploadId listings show instead of `uploadId` (null: none). */
  listedId?: string | null;
}

export interface Archive {
  archiveId: string;
  description: string | null;
  size: number;
  treeHash: string;
  creationDate: string;
}

export interface Vault {
  accountId: string;
  region: string;
  name: string;
  arn: string;
  creationDate: string;
  uploads: OrderedIndex<Upload>;
  uploadsById: Map<string, Upload>;
  archives: Archive[];
  /** In the order they were added; at most 10, as the service allows. */
  tags: Map<string, string>;
}

/** Where a vault lives: its owner account and the region of the endpoint. */
export interface VaultScope {
  accountId: string;
  region: string;
}

export interface NewUpload {
  uploadId?: string | undefined;
  creationDate: string | null | undefined;
  description: string | null;
  partSizeBytes: number | null;
  parts?: Part[] | undefined;
  listedId?: string | null;
}

/** 69 bytes make the 92 base64url characters of a real upload id. */
const ID_BYTES = 69;
const ID_SEED = 0x5eed;

/** FNV-1a: a cheap hash that scatters ids so listing order says nothing about age or insertion. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Where an upload comes in ListMultipartUploads: uploads are listed in the order of these keys. */
export const listingKey = (uploadId: string): string => `${fnv1a(uploadId)}:${uploadId}`;

export class GlacierStore {
  /** Vaults by `account/region`: each pair is a separate namespace, as on AWS. */
  private readonly scopes = new Map<string, OrderedIndex<Vault>>();
  // One seeded stream rather than a hash per id: seeding 50,000 uploads must take milliseconds.
  private random = seededRandom(ID_SEED);

  constructor(
    /** The region a vault is in when nobody names one (unsigned requests, seeds without a region). */
    readonly region: string,
    readonly defaultAccountId: string,
  ) {}

  /** `-` in a path means the caller's own account; here, without a caller, the default account. */
  account(accountId: string): string {
    return accountId === '-' ? this.defaultAccountId : accountId;
  }

  clear(): void {
    this.scopes.clear();
    this.random = seededRandom(ID_SEED);
  }

  private key(accountId: string, region: string): string {
    return `${this.account(accountId)}/${region}`;
  }

  private vaults(accountId: string, region: string): OrderedIndex<Vault> {
    const key = this.key(accountId, region);
    let vaults = this.scopes.get(key);
    if (vaults === undefined) {
      vaults = new OrderedIndex<Vault>();
      this.scopes.set(key, vaults);
    }
    return vaults;
  }

  vault(accountId: string, name: string, region = this.region): Vault | undefined {
    return this.scopes.get(this.key(accountId, region))?.get(name);
  }

  createVault(
    accountId: string,
    name: string,
    creationDate = new Date().toISOString(),
    region = this.region,
  ): Vault {
    const id = this.account(accountId);
    const existing = this.vault(id, name, region);
    if (existing !== undefined) return existing;
    const vault: Vault = {
      accountId: id,
      region,
      name,
      arn: `arn:aws:glacier:${region}:${id}:vaults/${name}`,
      creationDate,
      uploads: new OrderedIndex<Upload>(),
      uploadsById: new Map(),
      archives: [],
      tags: new Map(),
    };
    this.vaults(id, region).set(name, vault);
    return vault;
  }

  deleteVault(accountId: string, name: string, region = this.region): boolean {
    return this.scopes.get(this.key(accountId, region))?.delete(name) ?? false;
  }

  vaultPage(accountId: string, afterName: string | undefined, limit: number, region = this.region) {
    return this.vaults(accountId, region).page(afterName, limit);
  }

  allVaults(): Vault[] {
    return [...this.scopes.values()].flatMap((vaults) => vaults.values());
  }

  /** A 92-character base64url id like the service's; deterministic for the same sequence of calls. */
  newId(): string {
    const bytes = Buffer.allocUnsafe(ID_BYTES + 3);
    for (let offset = 0; offset < ID_BYTES; offset += 4)
      bytes.writeUInt32LE((this.random() * 2 ** 32) >>> 0, offset);
    return bytes.subarray(0, ID_BYTES).toString('base64url');
  }

  addUpload(vault: Vault, input: NewUpload): Upload {
    const uploadId = input.uploadId ?? this.newId();
    const previous = vault.uploadsById.get(uploadId);
    if (previous !== undefined) vault.uploads.delete(previous.sortKey);
    const upload: Upload = {
      uploadId,
      accountId: vault.accountId,
      vault: vault.name,
      creationDate: input.creationDate,
      description: input.description,
      partSizeBytes: input.partSizeBytes,
      parts: new Map((input.parts ?? []).map((part) => [part.start, part])),
      sortKey: listingKey(uploadId),
      ...(input.listedId === undefined ? {} : { listedId: input.listedId }),
    };
    vault.uploadsById.set(uploadId, upload);
    vault.uploads.set(upload.sortKey, upload);
    return upload;
  }

  removeUpload(vault: Vault, uploadId: string): boolean {
    const upload = vault.uploadsById.get(uploadId);
    if (upload === undefined) return false;
    vault.uploadsById.delete(uploadId);
    vault.uploads.delete(upload.sortKey);
    return true;
  }
}
