import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface Notification {
  readonly subject: string;
  readonly message: string;
  readonly messageStructure?: 'json';
  readonly attributes: Readonly<Record<string, string>>;
}

/** Publishes one notification; returns the SNS message id. Retries are the client's. */
export async function publish(
  client: SNSClient,
  topicArn: string,
  notification: Notification,
): Promise<string | undefined> {
  const out = await client.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: notification.subject,
      Message: notification.message,
      ...(notification.messageStructure ? { MessageStructure: notification.messageStructure } : {}),
      MessageAttributes: Object.fromEntries(
        Object.entries(notification.attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value },
        ]),
      ),
    }),
  );
  return out.MessageId;
}
