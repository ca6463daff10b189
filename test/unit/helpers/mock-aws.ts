import 'aws-sdk-client-mock-vitest/extend';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandInput,
  ListTagsForVaultCommand,
  type ListTagsForVaultCommandInput,
  ListVaultsCommand,
  type UploadListElement,
} from '@aws-sdk/client-glacier';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { METRIC_NAMESPACE, PARAM, type ParamKey, SERVICE_NAME } from '../../../lambda/core/defaults';
import { ssmParameterName } from '../../../lambda/core/ssm-names';
import type { RunLogger } from '../../../lambda/run';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:glacier-sweeper`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:glacier-sweeper`;
export const PREFIX = '/glacier-sweeper';
/** The fixed "now" of every test run. */
export const NOW_MS = Date.parse('2026-11-27T03:00:00.000Z');
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

// biome-ignore lint/suspicious/noExplicitAny: the stub's input/output types differ per client.
type AnyStub = AwsStub<any, any, any>;

/** An upload as Glacier lists it, created `ageMs` before NOW_MS. */
export function upload(id: string, ageMs: number, description = `backup ${id}`): UploadListElement {
  return {
    MultipartUploadId: id,
    CreationDate: new Date(NOW_MS - ageMs).toISOString(),
    ArchiveDescription: description,
    PartSizeInBytes: 4 * 1024 * 1024,
    VaultARN: `arn:aws:glacier:${REGION}:${ACCOUNT}:vaults/v`,
  };
}

export const stale = (id: string, description?: string) => upload(id, 30 * DAY_MS, description);
export const fresh = (id: string) => upload(id, HOUR_MS);

/**
 * Answers ListMultipartUploads from `pages` per vault: page i ends with marker `<vault>#<i+1>`, the last
 * with `Marker: null`. A vault whose value is an Error rejects every listing of it.
 */
export function serveUploads(
  glacier: AnyStub,
  vaults: Record<string, UploadListElement[][] | Error>,
  onList?: (input: ListMultipartUploadsCommandInput) => void,
): void {
  glacier.on(ListMultipartUploadsCommand).callsFake(async (input: ListMultipartUploadsCommandInput) => {
    onList?.(input);
    const pages = vaults[input.vaultName ?? ''];
    if (pages === undefined) throw named('ResourceNotFoundException', `vault ${input.vaultName} not found`);
    if (pages instanceof Error) throw pages;
    const index = input.marker === undefined ? 0 : Number(input.marker.split('#')[1]);
    const next = index + 1 < pages.length ? `${input.vaultName}#${index + 1}` : null;
    return { UploadsList: pages[index] ?? [], Marker: next };
  });
  // One ListTagsForVault per vault per run: a vault listed here has no tags (none skipped), an
  // unknown one is not found, as ListMultipartUploads says.
  glacier.on(ListTagsForVaultCommand).callsFake(async (input: ListTagsForVaultCommandInput) => {
    const pages = vaults[input.vaultName ?? ''];
    if (pages === undefined) throw named('ResourceNotFoundException', `vault ${input.vaultName} not found`);
    return { Tags: {} };
  });
}

/** Answers ListVaults with these pages of names (markers `vaults#1`…, then null). */
export function serveVaultNames(glacier: AnyStub, pages: string[][]): void {
  glacier.on(ListVaultsCommand).callsFake(async (input: { marker?: string }) => {
    const index = input.marker === undefined ? 0 : Number(input.marker.split('#')[1]);
    const next = index + 1 < pages.length ? `vaults#${index + 1}` : null;
    return { VaultList: (pages[index] ?? []).map((VaultName) => ({ VaultName })), Marker: next };
  });
}

/** An SDK-looking service error (the name is what the adapters look at). */
export function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

export type ParamValues = Partial<Record<ParamKey, string>>;

/** Answers GetParameters with these parameters; every other name asked for is an InvalidParameter. */
export function serveParameters(ssm: AnyStub, values: ParamValues, prefix = PREFIX): void {
  ssm.on(GetParametersCommand).callsFake(async (input: { Names?: string[] }) => {
    const byName = new Map<string, string>(
      Object.entries(values).map(([key, value]) => [ssmParameterName(prefix, key as ParamKey), value]),
    );
    const names = input.Names ?? [];
    return {
      Parameters: names
        .filter((name) => byName.has(name))
        .map((name) => ({
          Name: name,
          Type: name.endsWith(`/${PARAM.vaults}`) ? 'StringList' : 'String',
          Value: byName.get(name),
        })),
      InvalidParameters: names.filter((name) => !byName.has(name)),
    };
  });
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

/** A RunLogger that keeps every line for assertions. */
export function recordingLogger(): RunLogger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (message: string, extra: Record<string, unknown>): void => {
      records.push({ level, message, extra });
    };
  return { records, info: at('info'), warn: at('warn'), error: at('error') };
}

/** One parsed EMF line. */
export interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/**
 * A real Powertools Metrics whose EMF output (always written to stdout) is captured instead of printed.
 * Call `restore()` in afterEach.
 */
export function capturedMetrics(): { metrics: Metrics; lines: () => EmfLine[]; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  });
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  return {
    metrics,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{"_aws"'))
        .map((line) => JSON.parse(line) as EmfLine),
    restore: () => spy.mockRestore(),
  };
}

/** A Lambda context whose remaining time the test sets. */
export function fakeContext(remainingMs: () => number = () => 600_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'glacier-sweeper',
    functionVersion: '$LATEST',
    invokedFunctionArn: FUNCTION_ARN,
    memoryLimitInMB: '256',
    awsRequestId: 'request-1',
    logGroupName: '/aws/lambda/glacier-sweeper',
    logStreamName: 'stream',
    getRemainingTimeInMillis: remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
