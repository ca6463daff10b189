import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SSM_PREFIX } from '../../../lambda/core/defaults';
import type { SweepReport } from '../../../lambda/core/types';
import type { Emulator, PublishedMessage, RecordedRequest, SeedParameter } from '../../../local/emulator';
import { invokeLocally, type LocalInvokeOptions, type LocalInvokeResult } from '../../../local/invoke';
import { expectValidReport } from './report-schema';

export const TOPIC = 'glacier-sweeper-reports';

/** The SSM parameters of one run, by their name under the prefix (`vaults`, `older-than`, …). */
export type Parameters = Record<string, string>;

/**
 * Writes the parameters under `/glacier-sweeper` (vaults as a StringList, as the stack creates it) and
 * creates the topic; returns the topic ARN.
 */
export function configure(emu: Emulator, parameters: Parameters, prefix = DEFAULT_SSM_PREFIX): string {
  const seeded: SeedParameter[] = Object.entries(parameters).map(([name, value]) => ({
    name: `${prefix}/${name}`,
    value,
    type: name === 'vaults' ? 'StringList' : 'String',
  }));
  return emu.seed({ parameters: seeded, topics: [TOPIC] }).topicArns[TOPIC] as string;
}

/** The real handler, in-process, against the emulator through AWS_ENDPOINT_URL_*. */
export function sweep(
  emu: Emulator,
  topicArn: string,
  options: Partial<LocalInvokeOptions> = {},
): Promise<LocalInvokeResult> {
  return invokeLocally({ endpoint: emu.url, topicArn, ...options });
}

/** The report the handler returned; fails the test with the handler's error otherwise. */
export function reportOf(result: LocalInvokeResult): SweepReport {
  if (result.error) throw result.error;
  if (!result.report) throw new Error('the handler returned no report');
  return expectValidReport(result.report);
}

/** Requests the emulator saw, counted by `SERVICE Operation`. */
export function countByOperation(requests: readonly RecordedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.service} ${r.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The one message the emulator's SNS received; fails when there is not exactly one. */
export function onlyMessage(emu: Emulator): PublishedMessage {
  const messages = emu.published();
  if (messages.length !== 1) throw new Error(`expected one published message, got ${messages.length}`);
  return messages[0] as PublishedMessage;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * A transparent HTTP proxy in front of the emulator that keeps every request line. The emulator's
 * record holds the path only; this shows the query string the SDK really sent (`limit`, `marker`).
 */
export interface RecordingProxy {
  url: string;
  /** Method and URL (path and query) of every request, in arrival order. */
  readonly seen: { method: string; url: string }[];
  stop(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const seen: { method: string; url: string }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const forward = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
