import {
  AbortMultipartUploadCommand,
  type GlacierClient,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListTagsForVaultCommand,
  ListVaultsCommand,
} from '@aws-sdk/client-glacier';
import { LIST_PAGE_SIZE } from '../core/defaults';
import { MarkerChain } from '../core/paging';
import type { PartsPage, UploadPage, VaultApi } from '../core/types';

/** Glacier's answer for an unknown vault or upload id (also an upload aborted a while ago). */
const NOT_FOUND = 'ResourceNotFoundException';

const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/** The sweep's `VaultApi` over the real Glacier client: translation only, no decisions. */
export class GlacierVaultApi implements VaultApi {
  constructor(
    private readonly client: GlacierClient,
    /** `-` for the caller's own account, or the 12-digit owner of the vaults. */
    private readonly accountId: string,
    /** Cancels requests in flight (with their retries) when the invocation is about to end. */
    private readonly signal?: AbortSignal,
  ) {}

  private get options() {
    return this.signal ? { abortSignal: this.signal } : {};
  }

  async listUploadsPage(vault: string, marker: string | undefined): Promise<UploadPage> {
    const out = await this.client.send(
      new ListMultipartUploadsCommand({
        accountId: this.accountId,
        vaultName: vault,
        limit: LIST_PAGE_SIZE,
        ...(marker === undefined ? {} : { marker }),
      }),
      this.options,
    );
    return {
      uploads: (out.UploadsList ?? []).map((upload) => ({
        uploadId: upload.MultipartUploadId ?? '',
        createdAt: upload.CreationDate ?? undefined,
        description: upload.ArchiveDescription ?? undefined,
        partSizeBytes: upload.PartSizeInBytes ?? undefined,
      })),
      // Glacier sends `null` on the last page; an empty string would be no better a continuation.
      marker: out.Marker ? out.Marker : undefined,
    };
  }

  async listPartsPage(vault: string, uploadId: string, marker: string | undefined): Promise<PartsPage> {
    // No `limit`: the API reference and the developer guide disagree on its maximum.
    const out = await this.client.send(
      new ListPartsCommand({
        accountId: this.accountId,
        vaultName: vault,
        uploadId,
        ...(marker === undefined ? {} : { marker }),
      }),
      this.options,
    );
    return {
      parts: (out.Parts ?? []).map((part) => ({
        range: part.RangeInBytes ?? '',
        treeHash: part.SHA256TreeHash ?? '',
      })),
      marker: out.Marker ? out.Marker : undefined,
      createdAt: out.CreationDate ?? undefined,
      description: out.ArchiveDescription ?? undefined,
    };
  }

  async listVaultTags(vault: string): Promise<Readonly<Record<string, string>>> {
    const out = await this.client.send(
      new ListTagsForVaultCommand({ accountId: this.accountId, vaultName: vault }),
      this.options,
    );
    return out.Tags ?? {};
  }

  async abortUpload(vault: string, uploadId: string): Promise<'aborted' | 'gone'> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ accountId: this.accountId, vaultName: vault, uploadId }),
        this.options,
      );
      return 'aborted';
    } catch (error) {
      if (errorName(error) === NOT_FOUND) return 'gone';
      throw error;
    }
  }

  async listVaultNames(): Promise<string[]> {
    const names: string[] = [];
    const chain = new MarkerChain('ListVaults');
    let marker: string | undefined;
    do {
      const page = await this.client.send(
        new ListVaultsCommand({ accountId: this.accountId, ...(marker === undefined ? {} : { marker }) }),
        this.options,
      );
      for (const vault of page.VaultList ?? []) {
        if (vault.VaultName) names.push(vault.VaultName);
      }
      // A marker already sent (A → B → A) throws; the run reports it as a vault error on `*`.
      marker = chain.follow(page.Marker ? page.Marker : undefined);
    } while (marker !== undefined);
    return names;
  }
}
