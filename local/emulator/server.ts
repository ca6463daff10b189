import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AccountDirectory, Caller } from './accounts';
import { type CredentialScope, credentialScope } from './credential-scope';
import { DEFAULT_FAULTS, type Reply, renderError, ServiceError, type ServiceName } from './errors';
import type { FaultDecision, FaultInjector } from './faults';
import { type GlacierRoute, handleGlacier, routeGlacier } from './glacier';
import type { GlacierStore, VaultScope } from './glacier-store';
import type { HttpCall } from './http-call';
import {
  handleOrganizations,
  ORGANIZATIONS_TARGET,
  type OrganizationState,
  organizationsOperation,
} from './organizations';
import type { RecordedRequest, RequestRecord } from './request-record';
import { handleS3, routeS3, type S3Route, type S3State } from './s3';
import { handleSns, type SnsState, snsOperation } from './sns';
import { handleSsm, type SsmState, ssmOperation } from './ssm';
import { handleSts, STS_VERSION } from './sts';

export interface EmulatorState {
  accounts: AccountDirectory;
  glacier: GlacierStore;
  organizations: OrganizationState;
  s3: S3State;
  sns: SnsState;
  ssm: SsmState;
  faults: FaultInjector;
  record: RequestRecord;
}

interface Classified {
  service: ServiceName | 'unknown';
  operation: string;
  glacierRoute?: GlacierRoute | undefined;
  s3Route?: S3Route | undefined;
  form?: URLSearchParams | undefined;
}

function readBody(req: IncomingMessage, keep: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      if (keep) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `signedFor` is the service of the signature's scope, which tells STS from SNS (both POST forms to /). */
function classify(
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
  body: Buffer,
  signedFor: string | undefined,
): Classified {
  // S3 paths (`/bucket/key`) can look like Glacier's: only the signature tells them apart.
  if (signedFor === 's3') {
    const s3Route = routeS3(req.method ?? 'GET', path, query, req.headers);
    return { service: 's3', operation: s3Route.operation, s3Route };
  }
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('AmazonSSM.')) {
    return { service: 'ssm', operation: ssmOperation(target) };
  }
  if (typeof target === 'string' && target.startsWith(ORGANIZATIONS_TARGET)) {
    return { service: 'organizations', operation: organizationsOperation(target) };
  }
  const glacierRoute = routeGlacier(req.method ?? 'GET', path, query);
  if (glacierRoute !== undefined || req.headers['x-amz-glacier-version'] !== undefined) {
    return { service: 'glacier', operation: glacierRoute?.operation ?? 'Unknown', glacierRoute };
  }
  if (req.method === 'POST' && path === '/') {
    const { operation, form } = snsOperation(body);
    const sts = signedFor === 'sts' || (signedFor === undefined && form.get('Version') === STS_VERSION);
    return { service: sts ? 'sts' : 'sns', operation, form };
  }
  return { service: 'unknown', operation: 'Unknown' };
}

/** Services with an endpoint per region; Organizations is global. */
const REGIONAL = new Set<string>(['glacier', 'sns', 'ssm', 'sts']);

/** Credentials of an account are unknown in a region it has not enabled; each protocol says so its own way. */
function unrecognizedCredentials(service: ServiceName): ServiceError {
  const code =
    service === 'sns' || service === 'sts' ? 'InvalidClientTokenId' : 'UnrecognizedClientException';
  return new ServiceError(403, code, 'The security token included in the request is invalid.');
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.status === 204 ? '' : (reply.body ?? '');
  res.writeHead(reply.status, { 'content-length': String(Buffer.byteLength(body)), ...reply.headers });
  res.end(body);
}

function faultError(service: ServiceName, decision: FaultDecision): ServiceError {
  const kind = decision.kind === 'throttle' ? 'throttle' : 'error';
  const fallback = DEFAULT_FAULTS[service][kind];
  const status = decision.status ?? fallback.status;
  const code = decision.code ?? fallback.code;
  return new ServiceError(status, code, decision.message ?? `Injected fault: ${code}`);
}

/** Glacier's body is dropped unless the tree hash has to be computed from it. */
function needsBody(req: IncomingMessage, path: string): boolean {
  const route = routeGlacier(req.method ?? 'GET', path);
  return !(route?.operation === 'UploadMultipartPart' && req.headers['x-amz-sha256-tree-hash'] !== undefined);
}

