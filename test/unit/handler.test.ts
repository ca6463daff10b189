import 'aws-sdk-client-mock-vitest/extend';
import {
  AbortMultipartUploadCommand,
  type AbortMultipartUploadCommandInput,
  GlacierClient,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListVaultsCommand,
  type UploadListElement,
} from '@aws-sdk/client-glacier';
import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../lambda/adapters/clients';
import { ConfigError } from '../../lambda/core/settings';
import type { SweepReport, VaultReport } from '../../lambda/core/types';
import { handler, setDependencies } from '../../lambda/handler';
import {
  capturedMetrics,
  DAY_MS,
  fakeContext,
  fresh,
  type LogRecord,
  NOW_MS,
  named,
  type ParamValues,
  REGION,
  recordingLogger,
  serveParameters,
  serveUploads,
  serveVaultNames,
  stale,
  TOPIC_ARN,
  upload,
} from './helpers/mock-aws';

const glacierMock = mockClient(GlacierClient);
const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);

let capture: ReturnType<typeof capturedMetrics>;
let logger: ReturnType<typeof recordingLogger>;

interface Setup {
  params: ParamValues;
  env?: Record<string, string>;
  clock?: () => number;
  /** Abort answers by upload id: an Error rejects; default resolves (aborted). */
  abortErrors?: Record<string, Error>;
  onAbort?: () => void;
}

/** Wires the handler to real (mocked) SDK clients, a recording logger, captured metrics and a fixed clock. */
function setup({ params, env = {}, clock = () => NOW_MS, abortErrors = {}, onAbort }: Setup): void {
  serveParameters(ssmMock, params);
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  glacierMock.on(AbortMultipartUploadCommand).callsFake(async (input: AbortMultipartUploadCommandInput) => {
    onAbort?.();
    const error = abortErrors[input.uploadId ?? ''];
    if (error) throw error;
    return {};
  });
  setDependencies({
    clients: createClients({ region: REGION }),
    logger,
    metrics: capture.metrics,
    env: { AWS_REGION: REGION, SWEEPER_TOPIC_ARN: TOPIC_ARN, ...env },
    clock,
    newRunId: () => 'run-1',
  });
}

const abortedIds = () =>
  glacierMock
    .commandCalls(AbortMultipartUploadCommand)
    .map((call) => call.args[0].input.uploadId)
    .sort();
const listedVaults = () =>
  new Set(glacierMock.commandCalls(ListMultipartUploadsCommand).map((call) => call.args[0].input.vaultName));
const publishes = (): PublishCommandInput[] =>
  snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
const vaultOf = (report: SweepReport, name: string): VaultReport => {
  const found = report.vaults.find((v) => v.vault === name);
  if (!found) throw new Error(`vault ${name} not in the report`);
  return found;
};
const outcomeOf = (report: SweepReport, vault: string, uploadId: string) =>
  vaultOf(report, vault).staleUploads.find((u) => u.uploadId === uploadId)?.outcome;

/** stale = aborted + gone + failed + skipped + reported, per vault and in the totals. */
function expectOutcomeSums(report: SweepReport): void {
  for (const v of [...report.vaults, report.totals]) {
    expect(v.aborted + v.gone + v.failed + v.skipped + v.reported).toBe(v.stale);
  }
  for (const v of report.vaults) {
    expect(v.staleUploads).toHaveLength(v.stale);
  }
}

const runsCompleted = () =>
  capture
    .lines()
    .filter((line) => 'RunsCompleted' in line)
    .map((line) => line.RunsCompleted);

beforeEach(() => {
  glacierMock.reset();
  // Stale uploads are measured with ListParts (bytes at stake): by default they have no parts yet.
  glacierMock.on(ListPartsCommand).resolves({ Parts: [] });
  snsMock.reset();
  ssmMock.reset();
  capture = capturedMetrics();
  logger = recordingLogger();
});

afterEach(() => {
  setDependencies(undefined);
  capture.restore();
});

