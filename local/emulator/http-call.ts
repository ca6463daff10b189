import type { IncomingHttpHeaders } from 'node:http';

/** One request as the service handlers see it: already read, already routed. */
export interface HttpCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  requestId: string;
}

export function header(call: HttpCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
