import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from './accounts';
import { type Reply, ServiceError, xmlEscape } from './errors';
import { type HttpCall, header } from './http-call';

// Path-style only (the client needs `forcePathStyle: true`): a loopback address has no bucket subdomains.

export interface S3Route {
  operation: string;
  bucket?: string | undefined;
  key?: string | undefined;
}

export interface StoredObject {
  key: string;
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
  /** `x-amz-meta-*` headers, without the prefix. */
  metadata: Record<string, string>;
}

export interface Bucket {
  name: string;
  creationDate: Date;
  objects: Map<string, StoredObject>;
}

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MAX_KEYS = 1000;

export class S3Error extends Error {
  override name = 'S3Error';
}

export class S3State {
  readonly buckets = new Map<string, Bucket>();

  /** Idempotent, for tests and seeds; CreateBucket over HTTP answers BucketAlreadyOwnedByYou instead. */
  createBucket(name: string): Bucket {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..'))
      throw new S3Error(`invalid bucket name: ${name}`);
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = { name, creationDate: new Date(), objects: new Map() };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  clear(): void {
    this.buckets.clear();
  }
}

export function routeS3(
  method: string,
  path: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): S3Route {
  const rest = path.slice(1);
  const slash = rest.indexOf('/');
  const bucket = decodeURIComponent(slash === -1 ? rest : rest.slice(0, slash));
  const key = slash === -1 ? '' : decodeURIComponent(rest.slice(slash + 1));
  if (bucket === '') return { operation: method === 'GET' ? 'ListBuckets' : 'Unknown' };
  if (key === '') {
    let operation: string | undefined;
    if (method === 'GET') {
      if (query.get('list-type') === '2') operation = 'ListObjectsV2';
      else if (query.has('location')) operation = 'GetBucketLocation';
      else operation = 'ListObjects';
    } else if (method === 'POST' && query.has('delete')) operation = 'DeleteObjects';
    else operation = { PUT: 'CreateBucket', HEAD: 'HeadBucket', DELETE: 'DeleteBucket' }[method];
    return { operation: operation ?? 'Unknown', bucket };
  }
  const copy = method === 'PUT' && headers['x-amz-copy-source'] !== undefined;
  const upload = query.has('uploads') || query.has('uploadId');
  const operation = upload
    ? 'MultipartUpload'
    : copy
      ? 'CopyObject'
      : { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' }[method];
  return { operation: operation ?? 'Unknown', bucket, key };
}

function noSuchBucket(name: string): ServiceError {
  return new ServiceError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
}

function noSuchKey(key: string): ServiceError {
  return new ServiceError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
}

function xml(status: number, body: string, requestId: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  };
}

function empty(status: number, requestId: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'x-amz-request-id': requestId, ...headers }, body: '' };
}

/**
 * The SDK streams a body of unknown length as `aws-chunked` (with a trailing checksum), and may sign
 * each chunk: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n … 0…\r\n<trailers>\r\n\r\n`.
 */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1)
      throw new ServiceError(400, 'IncompleteBody', 'The aws-chunked body ends inside a chunk header');
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0)
      throw new ServiceError(400, 'InvalidRequest', 'The aws-chunked body has a malformed chunk size');
    at = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (at + size > raw.length)
      throw new ServiceError(400, 'IncompleteBody', 'The aws-chunked body ends inside a chunk');
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
}

function objectBody(call: HttpCall): Buffer {
  const encoding = header(call, 'content-encoding') ?? '';
  const streaming = (header(call, 'x-amz-content-sha256') ?? '').startsWith('STREAMING-');
  if (!encoding.split(',').some((e) => e.trim() === 'aws-chunked') && !streaming) return call.body;
  const body = decodeAwsChunked(call.body);
  const declared = header(call, 'x-amz-decoded-content-length');
  if (declared !== undefined && Number(declared) !== body.length) {
    throw new ServiceError(
      400,
      'IncompleteBody',
      'You did not provide the number of bytes specified by x-amz-decoded-content-length',
    );
  }
  return body;
}

function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    'content-length': String(object.body.length),
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

function preconditionFailed(condition: string): ServiceError {
  return new ServiceError(
    412,
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: condition,
    },
  );
}