describe('handler: report mode', () => {
  it('sweeps every vault with its own threshold and sends no AbortMultipartUpload at all', async () => {
    setup({ params: { vaults: 'alpha, beta=3d', action: 'report' } });
    serveUploads(glacierMock, {
      alpha: [
        [stale('a1'), upload('a-5d', 5 * DAY_MS)],
        [stale('a2'), fresh('a3')],
      ],
      beta: [[upload('b-5d', 5 * DAY_MS), fresh('b2')]],
    });

    const report = await handler({}, fakeContext());

    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 0);
    expect(listedVaults()).toEqual(new Set(['alpha', 'beta']));
    expect(report.action).toBe('report');
    expect(report.complete).toBe(true);
    // 5 days is fresh under alpha's 7d but stale under beta's 3d.
    expect(vaultOf(report, 'alpha')).toMatchObject({ olderThan: '7d', scanned: 4, stale: 2, reported: 2 });
    expect(vaultOf(report, 'beta')).toMatchObject({ olderThan: '3d', scanned: 2, stale: 1, reported: 1 });
    expect(outcomeOf(report, 'beta', 'b-5d')).toBe('reported');
    expect(report.totals).toMatchObject({ vaults: 2, scanned: 6, stale: 3, reported: 3, aborted: 0 });
    expectOutcomeSums(report);
    expect(publishes()).toHaveLength(1);
    expect(publishes()[0]?.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'report' },
      action: { DataType: 'String', StringValue: 'report' },
    });
    expect(runsCompleted()).toEqual([1]);
  });
});

