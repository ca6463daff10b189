import type { Reply } from './errors';
import { ServiceError } from './errors';
import type { GlacierStore, Upload, Vault, VaultScope } from './glacier-store';
import { type HttpCall, header } from './http-call';
import { combineTreeHashes, treeHash } from './tree-hash';

export interface GlacierRoute {
  operation: string;
  accountId: string;
  vault?: string | undefined;
  uploadId?: string | undefined;
}

const MIB = 1024 * 1024;

/** Maps method and path to an operation, so faults can target it before anything runs. */
export function routeGlacier(
  method: string,
  path: string,
  query?: URLSearchParams,
): GlacierRoute | undefined {
  const segments = path.split('/').slice(1).map(decodeURIComponent);
  const [accountId, vaults, vault, sub, uploadId, ...rest] = segments;
  if (accountId === undefined || vaults !== 'vaults' || rest.length > 0) return undefined;
  if (vault === undefined || vault === '')
    return method === 'GET' ? { operation: 'ListVaults', accountId } : undefined;
  if (sub === undefined) {
    const operation = { PUT: 'CreateVault', GET: 'DescribeVault', DELETE: 'DeleteVault' }[method];
    return operation === undefined ? undefined : { operation, accountId, vault };
  }
  if (sub === 'tags' && uploadId === undefined) {
    if (method === 'GET') return { operation: 'ListTagsForVault', accountId, vault };
    const action = method === 'POST' ? query?.get('operation') : undefined;
    const operation =
      action === 'add' ? 'AddTagsToVault' : action === 'remove' ? 'RemoveTagsFromVault' : undefined;
    return operation === undefined ? undefined : { operation, accountId, vault };
  }
  if (sub !== 'multipart-uploads') return undefined;
  if (uploadId === undefined) {
    const operation = { POST: 'InitiateMultipartUpload', GET: 'ListMultipartUploads' }[method];
    return operation === undefined ? undefined : { operation, accountId, vault };
  }
  const operation = {
    PUT: 'UploadMultipartPart',
    GET: 'ListParts',
    DELETE: 'AbortMultipartUpload',
    POST: 'CompleteMultipartUpload',
  }[method];
  return operation === undefined ? undefined : { operation, accountId, vault, uploadId };
}

function invalid(message: string): ServiceError {
  return new ServiceError(400, 'InvalidParameterValueException', message);
}

function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

function parseLimit(call: HttpCall, max: number, fallback: number): number {
  const raw = call.query.get('limit');
  if (raw === null) return fallback;
  const limit = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(limit >= 1 && limit <= max)) {
    throw invalid(`Invalid limit value: ${raw}. The limit must be an integer between 1 and ${max}.`);
  }
  return limit;
}

/** Markers are opaque: base64 of the key the next page starts after, so they survive deletions. */
function encodeMarker(key: string): string {
  return Buffer.from(`v1:${key}`, 'utf8').toString('base64url');
}

function decodeMarker(call: HttpCall): string | undefined {
  const raw = call.query.get('marker');
  if (raw === null || raw === '') return undefined;
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  if (!text.startsWith('v1:') || encodeMarker(text.slice(3)) !== raw) throw invalid(`Invalid marker: ${raw}`);
  return text.slice(3);
}

function describeVault(vault: Vault) {
  return {
    CreationDate: vault.creationDate,
    LastInventoryDate: null,
    NumberOfArchives: vault.archives.length,
    SizeInBytes: vault.archives.reduce((sum, archive) => sum + archive.size, 0),
    VaultARN: vault.arn,
    VaultName: vault.name,
  };
}

function uploadEntry(vault: Vault, upload: Upload) {
  return {
    ArchiveDescription: upload.description,
    CreationDate: upload.creationDate,
    // undefined drops the field from the JSON: an entry without an id.
    MultipartUploadId: upload.listedId === undefined ? upload.uploadId : (upload.listedId ?? undefined),
    PartSizeInBytes: upload.partSizeBytes,
    VaultARN: vault.arn,
  };
}

function uploadLocation(vault: Vault, uploadId: string): string {
  return `/${vault.accountId}/vaults/${encodeURIComponent(vault.name)}/multipart-uploads/${uploadId}`;
}

function isValidPartSize(size: number): boolean {
  // 1 MiB times a power of two, up to 4 GiB.
  return (
    Number.isInteger(size) && size >= MIB && size <= 4096 * MIB && ((size / MIB) & (size / MIB - 1)) === 0
  );
}

function isValidDescription(text: string): boolean {
  return text.length <= 1024 && /^[\x20-\x7e]*$/.test(text);
}

function parseRange(raw: string | undefined): { start: number; end: number } {
  const match = /^bytes (\d+)-(\d+)\/\*$/.exec(raw ?? '');
  if (match === null) throw invalid(`Invalid Content-Range: ${raw ?? '(missing)'}`);
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) throw invalid(`Invalid Content-Range: ${raw}`);
  return { start, end };
}

