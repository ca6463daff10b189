import 'aws-sdk-client-mock-vitest/extend';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { publish } from '../../../lambda/adapters/sns';

const snsMock = mockClient(SNSClient);
const client = new SNSClient({ region: 'us-east-1' });
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:glacier-sweeper';

beforeEach(() => {
  snsMock.reset();
});

describe('publish', () => {
  it('sends Subject, Message, MessageStructure json and String attributes kind and action', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const message = JSON.stringify({ default: 'text', email: 'text', sqs: '{}', lambda: '{}', https: '{}' });

    const id = await publish(client, TOPIC, {
      subject: 'glacier-sweeper: 3 stale uploads aborted in 1 vault (us-east-1)',
      message,
      messageStructure: 'json',
      attributes: { kind: 'report', action: 'abort' },
    });

    expect(id).toBe('msg-1');
    expect(snsMock).toReceiveCommandTimes(PublishCommand, 1);
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: 'glacier-sweeper: 3 stale uploads aborted in 1 vault (us-east-1)',
      Message: message,
      MessageStructure: 'json',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'report' },
        action: { DataType: 'String', StringValue: 'abort' },
      },
    });
  });

  it('sends a plain-text notification without MessageStructure', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-2' });

    await publish(client, TOPIC, {
      subject: 'glacier-sweeper: configuration error',
      message: 'plain text',
      attributes: { kind: 'alert', action: 'report' },
    });

    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('MessageStructure');
    expect(input).toMatchObject({
      Message: 'plain text',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'alert' },
        action: { DataType: 'String', StringValue: 'report' },
      },
    });
  });

  it('rejects when SNS rejects', async () => {
    snsMock.on(PublishCommand).rejects(new Error('InternalError'));

    await expect(
      publish(client, TOPIC, {
        subject: 's',
        message: 'm',
        attributes: { kind: 'report', action: 'report' },
      }),
    ).rejects.toThrow('InternalError');
  });
});
