import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { classifyAccessError } from '../../../lambda/adapters/spoke';
import { named } from '../helpers/mock-aws';

describe('the STS endpoint the spoke role is assumed through', () => {
  it.each([
    ['eu-west-1', 'sts.eu-west-1.amazonaws.com'],
    ['us-east-1', 'sts.us-east-1.amazonaws.com'],
    ['ap-east-1', 'sts.ap-east-1.amazonaws.com'],
  ])('is regional in %s (SDK v3 default), never the global one', async (region, host) => {
    const seen: string[] = [];
    const client = new STSClient({
      region,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: {
        handle: async (request: { hostname: string }) => {
          seen.push(request.hostname);
          throw new Error('stop here');
        },
      } as never,
      maxAttempts: 1,
    });
    await expect(
      client.send(
        new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/x', RoleSessionName: 'ab' }),
      ),
    ).rejects.toThrow('stop here');
    expect(seen).toEqual([host]);
  });
});

describe('classifyAccessError', () => {
  it.each([
    ['AccessDenied', 'no-spoke'],
    ['RegionDisabledException', 'region-not-enabled'],
    ['UnrecognizedClientException', 'region-not-enabled'],
    ['InvalidClientTokenId', 'region-not-enabled'],
    ['ThrottlingException', undefined],
  ])('%s → %s', (name, problem) => {
    expect(classifyAccessError(named(name, 'x'))).toBe(problem);
  });
});