describe('handler: abort mode', () => {
  it('aborts exactly the stale uploads; outcomes aborted, gone and failed add up to stale', async () => {
    setup({
      params: { vaults: 'alpha,beta', action: 'abort' },
      abortErrors: {
        b1: named('ResourceNotFoundException', 'no such upload'),
        b2: named('ThrottlingException', 'slow down'),
      },
    });
    serveUploads(glacierMock, {
      alpha: [[stale('a1'), fresh('a-fresh')], [stale('a2')], [stale('a3'), upload('a-6d', 6 * DAY_MS)]],
      beta: [[stale('b1'), stale('b2'), fresh('b-fresh')]],
    });

    const report = await handler({}, fakeContext());

    expect(abortedIds()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(glacierMock).toReceiveCommandWith(AbortMultipartUploadCommand, {
      accountId: '-',
      vaultName: 'alpha',
      uploadId: 'a1',
    });
    expect(vaultOf(report, 'alpha')).toMatchObject({ scanned: 5, stale: 3, aborted: 3, complete: true });
    expect(vaultOf(report, 'beta')).toMatchObject({ scanned: 3, stale: 2, gone: 1, failed: 1, error: null });
    expect(outcomeOf(report, 'beta', 'b1')).toBe('gone');
    expect(outcomeOf(report, 'beta', 'b2')).toBe('failed');
    expect(report.totals).toMatchObject({
      stale: 5,
      aborted: 3,
      gone: 1,
      failed: 1,
      skipped: 0,
      reported: 0,
    });
    expectOutcomeSums(report);
    expect(report.action).toBe('abort');
    expect(report.capped).toBe(false);
    // Every abort is in the audit log, before its outcome.
    const aborting = logger.records.filter((r) => r.message === 'aborting upload');
    expect(aborting.map((r) => r.extra.uploadId).sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(logger.records.find((r) => r.message === 'stale upload' && r.extra.uploadId === 'b2')?.level).toBe(
      'error',
    );
  });

  it('counts an abort answered with ResourceNotFoundException as gone, not failed', async () => {
    setup({
      params: { vaults: 'alpha', action: 'abort' },
      abortErrors: { a1: named('ResourceNotFoundException', 'Multipart upload not found') },
    });
    serveUploads(glacierMock, { alpha: [[stale('a1')]] });

    const report = await handler({}, fakeContext());

    expect(vaultOf(report, 'alpha')).toMatchObject({ stale: 1, gone: 1, failed: 0, aborted: 0, error: null });
    expect(report.totals.gone).toBe(1);
    expect(outcomeOf(report, 'alpha', 'a1')).toBe('gone');
    expect(logger.records.some((r) => r.level === 'error')).toBe(false);
  });

  it("isolates one vault's listing failure: the others are complete, the invocation does not throw", async () => {
    setup({ params: { vaults: 'alpha,beta,gamma', action: 'abort' } });
    serveUploads(glacierMock, {
      alpha: [[stale('a1')], [fresh('a2')]],
      beta: named('AccessDeniedException', 'User is not authorized to perform glacier:ListMultipartUploads'),
      gamma: [[stale('g1'), fresh('g2')]],
    });

    const report = await handler({}, fakeContext());

    const beta = vaultOf(report, 'beta');
    expect(beta.complete).toBe(false);
    expect(beta.error).toContain('AccessDeniedException');
    for (const name of ['alpha', 'gamma']) {
      expect(vaultOf(report, name)).toMatchObject({ complete: true, error: null, stale: 1, aborted: 1 });
    }
    expect(abortedIds()).toEqual(['a1', 'g1']);
    expect(report.complete).toBe(false);
    expect(report.totals.vaultErrors).toBe(1);
    expect(publishes()).toHaveLength(1);
    expect(logger.records.find((r) => r.message === 'vault swept' && r.extra.vault === 'beta')?.level).toBe(
      'error',
    );
  });

  it('expands * with every ListVaults page, narrowed by SWEEPER_VAULT_PATTERN', async () => {
    setup({ params: { vaults: '*', action: 'abort' }, env: { SWEEPER_VAULT_PATTERN: '^prod-' } });
    serveVaultNames(glacierMock, [
      ['prod-a', 'scratch'],
      ['prod-b', 'test-prod-c'],
    ]);
    serveUploads(glacierMock, {
      'prod-a': [[stale('pa1')]],
      'prod-b': [[stale('pb1')]],
      scratch: [[stale('s1')]],
      'test-prod-c': [[stale('t1')]],
    });

    const report = await handler({}, fakeContext());

    expect(glacierMock).toReceiveCommandTimes(ListVaultsCommand, 2);
    expect(listedVaults()).toEqual(new Set(['prod-a', 'prod-b']));
    expect(report.vaults.map((v) => v.vault).sort()).toEqual(['prod-a', 'prod-b']);
    expect(abortedIds()).toEqual(['pa1', 'pb1']);
    expect(report.vaults.every((v) => v.olderThan === '7d')).toBe(true);
  });

  it('stops aborting at max-aborts across vaults: capped, the rest reported', async () => {
    setup({ params: { vaults: 'alpha,beta', action: 'abort', maxAborts: '3' } });
    serveUploads(glacierMock, {
      alpha: [[stale('a1'), stale('a2'), stale('a3')]],
      beta: [[stale('b1'), stale('b2'), stale('b3')]],
    });

    const report = await handler({}, fakeContext());

    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 3);
    expect(report.capped).toBe(true);
    expect(report.totals).toMatchObject({ stale: 6, aborted: 3, reported: 3 });
    expectOutcomeSums(report);
    const idsWith = (outcome: string) =>
      report.vaults.flatMap((v) =>
        v.staleUploads.filter((u) => u.outcome === outcome).map((u) => u.uploadId),
      );
    expect(idsWith('aborted').sort()).toEqual(abortedIds());
    expect([...idsWith('aborted'), ...idsWith('reported')].sort()).toEqual([
      'a1',
      'a2',
      'a3',
      'b1',
      'b2',
      'b3',
    ]);
    expect(logger.records.filter((r) => r.extra.reason === 'max-aborts reached')).toHaveLength(3);
  });

  it('max-aborts 0 aborts nothing', async () => {
    setup({ params: { vaults: 'alpha', action: 'abort', maxAborts: '0' } });
    serveUploads(glacierMock, { alpha: [[stale('a1')]] });

    const report = await handler({}, fakeContext());

    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 0);
    expect(report).toMatchObject({ capped: true, totals: { stale: 1, reported: 1 } });
  });

  it('skips stale uploads whose description or upload id matches exclude', async () => {
    setup({ params: { vaults: 'alpha', action: 'abort', exclude: '^keep' } });
    serveUploads(glacierMock, {
      alpha: [[stale('a1', 'keep: database dump'), stale('keep-by-id', 'plain'), stale('a3', 'nightly')]],
    });

    const report = await handler({}, fakeContext());

    expect(abortedIds()).toEqual(['a3']);
    expect(vaultOf(report, 'alpha')).toMatchObject({ stale: 3, skipped: 2, aborted: 1 });
    expect(outcomeOf(report, 'alpha', 'a1')).toBe('skipped');
    expect(outcomeOf(report, 'alpha', 'keep-by-id')).toBe('skipped');
    expectOutcomeSums(report);
  });

  it('never aborts an upload whose CreationDate is missing, unparseable, impossible or in the future', async () => {
    setup({ params: { vaults: 'alpha', action: 'abort' } });
    const odd = (id: string, CreationDate: string | null): UploadListElement => ({
      MultipartUploadId: id,
      CreationDate: CreationDate as string,
      ArchiveDescription: 'odd',
    });
    serveUploads(glacierMock, {
      alpha: [
        [
          odd('missing', null),
          odd('garbage', 'garbage'),
          odd('feb31', '2026-02-31T00:00:00Z'),
          odd('future', new Date(NOW_MS + 10 * DAY_MS).toISOString()),
          stale('real'),
        ],
      ],
    });

    const report = await handler({}, fakeContext());

    expect(abortedIds()).toEqual(['real']);
    const alpha = vaultOf(report, 'alpha');
    expect(alpha.anomalies.map((a) => a.uploadId).sort()).toEqual(['feb31', 'future', 'garbage', 'missing']);
    expect(alpha).toMatchObject({ scanned: 5, stale: 1, aborted: 1 });
    expect(report.totals.anomalies).toBe(4);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(4);
  });
});