export interface EmulatorServer {
  server: Server;
  /** Ends every pending, delayed and hung request, then closes the listener. */
  close(): Promise<void>;
}

export function createEmulatorServer(state: EmulatorState): EmulatorServer {
  const hung = new Set<ServerResponse>();
  const timers = new Map<NodeJS.Timeout, ServerResponse>();
  let closing = false;

  const delay = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, res);
    });

  const execute = (classified: Classified, call: HttpCall, caller: Caller, where: VaultScope): Reply => {
    const { service } = classified;
    if (
      service !== 'unknown' &&
      REGIONAL.has(service) &&
      !state.accounts.regionEnabled(caller.accountId, where.region)
    ) {
      throw unrecognizedCredentials(service);
    }
    switch (classified.service) {
      case 'glacier':
        if (classified.glacierRoute === undefined) {
          throw new ServiceError(400, 'UnsupportedOperation', `${call.method} ${call.path} is not emulated`);
        }
        return handleGlacier(state.glacier, classified.glacierRoute, call, where);
      case 'sns':
        return handleSns(state.sns, classified.operation, classified.form ?? new URLSearchParams(), call);
      case 'ssm':
        return handleSsm(state.ssm, classified.operation, call);
      case 'sts':
        return handleSts(
          state.accounts,
          classified.operation,
          classified.form ?? new URLSearchParams(),
          call,
          caller,
          where.region,
        );
      case 's3':
        return handleS3(state.s3, classified.s3Route ?? { operation: 'Unknown' }, call, caller);
      case 'organizations':
        return handleOrganizations(state.organizations, state.accounts, classified.operation, call, caller);
      default:
        throw new ServiceError(
          400,
          'UnknownOperationException',
          `Cannot tell which service ${call.path} is for`,
        );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req, needsBody(req, url.pathname));
    const scope: CredentialScope | undefined = credentialScope(req.headers, url.searchParams);
    const classified = classify(req, url.pathname, url.searchParams, body, scope?.service);
    const route = classified.glacierRoute;
    const caller = state.accounts.caller(scope?.accessKeyId);
    // An account id in the path is taken as given (cross-account vault access); `-` is the caller's.
    const where: VaultScope = {
      accountId: route === undefined || route.accountId === '-' ? caller.accountId : route.accountId,
      region: scope?.region ?? state.accounts.defaultRegion,
    };
    const entry: RecordedRequest = state.record.start({
      service: classified.service,
      operation: classified.operation,
      method: req.method ?? 'GET',
      path: url.pathname,
      accountId: where.accountId,
      callerAccountId: caller.accountId,
      accessKeyId: scope?.accessKeyId,
      region: where.region,
      vault: route?.vault,
      uploadId: route?.uploadId,
      bucket: classified.s3Route?.bucket,
      key: classified.s3Route?.key,
    });
    const started = performance.now();
    const service = classified.service === 'unknown' ? 'glacier' : classified.service;
    const decision = state.faults.decide({
      service,
      operation: classified.operation,
      vault: route?.vault,
      uploadId: route?.uploadId,
      accountId: where.accountId,
      region: where.region,
    });
    entry.fault = decision.kind;
    if (decision.delayMs > 0) await delay(decision.delayMs, res);
    if (closing) return;
    if (decision.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'hang') {
      hung.add(res);
      return;
    }
    const call: HttpCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      requestId: randomUUID(),
    };
    let reply: Reply;
    try {
      if (decision.kind === 'throttle' || decision.kind === 'error') throw faultError(service, decision);
      reply = execute(classified, call, caller, where);
    } catch (error) {
      const serviceError =
        error instanceof ServiceError
          ? error
          : new ServiceError(500, DEFAULT_FAULTS[service].error.code, `Emulator bug: ${String(error)}`);
      entry.errorCode = serviceError.code;
      reply = renderError(service, serviceError, call.requestId);
    }
    entry.status = reply.status;
    entry.durationMs = performance.now() - started;
    send(res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The client went away mid-request; there is nobody left to answer.
      res.destroy();
    });
  });

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const [timer, res] of timers) {
          clearTimeout(timer);
          res.destroy();
        }
        timers.clear();
        for (const res of hung) res.destroy();
        hung.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
