import { randomUUID } from 'node:crypto';
import { type Reply, ServiceError, SNS_NAMESPACE, xmlEscape } from './errors';
import type { HttpCall } from './http-call';

export interface MessageAttribute {
  dataType: string;
  stringValue?: string | undefined;
  binaryValue?: string | undefined;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  message: string;
  subject: string | undefined;
  messageStructure: string | undefined;
  messageAttributes: Record<string, MessageAttribute>;
  /** Attribute name → string value, for quick assertions. */
  attributes: Record<string, string | undefined>;
  /** The parsed message when MessageStructure is json. */
  structured: Record<string, unknown> | undefined;
  time: string;
}

const MAX_MESSAGE_BYTES = 262_144;

function invalidParameter(message: string): ServiceError {
  return new ServiceError(400, 'InvalidParameter', `Invalid parameter: ${message}`);
}

export class SnsState {
  readonly topics = new Map<string, string>();
  readonly messages: PublishedMessage[] = [];

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  createTopic(name: string): string {
    if (!/^[a-zA-Z0-9_-]{1,256}(\.fifo)?$/.test(name)) throw invalidParameter('Topic Name');
    const arn = `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
    this.topics.set(arn, name);
    return arn;
  }

  clear(): void {
    this.topics.clear();
    this.messages.length = 0;
  }
}

/** The Action of a form-encoded query request; the operation name faults and the record use. */
export function snsOperation(body: Buffer): { operation: string; form: URLSearchParams } {
  const form = new URLSearchParams(body.toString('utf8'));
  return { operation: form.get('Action') ?? 'Unknown', form };
}

function readAttributes(form: URLSearchParams): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = form.get(`${prefix}.Name`) as string;
    const dataType = form.get(`${prefix}.Value.DataType`);
    if (dataType === null || !/^(String|Number|Binary|String\.Array)(\..+)?$/.test(dataType)) {
      throw new ServiceError(
        400,
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type`,
      );
    }
    const stringValue = form.get(`${prefix}.Value.StringValue`) ?? undefined;
    const binaryValue = form.get(`${prefix}.Value.BinaryValue`) ?? undefined;
    if (stringValue === undefined && binaryValue === undefined) {
      throw new ServiceError(
        400,
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain a value`,
      );
    }
    attributes[name] = { dataType, stringValue, binaryValue };
  }
  return attributes;
}

function checkSubject(subject: string | undefined): void {
  if (subject === undefined) return;
  if (subject.length === 0) throw invalidParameter('Subject');
  if (subject.length >= 100) throw invalidParameter('Subject');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what SNS rejects
  if (/[\u0000-\u001f\u007f]/.test(subject)) throw invalidParameter('Subject');
}

function parseStructured(message: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  const structured = parsed as Record<string, unknown>;
  if (typeof structured.default !== 'string') {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
  return structured;
}

function xml(action: string, result: string, requestId: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<${action}Response xmlns="${SNS_NAMESPACE}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export function handleSns(state: SnsState, operation: string, form: URLSearchParams, call: HttpCall): Reply {
  switch (operation) {
    case 'CreateTopic': {
      const arn = state.createTopic(form.get('Name') ?? '');
      return xml('CreateTopic', `<TopicArn>${xmlEscape(arn)}</TopicArn>`, call.requestId);
    }
    case 'Publish':
      return publish(state, form, call);
    default:
      throw new ServiceError(400, 'InvalidAction', `The action ${operation} is not valid for this endpoint.`);
  }
}

function publish(state: SnsState, form: URLSearchParams, call: HttpCall): Reply {
  const topicArn = form.get('TopicArn') ?? form.get('TargetArn');
  if (topicArn === null)
    throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  const message = form.get('Message');
  if (message === null || message.length === 0) throw invalidParameter('Empty message');
  const subject = form.get('Subject') ?? undefined;
  checkSubject(subject);
  const messageStructure = form.get('MessageStructure') ?? undefined;
  if (messageStructure !== undefined && messageStructure !== 'json')
    throw invalidParameter('MessageStructure');
  const messageAttributes = readAttributes(form);
  // The limit covers the message and its attributes together.
  let size = Buffer.byteLength(message, 'utf8');
  for (const [name, value] of Object.entries(messageAttributes)) {
    size += Buffer.byteLength(name + value.dataType + (value.stringValue ?? value.binaryValue ?? ''), 'utf8');
  }
  if (size > MAX_MESSAGE_BYTES) {
    throw invalidParameter(`Message too long: ${size} bytes, at most ${MAX_MESSAGE_BYTES}`);
  }
  const structured = messageStructure === 'json' ? parseStructured(message) : undefined;
  if (!state.topics.has(topicArn)) throw new ServiceError(404, 'NotFound', 'Topic does not exist');
  const messageId = randomUUID();
  state.messages.push({
    messageId,
    topicArn,
    message,
    subject,
    messageStructure,
    messageAttributes,
    attributes: Object.fromEntries(
      Object.entries(messageAttributes).map(([name, value]) => [name, value.stringValue]),
    ),
    structured,
    time: new Date().toISOString(),
  });
  return xml('Publish', `<MessageId>${messageId}</MessageId>`, call.requestId);
}