describe('handler: configuration errors', () => {
  const P = '/glacier-sweeper';
  const cases: Array<{
    kind: string;
    params: ParamValues;
    env?: Record<string, string>;
    event?: unknown;
    setting: string;
    value: string;
  }> = [
    { kind: 'missing vaults', params: {}, setting: `${P}/vaults`, value: 'is not set' },
    {
      kind: 'bad older-than',
      params: { vaults: 'a', olderThan: '12h' },
      setting: `${P}/older-than`,
      value: '"12h"',
    },
    {
      kind: 'bad action',
      params: { vaults: 'a', action: 'delete' },
      setting: `${P}/action`,
      value: '"delete"',
    },
    {
      kind: 'bad account-id',
      params: { vaults: 'a', accountId: '12345' },
      setting: `${P}/account-id`,
      value: '"12345"',
    },
    { kind: '* with a threshold', params: { vaults: '*=3d' }, setting: `${P}/vaults`, value: '*=3d' },
    { kind: 'duplicate vault', params: { vaults: 'a,a=3d' }, setting: `${P}/vaults`, value: '"a,a=3d"' },
    {
      kind: 'bad max-aborts',
      params: { vaults: 'a', maxAborts: '-1' },
      setting: `${P}/max-aborts`,
      value: '"-1"',
    },
    {
      kind: 'bad exclude',
      params: { vaults: 'a', exclude: '(unclosed' },
      setting: `${P}/exclude`,
      value: '"(unclosed"',
    },
    {
      kind: 'bad notify',
      params: { vaults: 'a', notify: 'never' },
      setting: `${P}/notify`,
      value: '"never"',
    },
    {
      kind: 'event vaults not an array',
      params: { vaults: 'a' },
      event: { vaults: 42 },
      setting: 'event.vaults',
      value: '"42"',
    },
    {
      kind: 'event action not a string',
      params: { vaults: 'a', action: 'abort' },
      event: { action: true },
      setting: 'event.action',
      value: '"true"',
    },
    {
      kind: 'event names an unconfigured vault',
      params: { vaults: 'a', action: 'abort' },
      event: { vaults: ['zzz'] },
      setting: 'event.vaults',
      value: '"zzz"',
    },
    {
      kind: 'a named vault outside SWEEPER_VAULT_PATTERN',
      params: { vaults: 'a', action: 'abort' },
      env: { SWEEPER_VAULT_PATTERN: '^(backup|logs)-' },
      setting: `${P}/vaults`,
      value: 'vault "a" does not match SWEEPER_VAULT_PATTERN = "^(backup|logs)-"',
    },
  ];

  it.each(cases)(
    '$kind: rejects with a ConfigError naming it, touches no vault, sends one alert',
    async (c) => {
      setup({ params: c.params, ...(c.env ? { env: c.env } : {}) });
      serveUploads(glacierMock, { a: [[stale('a1')]] });

      const error = await handler(c.event ?? {}, fakeContext()).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting).toBe(c.setting);
      expect((error as ConfigError).message).toContain(c.setting);
      expect((error as ConfigError).message).toContain(c.value);
      expect(glacierMock.calls()).toHaveLength(0);
      expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
      expect(publishes()[0]).toMatchObject({
        TopicArn: TOPIC_ARN,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'alert' } },
      });
      expect(publishes()[0]?.Message).toContain(c.setting);
      expect(runsCompleted()).toEqual([]);
    },
  );
  it('an unreadable SSM prefix is a ConfigError too, caused by the SDK error: alert sent, no vault touched', async () => {
    setup({ params: { vaults: 'a' } });
    const denied = named('AccessDeniedException', 'not allowed: ssm:GetParameters');
    ssmMock.on(GetParametersCommand).rejects(denied);

    const error = await handler({}, fakeContext()).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('/glacier-sweeper');
    expect((error as ConfigError).message).toContain('AccessDeniedException');
    expect((error as ConfigError).cause).toBe(denied);
    expect(glacierMock.calls()).toHaveLength(0);
    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
    expect(publishes()[0]?.MessageAttributes?.kind?.StringValue).toBe('alert');
  });

  it('still rejects with the ConfigError (not the SNS error) when the alert cannot be published', async () => {
    setup({ params: { vaults: 'a', action: 'delete' } });
    snsMock.on(PublishCommand).rejects(named('InternalErrorException', 'SNS is down'));

    await expect(handler({}, fakeContext())).rejects.toThrow(ConfigError);
    expect(glacierMock.calls()).toHaveLength(0);
    expect(logger.records.map((r) => r.message)).toContain('the configuration alert could not be published');
  });
});

