import type { PartsPage, Upload, UploadedPart, UploadPage, VaultApi } from '../../../lambda/core/types';

/**
 * An in-memory VaultApi for core tests (a fake, not a mock: it behaves like a tiny Glacier). Pages are
 * cut at the sizes given per vault, markers are opaque, and every call is recorded.
 */
export class FakeVaultApi implements VaultApi {
  readonly calls: Array<{
    op: 'list' | 'abort' | 'listVaults' | 'listParts' | 'listTags';
    vault?: string;
    marker?: string | undefined;
    uploadId?: string;
  }> = [];
  /** Parts by upload id (uploads without an entry have none); listed `partsPageSize` at a time. */
  readonly parts = new Map<string, UploadedPart[]>();
  partsPageSize = 2;
  readonly failParts = new Set<string>();
  readonly aborted: Array<{ vault: string; uploadId: string }> = [];
  private readonly vaults = new Map<string, { uploads: Upload[]; pageSizes: number[] }>();
  /** Upload ids whose abort rejects; vaults whose listing rejects. */
  readonly failAbort = new Set<string>();
  readonly goneOnAbort = new Set<string>();
  readonly failList = new Map<string, Error>();
  /** Called before each request completes: lets a test advance a clock or count concurrency. */
  onRequest: (op: 'list' | 'abort' | 'listParts') => Promise<void> | void = () => {};
  private inFlight = 0;
  maxInFlightAborts = 0;

  /** Tags by vault name (vaults without an entry have none); vaults whose tag listing rejects. */
  readonly tags = new Map<string, Record<string, string>>();
  readonly failTags = new Map<string, Error>();

  async listVaultTags(vault: string): Promise<Readonly<Record<string, string>>> {
    this.calls.push({ op: 'listTags', vault });
    const failure = this.failTags.get(vault);
    if (failure) throw failure;
    if (!this.vaults.has(vault))
      throw Object.assign(new Error(`Vault not found: ${vault}`), { name: 'ResourceNotFoundException' });
    return this.tags.get(vault) ?? {};
  }

  addVault(name: string, uploads: Upload[], pageSizes: number[] = [50]): this {
    this.vaults.set(name, { uploads, pageSizes });
    return this;
  }

  async listVaultNames(): Promise<string[]> {
    this.calls.push({ op: 'listVaults' });
    return [...this.vaults.keys()];
  }

  async listUploadsPage(vault: string, marker: string | undefined): Promise<UploadPage> {
    this.calls.push({ op: 'list', vault, marker });
    await this.onRequest('list');
    const failure = this.failList.get(vault);
    if (failure) throw failure;
    const state = this.vaults.get(vault);
    if (!state)
      throw Object.assign(new Error(`Vault not found: ${vault}`), { name: 'ResourceNotFoundException' });
    const pageIndex =
      marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString().split(':')[1]);
    let start = 0;
    for (let i = 0; i < pageIndex; i++) start += this.sizeOf(state.pageSizes, i);
    const end = Math.min(state.uploads.length, start + this.sizeOf(state.pageSizes, pageIndex));
    const next =
      end < state.uploads.length ? Buffer.from(`${vault}:${pageIndex + 1}`).toString('base64url') : undefined;
    return { uploads: state.uploads.slice(start, end), marker: next };
  }

  async listPartsPage(vault: string, uploadId: string, marker: string | undefined): Promise<PartsPage> {
    this.calls.push({ op: 'listParts', vault, uploadId, marker });
    await this.onRequest('listParts');
    if (this.failParts.has(uploadId))
      throw Object.assign(new Error('parts unavailable'), { name: 'ServiceUnavailableException' });
    const all = this.parts.get(uploadId) ?? [];
    const start = marker === undefined ? 0 : Number(marker);
    const end = start + this.partsPageSize;
    return { parts: all.slice(start, end), marker: end < all.length ? String(end) : undefined };
  }

  async abortUpload(vault: string, uploadId: string): Promise<'aborted' | 'gone'> {
    this.calls.push({ op: 'abort', vault, uploadId });
    this.inFlight += 1;
    this.maxInFlightAborts = Math.max(this.maxInFlightAborts, this.inFlight);
    try {
      await this.onRequest('abort');
      if (this.failAbort.has(uploadId))
        throw Object.assign(new Error('Internal failure'), { name: 'ServiceUnavailableException' });
      if (this.goneOnAbort.has(uploadId)) return 'gone';
      this.aborted.push({ vault, uploadId });
      return 'aborted';
    } finally {
      this.inFlight -= 1;
    }
  }

  listCalls(vault?: string): Array<string | undefined> {
    return this.calls
      .filter((c) => c.op === 'list' && (vault === undefined || c.vault === vault))
      .map((c) => c.marker);
  }

  private sizeOf(sizes: number[], index: number): number {
    // Page sizes repeat their last value; a size of 0 still returns an (empty) page.
    return sizes[Math.min(index, sizes.length - 1)] ?? 50;
  }
}

const DAY = 86_400_000;

/** An upload created `ageDays` before `now`. */
export function uploadAged(id: string, ageDays: number, now: number, description = `archive ${id}`): Upload {
  return {
    uploadId: id,
    createdAt: new Date(now - ageDays * DAY).toISOString(),
    description,
    partSizeBytes: 4_194_304,
  };
}
