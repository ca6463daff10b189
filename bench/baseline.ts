import {
  AbortMultipartUploadCommand,
  GlacierClient,
  paginateListMultipartUploads,
} from '@aws-sdk/client-glacier';

export interface BaselineResult {
  scanned: number;
  stale: number;
  aborted: number;
  failed: number;
}

/**
 * The loop a user would write without glacier-sweeper: vaults one after another, the SDK paginator,
 * one abort at a time. It is the yardstick for speed, so it is written plainly, not badly.
 */
export async function baselineSweep(options: {
  vaults: readonly string[];
  olderThanMs: number;
  abort: boolean;
}): Promise<BaselineResult> {
  const client = new GlacierClient({});
  const result: BaselineResult = { scanned: 0, stale: 0, aborted: 0, failed: 0 };
  const cutoff = Date.now() - options.olderThanMs;
  for (const vaultName of options.vaults) {
    const pages = paginateListMultipartUploads({ client, pageSize: 50 }, { accountId: '-', vaultName });
    for await (const page of pages) {
      for (const upload of page.UploadsList ?? []) {
        result.scanned += 1;
        const created = Date.parse(upload.CreationDate ?? '');
        if (!(created <= cutoff) || upload.MultipartUploadId === undefined) continue;
        result.stale += 1;
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