describe('handler: events', () => {
  it('ignores {"action":"abort"} in report config, with a warning', async () => {
    setup({ params: { vaults: 'alpha', action: 'report' } });
    serveUploads(glacierMock, { alpha: [[stale('a1')]] });

    const report = await handler({ action: 'abort' }, fakeContext());

    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 0);
    expect(report.action).toBe('report');
    expect(report.totals).toMatchObject({ stale: 1, reported: 1 });
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.message)).toEqual([
      expect.stringContaining('never escalates'),
    ]);
  });

  it('{"action":"report"} in abort config aborts nothing and reports every stale upload', async () => {
    setup({ params: { vaults: 'alpha,beta', action: 'abort' } });
    serveUploads(glacierMock, { alpha: [[stale('a1'), stale('a2')]], beta: [[stale('b1')]] });

    const report = await handler({ action: 'report' }, fakeContext());

    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 0);
    expect(report.action).toBe('report');
    expect(report.totals).toMatchObject({ stale: 3, reported: 3, aborted: 0 });
    expect(publishes()[0]?.MessageAttributes?.action?.StringValue).toBe('report');
  });

  it('{"vaults":[…]} sweeps only those configured vaults', async () => {
    setup({ params: { vaults: 'alpha,beta', action: 'abort' } });
    serveUploads(glacierMock, { alpha: [[stale('a1')]], beta: [[stale('b1')]] });

    const report = await handler({ vaults: ['beta'] }, fakeContext());

    expect(listedVaults()).toEqual(new Set(['beta']));
    expect(report.vaults.map((v) => v.vault)).toEqual(['beta']);
    expect(abortedIds()).toEqual(['b1']);
  });

  it("ignores an EventBridge scheduled event's fields", async () => {
    setup({ params: { vaults: 'alpha,beta', action: 'abort' } });
    serveUploads(glacierMock, { alpha: [[stale('a1')]], beta: [[stale('b1')]] });
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-27T03:00:00Z',
      region: REGION,
      resources: ['arn:aws:events:us-east-1:123456789012:rule/glacier-sweeper'],
      detail: {},
    };

    const report = await handler(scheduled, fakeContext());

    expect(report.action).toBe('abort');
    expect(listedVaults()).toEqual(new Set(['alpha', 'beta']));
    expect(abortedIds()).toEqual(['a1', 'b1']);
    expect(logger.records.filter((r) => r.level !== 'info')).toEqual([]);
  });
});

