import 'aws-sdk-client-mock-vitest/extend';
import { GlacierClient, ListPartsCommand } from '@aws-sdk/client-glacier';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../lambda/adapters/clients';
import { parseVaultMetrics } from '../../lambda/config';
import { ENV } from '../../lambda/core/defaults';
import { ConfigError } from '../../lambda/core/settings';
import { handler, setDependencies } from '../../lambda/handler';
import {
  capturedMetrics,
  fakeContext,
  NOW_MS,
  REGION,
  recordingLogger,
  serveParameters,
  serveUploads,
  stale,
  TOPIC_ARN,
} from './helpers/mock-aws';

const glacierMock = mockClient(GlacierClient);
const snsMock = mockClient(SNSClient);
const ssmMock = mockClient(SSMClient);

let capture: ReturnType<typeof capturedMetrics>;

/** The handler over mocked clients, two vaults with one stale upload each, and this environment. */
function setup(env: Record<string, string>): void {
  serveParameters(ssmMock, { vaults: 'alpha,beta' });
  serveUploads(glacierMock, { alpha: [[stale('a1')]], beta: [[stale('b1')]] });
  glacierMock.on(ListPartsCommand).resolves({ Parts: [] });
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  setDependencies({
    clients: createClients({ region: REGION }),
    logger: recordingLogger(),
    metrics: capture.metrics,
    env: { AWS_REGION: REGION, SWEEPER_TOPIC_ARN: TOPIC_ARN, ...env },
    clock: () => NOW_MS,
    newRunId: () => 'run-1',
  });
}

const dimensionsOfEachLine = () =>
  capture
    .lines()
    .map((line) => line._aws.CloudWatchMetrics.flatMap((directive) => directive.Dimensions.flat()));

beforeEach(() => {
  glacierMock.reset();
  snsMock.reset();
  ssmMock.reset();
  capture = capturedMetrics();
});

afterEach(() => {
  setDependencies(undefined);
  capture.restore();
});

describe('SWEEPER_VAULT_METRICS', () => {
  it('is named in the contract module', () => {
    expect(ENV.vaultMetrics).toBe('SWEEPER_VAULT_METRICS');
  });

  it.each([
    [undefined, false],
    ['', false],
    ['off', false],
    ['on', true],
    [' on ', true],
  ])('reads %o as %s', (value, expected) => {
    expect(parseVaultMetrics(value === undefined ? {} : { SWEEPER_VAULT_METRICS: value })).toBe(expected);
  });

  it.each(['ON', 'true', '1', 'yes'])(
    'refuses %o with a ConfigError naming the variable and the value',
    (value) => {
      expect(() => parseVaultMetrics({ SWEEPER_VAULT_METRICS: value })).toThrow(ConfigError);
      expect(() => parseVaultMetrics({ SWEEPER_VAULT_METRICS: value })).toThrow(
        `SWEEPER_VAULT_METRICS = "${value}": must be one of on, off`,
      );
    },
  );

  it('unset: the run emits the run totals only', async () => {
    setup({});
    await handler({}, fakeContext());
    expect(dimensionsOfEachLine()).toEqual([[]]);
  });

  it('on: the run emits one line per vault (dimension Vault) before the run totals', async () => {
    setup({ SWEEPER_VAULT_METRICS: 'on' });
    await handler({}, fakeContext());
    expect(dimensionsOfEachLine()).toEqual([['Vault'], ['Vault'], []]);
    expect(capture.lines().map((line) => line.Vault)).toEqual(['alpha', 'beta', undefined]);
  });

  it('a bad value fails the invocation before any vault is touched, with one alert naming it', async () => {
    setup({ SWEEPER_VAULT_METRICS: 'enabled' });

    const error = await handler({}, fakeContext()).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('SWEEPER_VAULT_METRICS');
    expect((error as ConfigError).message).toContain('"enabled"');
    expect(glacierMock.calls()).toHaveLength(0);
    expect(ssmMock).toReceiveCommandTimes(GetParametersCommand, 0);
    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message).toContain('SWEEPER_VAULT_METRICS');
    expect(capture.lines()).toEqual([]);
  });
});