function sortedParts(upload: Upload) {
  return [...upload.parts.values()].sort((a, b) => a.start - b.start);
}

/**
 * `where` is the account the path names (`-` already resolved to the caller's) and the region the
 * request was signed for; without it, the store's defaults.
 */
export function handleGlacier(
  store: GlacierStore,
  route: GlacierRoute,
  call: HttpCall,
  where: VaultScope = { accountId: store.account(route.accountId), region: store.region },
): Reply {
  const { requestId } = call;
  const { accountId, region } = where;
  if (route.operation === 'ListVaults') {
    const limit = parseLimit(call, 10, 10);
    const markerArn = call.query.get('marker');
    // Like the service, ListVaults continues from a vault ARN.
    const after = markerArn === null || markerArn === '' ? undefined : markerArn.split(':vaults/')[1];
    if (markerArn !== null && markerArn !== '' && after === undefined)
      throw invalid(`Invalid marker: ${markerArn}`);
    const page = store.vaultPage(accountId, after, limit, region);
    const last = page.values.at(-1);
    return json(
      200,
      { VaultList: page.values.map(describeVault), Marker: page.more && last ? last.arn : null },
      requestId,
    );
  }
  const name = route.vault as string;
  if (route.operation === 'CreateVault') {
    if (!/^[a-zA-Z0-9_.-]{1,255}$/.test(name)) throw invalid(`Invalid vault name: ${name}`);
    const vault = store.createVault(accountId, name, undefined, region);
    return json(201, undefined, requestId, { location: `/${vault.accountId}/vaults/${name}` });
  }
  const vault = store.vault(accountId, name, region);
  if (vault === undefined) {
    throw new ServiceError(
      404,
      'ResourceNotFoundException',
      `Vault not found for ARN: arn:aws:glacier:${region}:${accountId}:vaults/${name}`,
    );
  }
  switch (route.operation) {
    case 'DescribeVault':
      return json(200, describeVault(vault), requestId);
    case 'DeleteVault':
      if (vault.archives.length > 0) throw invalid(`Vault not empty or recently written to: ${vault.arn}`);
      store.deleteVault(accountId, name, region);
      return json(204, undefined, requestId);
    case 'ListTagsForVault':
      return json(200, { Tags: Object.fromEntries(vault.tags) }, requestId);
    case 'AddTagsToVault':
      addTags(vault, readJson(call).Tags);
      return json(204, undefined, requestId);
    case 'RemoveTagsFromVault':
      removeTags(vault, readJson(call).TagKeys);
      return json(204, undefined, requestId);
    case 'InitiateMultipartUpload':
      return initiate(store, vault, call);
    case 'ListMultipartUploads': {
      const limit = parseLimit(call, 50, 50);
      const page = vault.uploads.page(decodeMarker(call), limit);
      return json(
        200,
        {
          Marker: page.more && page.lastKey !== undefined ? encodeMarker(page.lastKey) : null,
          UploadsList: page.values.map((upload) => uploadEntry(vault, upload)),
        },
        requestId,
      );
    }
  }
  const uploadId = route.uploadId as string;
  const upload = vault.uploadsById.get(uploadId);
  if (upload === undefined) {
    throw new ServiceError(404, 'ResourceNotFoundException', `Multipart upload not found: ${uploadId}`);
  }
  switch (route.operation) {
    case 'UploadMultipartPart':
      return uploadPart(upload, call);
    case 'ListParts':
      return listParts(vault, upload, call);
    case 'AbortMultipartUpload':
      store.removeUpload(vault, uploadId);
      return json(204, undefined, requestId);
    case 'CompleteMultipartUpload':
      return complete(store, vault, upload, call);
    default:
      throw new ServiceError(400, 'UnsupportedOperation', `${route.operation} is not emulated`);
  }
}

const MAX_TAGS = 10;

function readJson(call: HttpCall): Record<string, unknown> {
  if (call.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(call.body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // answered below, as the service does for a body it cannot read
  }
  throw new ServiceError(400, 'SerializationException', 'The request body is not a JSON object');
}

function checkTag(key: string, value: string): void {
  if (key.length < 1 || key.length > 128) throw invalid(`Tag key must be 1 to 128 characters: ${key}`);
  if (value.length > 256) throw invalid(`Tag value must be at most 256 characters (key ${key})`);
  if (key.toLowerCase().startsWith('aws:')) throw invalid(`Tag keys starting with aws: are reserved: ${key}`);
}

function addTags(vault: Vault, tags: unknown): void {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
    throw new ServiceError(400, 'MissingParameterValueException', 'Tags must be a map of strings');
  const entries = Object.entries(tags);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw invalid(`Tag value must be a string (key ${key})`);
    checkTag(key, value);
  }
  const after = new Set([...vault.tags.keys(), ...entries.map(([key]) => key)]);
  if (after.size > MAX_TAGS)
    throw new ServiceError(400, 'LimitExceededException', `A vault can have at most ${MAX_TAGS} tags`);
  for (const [key, value] of entries) vault.tags.set(key, value as string);
}