describe('handler: publishing', () => {
  it('rejects when SNS rejects every attempt, after logging the whole report', async () => {
    setup({ params: { vaults: 'alpha,beta', action: 'abort' } });
    snsMock.on(PublishCommand).rejects(named('InternalErrorException', 'SNS is down'));
    serveUploads(glacierMock, { alpha: [[stale('a1')]], beta: [[stale('b1'), fresh('b2')]] });

    let logsAtRejection: LogRecord[] = [];
    const error = await handler({}, fakeContext()).then(
      () => undefined,
      (e: unknown) => {
        logsAtRejection = [...logger.records];
        return e;
      },
    );

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(TOPIC_ARN);
    expect((error as Error).message).toContain('SNS is down');
    const logged = logsAtRejection.find((r) => r.message.includes('could not be published'));
    expect(logged?.level).toBe('error');
    const loggedReport = logged?.extra.report as SweepReport;
    expect(loggedReport.vaults.map((v) => v.vault).sort()).toEqual(['alpha', 'beta']);
    expect(loggedReport.totals).toMatchObject({ vaults: 2, scanned: 3, stale: 2, aborted: 2 });
    expect(loggedReport.vaults.flatMap((v) => v.staleUploads.map((u) => u.uploadId)).sort()).toEqual([
      'a1',
      'b1',
    ]);
    // The aborts happened; only a published report counts as a completed run.
    expect(abortedIds()).toEqual(['a1', 'b1']);
    expect(runsCompleted()).toEqual([]);
  });

  it('notify=findings publishes nothing when nothing is stale, failed or anomalous', async () => {
    setup({ params: { vaults: 'alpha', action: 'abort', notify: 'findings' } });
    serveUploads(glacierMock, { alpha: [[fresh('a1')]] });

    const report = await handler({}, fakeContext());

    expect(snsMock).toReceiveCommandTimes(PublishCommand, 0);
    expect(report.totals).toMatchObject({ scanned: 1, stale: 0 });
    expect(runsCompleted()).toEqual([1]);
  });

  it('notify=always publishes a quiet run too', async () => {
    setup({ params: { vaults: 'alpha', action: 'abort', notify: 'always' } });
    serveUploads(glacierMock, { alpha: [[fresh('a1')]] });

    await handler({}, fakeContext());

    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
    expect(publishes()[0]?.MessageAttributes?.kind?.StringValue).toBe('report');
  });

  it('publishes a MessageStructure json body whose sqs entry parses to the returned report', async () => {
    setup({ params: { vaults: 'alpha,beta=3d', action: 'abort' } });
    serveUploads(glacierMock, { alpha: [[stale('a1', 'nightly'), fresh('a2')]], beta: [[stale('b1')]] });

    const report = await handler({}, fakeContext());

    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
    const input = publishes()[0];
    expect(input?.MessageStructure).toBe('json');
    expect(input?.Subject?.length).toBeLessThan(100);
    const body = JSON.parse(input?.Message ?? '') as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    expect(body.default).toBe(body.email);
    expect(body.email).toContain('alpha');
    expect(body.lambda).toBe(body.sqs);
    expect(body.https).toBe(body.sqs);
    expect(JSON.parse(body.sqs ?? '')).toEqual(report);
    expect(report).toMatchObject({
      runId: 'run-1',
      region: REGION,
      startedAt: new Date(NOW_MS).toISOString(),
    });
  });
});

