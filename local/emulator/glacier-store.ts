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
  name: string;
  arn: string;
  creationDate: string;
  uploads: OrderedIndex<Upload>;
  uploadsById: Map<string, Upload>;
  archives: Archive[];
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

export class GlacierStore {
  private readonly accounts = new Map<string, OrderedIndex<Vault>>();
  // One seeded stream rather than a hash per id: seeding 50,000 uploads must take milliseconds.
  private random = seededRandom(ID_SEED);

  constructor(
    readonly region: string,
    readonly defaultAccountId: string,
  ) {}

  /** `-` in a path means the caller's own account. */
  account(accountId: string): string {
    return accountId === '-' ? this.defaultAccountId : accountId;
  }

  clear(): void {
    this.accounts.clear();
    this.random = seededRandom(ID_SEED);
  }

  private vaults(accountId: string): OrderedIndex<Vault> {
    const id = this.account(accountId);
    let vaults = this.accounts.get(id);
    if (vaults === undefined) {
      vaults = new OrderedIndex<Vault>();
      this.accounts.set(id, vaults);
    }
    return vaults;
  }

  vault(accountId: string, name: string): Vault | undefined {
    return this.accounts.get(this.account(accountId))?.get(name);
  }

  createVault(accountId: string, name: string, creationDate = new Date().toISOString()): Vault {
    const id = this.account(accountId);
    const existing = this.vault(id, name);
    if (existing !== undefined) return existing;
    const vault: Vault = {
      accountId: id,
      name,
      arn: `arn:aws:glacier:${this.region}:${id}:vaults/${name}`,
      creationDate,
      uploads: new OrderedIndex<Upload>(),
      uploadsById: new Map(),
      archives: [],
    };
    this.vaults(id).set(name, vault);
    return vault;
  }

  deleteVault(accountId: string, name: string): boolean {
    return this.accounts.get(this.account(accountId))?.delete(name) ?? false;
  }

  vaultPage(accountId: string, afterName: string | undefined, limit: number) {
    return this.vaults(accountId).page(afterName, limit);
  }

  allVaults(): Vault[] {
    return [...this.accounts.values()].flatMap((vaults) => vaults.values());
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
      sortKey: `${fnv1a(uploadId)}:${uploadId}`,
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