function putObject(bucket: Bucket, key: string, call: HttpCall): Reply {
  if (Buffer.byteLength(key, 'utf8') > 1024)
    throw new ServiceError(400, 'KeyTooLongError', 'Your key is too long');
  const existing = bucket.objects.get(key);
  // Conditional writes: `If-None-Match: *` creates only, `If-Match` replaces only that version.
  const ifNoneMatch = header(call, 'if-none-match');
  if (ifNoneMatch === '*' && existing !== undefined) throw preconditionFailed('If-None-Match');
  const ifMatch = header(call, 'if-match');
  if (ifMatch !== undefined) {
    if (existing === undefined) throw noSuchKey(key);
    if (ifMatch !== existing.etag && ifMatch !== '*') throw preconditionFailed('If-Match');
  }
  const body = objectBody(call);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string')
      metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  const object: StoredObject = {
    key,
    body,
    etag: `"${createHash('md5').update(body).digest('hex')}"`,
    lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    contentType: header(call, 'content-type') ?? 'binary/octet-stream',
    metadata,
  };
  bucket.objects.set(key, object);
  return empty(200, call.requestId, { etag: object.etag });
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Tokens are opaque: the key, or the common prefix, the next page starts after. */
interface ListPosition {
  after: string;
  /** The page ended on a common prefix: every key under it was rolled up already. */
  rolledUp: boolean;
}

function encodeToken(position: ListPosition): string {
  return Buffer.from(`v1:${position.rolledUp ? 'p' : 'k'}:${position.after}`, 'utf8').toString('base64url');
}

function decodeToken(raw: string): ListPosition {
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  const position = { after: text.slice(5), rolledUp: text.startsWith('v1:p:') };
  if (!/^v1:[pk]:/.test(text) || encodeToken(position) !== raw) {
    throw new ServiceError(400, 'InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
    });
  }
  return position;
}

function listObjectsV2(bucket: Bucket, call: HttpCall): Reply {
  const { query } = call;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const startAfter = query.get('start-after') ?? '';
  const token = query.get('continuation-token');
  const url = query.get('encoding-type') === 'url';
  const rawMax = query.get('max-keys');
  const maxKeys =
    rawMax === null ? MAX_KEYS : /^\d+$/.test(rawMax) ? Math.min(Number(rawMax), MAX_KEYS) : Number.NaN;
  if (Number.isNaN(maxKeys)) {
    throw new ServiceError(
      400,
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
      {
        ArgumentName: 'max-keys',
      },
    );
  }
  const { after, rolledUp } = token === null ? { after: startAfter, rolledUp: false } : decodeToken(token);
  const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(prefix)).sort(utf8Compare);
  const contents: StoredObject[] = [];
  const prefixes: string[] = [];
  let last: ListPosition | undefined;
  let truncated = false;
  for (const key of keys) {
    if (after !== '' && (utf8Compare(key, after) <= 0 || (rolledUp && key.startsWith(after)))) continue;
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut === -1 ? undefined : key.slice(0, cut + delimiter.length);
    if (common !== undefined && common === prefixes.at(-1)) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      last = { after: common, rolledUp: true };
    } else {
      contents.push(bucket.objects.get(key) as StoredObject);
      last = { after: key, rolledUp: false };
    }
  }
  const text = (value: string) => xmlEscape(url ? encodeURIComponent(value).replaceAll('%2F', '/') : value);
  const element = (name: string, value: string | undefined) =>
    value === undefined || value === '' ? '' : `<${name}>${value}</${name}>`;
  const body =
    `<ListBucketResult xmlns="${S3_NAMESPACE}"><Name>${xmlEscape(bucket.name)}</Name>` +
    `<Prefix>${text(prefix)}</Prefix>${element('Delimiter', delimiter && text(delimiter))}` +
    `${element('StartAfter', startAfter && text(startAfter))}${element('ContinuationToken', token ?? undefined)}` +
    `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${contents.length + prefixes.length}</KeyCount>` +
    `<IsTruncated>${truncated}</IsTruncated>` +
    element('NextContinuationToken', truncated && last !== undefined ? encodeToken(last) : undefined) +
    element('EncodingType', url ? 'url' : undefined) +
    contents
      .map(
        (object) =>
          `<Contents><Key>${text(object.key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified>` +
          `<ETag>${xmlEscape(object.etag)}</ETag><Size>${object.body.length}</Size>` +
          '<StorageClass>STANDARD</StorageClass></Contents>',
      )
      .join('') +
    prefixes.map((common) => `<CommonPrefixes><Prefix>${text(common)}</Prefix></CommonPrefixes>`).join('') +
    '</ListBucketResult>';
  return xml(200, body, call.requestId);
}