describe('handler: time budget', () => {
  it('stops listing when the budget runs out: vaults incomplete, report still published and returned', async () => {
    // 100 s left → the deadline is 80 s away, and listing stops at 70 % of that (56 s); each listing
    // call takes 30 s of the fake clock.
    let now = NOW_MS;
    setup({ params: { vaults: 'alpha,beta', action: 'report' }, clock: () => now });
    const pages = (v: string) => [[stale(`${v}1`)], [stale(`${v}2`)], [stale(`${v}3`)], [stale(`${v}4`)]];
    serveUploads(glacierMock, { alpha: pages('a'), beta: pages('b') }, () => {
      now += 30_000;
    });
    let remaining = 100_000;
    const context = fakeContext(() => remaining);

    const report = await handler({}, context);
    remaining = 0;

    // Both vaults start inside the listing time (one page each, 4 available); the clock is then past it.
    expect(glacierMock).toReceiveCommandTimes(ListMultipartUploadsCommand, 2);
    for (const v of report.vaults) {
      expect(v).toMatchObject({
        complete: false,
        planComplete: false,
        error: null,
        scanned: 1,
        stale: 1,
        reported: 1,
      });
    }
    expect(report).toMatchObject({ complete: false, planComplete: false });
    expect(report.totals.scanned).toBeGreaterThan(0);
    expectOutcomeSums(report);
    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
    const body = JSON.parse(publishes()[0]?.Message ?? '') as { sqs: string };
    expect((JSON.parse(body.sqs) as SweepReport).complete).toBe(false);
  });

  it('reports, without aborting, the stale uploads whose abort would start past the deadline', async () => {
    // 100 s left → deadline 80 s away; one abort at a time, each taking 60 s of the fake clock.
    let now = NOW_MS;
    setup({
      params: { vaults: 'alpha', action: 'abort' },
      env: { SWEEPER_ABORT_CONCURRENCY: '1' },
      clock: () => now,
      onAbort: () => {
        now += 60_000;
      },
    });
    serveUploads(glacierMock, { alpha: [[stale('a1'), stale('a2'), stale('a3')]] });

    const report = await handler(
      {},
      fakeContext(() => 100_000),
    );

    expect(abortedIds()).toEqual(['a1', 'a2']);
    expect(vaultOf(report, 'alpha')).toMatchObject({ complete: true, stale: 3, aborted: 2, reported: 1 });
    expect(outcomeOf(report, 'alpha', 'a3')).toBe('reported');
    expectOutcomeSums(report);
    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
  });

  it('with no time left lists nothing and aborts nothing, and still publishes', async () => {
    setup({ params: { vaults: 'alpha', action: 'abort' } });
    serveUploads(glacierMock, { alpha: [[stale('a1')]] });

    const report = await handler(
      {},
      fakeContext(() => 1_000),
    );

    expect(glacierMock).toReceiveCommandTimes(ListMultipartUploadsCommand, 0);
    expect(glacierMock).toReceiveCommandTimes(AbortMultipartUploadCommand, 0);
    expect(vaultOf(report, 'alpha').complete).toBe(false);
    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
  });
});