function removeTags(vault: Vault, keys: unknown): void {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string'))
    throw new ServiceError(400, 'MissingParameterValueException', 'TagKeys must be a list of strings');
  for (const key of keys) vault.tags.delete(key);
}

function initiate(store: GlacierStore, vault: Vault, call: HttpCall): Reply {
  const rawSize = header(call, 'x-amz-part-size');
  if (rawSize === undefined)
    throw new ServiceError(400, 'MissingParameterValueException', 'Missing x-amz-part-size');
  const partSize = /^\d+$/.test(rawSize) ? Number(rawSize) : Number.NaN;
  if (!isValidPartSize(partSize)) throw invalid(`Invalid part size: ${rawSize}`);
  const description = header(call, 'x-amz-archive-description') ?? null;
  if (description !== null && !isValidDescription(description)) throw invalid('Invalid archive description');
  const upload = store.addUpload(vault, {
    creationDate: new Date().toISOString(),
    description,
    partSizeBytes: partSize,
  });
  return json(201, undefined, call.requestId, {
    location: uploadLocation(vault, upload.uploadId),
    'x-amz-multipart-upload-id': upload.uploadId,
  });
}

function uploadPart(upload: Upload, call: HttpCall): Reply {
  const { start, end } = parseRange(header(call, 'content-range'));
  const size = upload.partSizeBytes;
  if (size !== null && (start % size !== 0 || end - start + 1 > size)) {
    throw invalid(`Content-Range bytes ${start}-${end} does not fit part size ${size}`);
  }
  // The bytes are not kept: only the range and its hash matter to anything that lists parts.
  const hash = header(call, 'x-amz-sha256-tree-hash') ?? treeHash(call.body);
  upload.parts.set(start, { start, end, treeHash: hash });
  return json(204, undefined, call.requestId, { 'x-amz-sha256-tree-hash': hash });
}

function listParts(vault: Vault, upload: Upload, call: HttpCall): Reply {
  const limit = parseLimit(call, 50, 50);
  const marker = decodeMarker(call);
  const after = marker === undefined ? -1 : Number(marker);
  if (!Number.isInteger(after)) throw invalid('Invalid marker');
  const parts = sortedParts(upload).filter((part) => part.start > after);
  const page = parts.slice(0, limit);
  const last = page.at(-1);
  return json(
    200,
    {
      ArchiveDescription: upload.description,
      CreationDate: upload.creationDate,
      Marker: parts.length > limit && last !== undefined ? encodeMarker(String(last.start)) : null,
      MultipartUploadId: upload.uploadId,
      PartSizeInBytes: upload.partSizeBytes,
      Parts: page.map((part) => ({
        RangeInBytes: `${part.start}-${part.end}`,
        SHA256TreeHash: part.treeHash,
      })),
      VaultARN: vault.arn,
    },
    call.requestId,
  );
}

function complete(store: GlacierStore, vault: Vault, upload: Upload, call: HttpCall): Reply {
  const rawSize = header(call, 'x-amz-archive-size');
  const checksum = header(call, 'x-amz-sha256-tree-hash');
  if (rawSize === undefined || checksum === undefined) {
    throw new ServiceError(
      400,
      'MissingParameterValueException',
      'Missing x-amz-archive-size or x-amz-sha256-tree-hash',
    );
  }
  const size = /^\d+$/.test(rawSize) ? Number(rawSize) : Number.NaN;
  const parts = sortedParts(upload);
  let next = 0;
  for (const part of parts) {
    if (part.start !== next) break;
    next = part.end + 1;
  }
  if (next !== size || parts.length === 0) {
    throw invalid(`Parts uploaded do not cover an archive of ${rawSize} bytes`);
  }
  // Part sizes are power-of-two MiB, so the part hashes are whole subtrees of the archive's tree hash.
  const expected = combineTreeHashes(parts.map((part) => Buffer.from(part.treeHash, 'hex'))).toString('hex');
  if (expected !== checksum.toLowerCase()) throw invalid(`Checksum mismatch: expected ${expected}`);
  const archiveId = store.newId();
  vault.archives.push({
    archiveId,
    description: upload.description,
    size,
    treeHash: expected,
    creationDate: new Date().toISOString(),
  });
  store.removeUpload(vault, upload.uploadId);
  return json(201, undefined, call.requestId, {
    location: `/${vault.accountId}/vaults/${encodeURIComponent(vault.name)}/archives/${archiveId}`,
    'x-amz-archive-id': archiveId,
    'x-amz-sha256-tree-hash': expected,
  });
}