function unescapeXml(text: string): string {
  return text.replace(/&(?:#x([0-9a-fA-F]+)|#(\d+)|(lt|gt|amp|quot|apos));/g, (_, hex, dec, named) => {
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
    if (dec) return String.fromCodePoint(Number.parseInt(dec, 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[named as string] ?? '';
  });
}

function deleteObjects(bucket: Bucket, call: HttpCall): Reply {
  const body = call.body.toString('utf8');
  if (!/<Delete[\s>]/.test(body))
    throw new ServiceError(400, 'MalformedXML', 'The XML you provided was not well-formed');
  const keys = [...body.matchAll(/<Object>\s*<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''));
  if (keys.length === 0 || keys.length > MAX_KEYS)
    throw new ServiceError(400, 'MalformedXML', 'The XML you provided was not well-formed');
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/.test(body);
  for (const key of keys) bucket.objects.delete(key);
  const deleted = quiet ? '' : keys.map((key) => `<Deleted><Key>${xmlEscape(key)}</Key></Deleted>`).join('');
  return xml(200, `<DeleteResult xmlns="${S3_NAMESPACE}">${deleted}</DeleteResult>`, call.requestId);
}

export function handleS3(state: S3State, route: S3Route, call: HttpCall, caller: Caller): Reply {
  const { requestId } = call;
  if (route.operation === 'ListBuckets') {
    const buckets = [...state.buckets.values()]
      .map(
        (b) =>
          `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${b.creationDate.toISOString()}</CreationDate></Bucket>`,
      )
      .join('');
    return xml(
      200,
      `<ListAllMyBucketsResult xmlns="${S3_NAMESPACE}"><Owner><ID>${caller.accountId}</ID></Owner>` +
        `<Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
      requestId,
    );
  }
  const name = route.bucket ?? '';
  if (route.operation === 'CreateBucket') {
    if (state.buckets.has(name))
      throw new ServiceError(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: name },
      );
    try {
      state.createBucket(name);
    } catch {
      throw new ServiceError(400, 'InvalidBucketName', 'The specified bucket is not valid.', {
        BucketName: name,
      });
    }
    return empty(200, requestId, { location: `/${name}` });
  }
  const bucket = state.buckets.get(name);
  if (bucket === undefined) throw noSuchBucket(name);
  const key = route.key ?? '';
  switch (route.operation) {
    case 'HeadBucket':
      return empty(200, requestId);
    case 'DeleteBucket':
      if (bucket.objects.size > 0)
        throw new ServiceError(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
          BucketName: name,
        });
      state.buckets.delete(name);
      return empty(204, requestId);
    case 'ListObjectsV2':
      return listObjectsV2(bucket, call);
    case 'DeleteObjects':
      return deleteObjects(bucket, call);
    case 'PutObject':
      return putObject(bucket, key, call);
    case 'GetObject': {
      const object = bucket.objects.get(key);
      if (object === undefined) throw noSuchKey(key);
      return {
        status: 200,
        headers: { 'x-amz-request-id': requestId, ...objectHeaders(object) },
        body: object.body,
      };
    }
    case 'HeadObject': {
      const object = bucket.objects.get(key);
      if (object === undefined) throw noSuchKey(key);
      return { status: 200, headers: { 'x-amz-request-id': requestId, ...objectHeaders(object) }, body: '' };
    }
    case 'DeleteObject':
      bucket.objects.delete(key);
      return empty(204, requestId);
    default:
      throw new ServiceError(501, 'NotImplemented', `${route.operation} is not emulated`);
  }
}
