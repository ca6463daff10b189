import {
  AbortMultipartUploadCommand,
  GlacierClient,
  paginateListMultipartUploads,
  paginateListParts,
} from '@aws-sdk/client-glacier';

export interface BaselineResult {
  scanned: number;
  stale: number;
  aborted: number;
  failed: number;
  /** Part listings (every page) of stale uploads, when the loop measures them. */
  measured: number;
  partPages: number;
}

/**
 * The loop a user would write without glacier-sweeper: vaults one after another, the SDK paginator,
 * one abort at a time. It is the yardstick for speed, so it is written plainly, not badly. With
 * `measure` it does the sweeper's work too: every stale upload's parts are listed (all pages, as the
 * sweeper does for bytes at stake) before its abort, so both send the same requests.
 */
export async function baselineSweep(options: {
  vaults: readonly string[];
  olderThanMs: number;
  abort: boolean;
  measure?: boolean;
}): Promise<BaselineResult> {
  const client = new GlacierClient({});
  const result: BaselineResult = { scanned: 0, stale: 0, aborted: 0, failed: 0, measured: 0, partPages: 0 };
  const cutoff = Date.now() - options.olderThanMs;
  for (const vaultName of options.vaults) {
    const pages = paginateListMultipartUploads({ client, pageSize: 50 }, { accountId: '-', vaultName });
    for await (const page of pages) {
      for (const upload of page.UploadsList ?? []) {
        result.scanned += 1;
        const created = Date.parse(upload.CreationDate ?? '');
        if (!(created <= cutoff) || upload.MultipartUploadId === undefined) continue;
        result.stale += 1;
        if (options.measure) {
          const parts = paginateListParts(
            { client },
            { accountId: '-', vaultName, uploadId: upload.MultipartUploadId },
          );
          // No `limit`, like the sweeper's adapter; every page is one request.
          for await (const page of parts) {
            if (page !== undefined) result.partPages += 1;
          }
          result.measured += 1;
        }
        if (!options.abort) continue;
        try {
          await client.send(
            new AbortMultipartUploadCommand({
              accountId: '-',
              vaultName,
              uploadId: upload.MultipartUploadId,
            }),
          );
          result.aborted += 1;
        } catch {
          result.failed += 1;
        }
      }
    }
  }
  client.destroy();
  return result;
}
