export type ServiceName = 'glacier' | 'sns' | 'ssm' | 'sts' | 'organizations' | 's3';

/** What a handler returns; the server writes it as is. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A `content-length` header, if given, wins over the body's (a HEAD answer has no body). */
  body?: string | Buffer;
}

/** An error the emulated service answers with; each protocol renders it in its own format. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Further members of the error shape (Organizations' `Reason`, S3's `Key`). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const SNS_NAMESPACE = 'https://sns.amazonaws.com/doc/2010-03-31/';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The query protocol's error document (SNS, STS). */
function queryError(namespace: string, error: ServiceError, requestId: string): Reply {
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

export function renderError(service: ServiceName, error: ServiceError, requestId: string): Reply {
  switch (service) {
    case 'glacier':
      return {
        status: error.status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify({
          code: error.code,
          message: error.message,
          type: error.status >= 500 ? 'Server' : 'Client',
        }),
      };
    case 'ssm':
      return {
        status: error.status,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: error.code, message: error.message }),
      };
    case 'sns':
      return queryError(SNS_NAMESPACE, error, requestId);
    case 'sts':
      return queryError(STS_NAMESPACE, error, requestId);
    case 'organizations':
      return {
        status: error.status,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: error.code, Message: error.message, ...error.extra }),
      };
    case 's3': {
      const extra = Object.entries(error.extra)
        .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
        .join('');
      return {
        status: error.status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body:
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code>` +
          `<Message>${xmlEscape(error.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`,
      };
    }
  }
}

/** The code each service uses for throttling and for a generic server fault. */
export const DEFAULT_FAULTS: Record<
  ServiceName,
  { throttle: { status: number; code: string }; error: { status: number; code: string } }
> = {
  glacier: {
    throttle: { status: 400, code: 'ThrottlingException' },
    error: { status: 500, code: 'ServiceUnavailableException' },
  },
  // SNS models throttling as `Throttled` with 429 (ThrottledException in the SDK).
  sns: { throttle: { status: 429, code: 'Throttled' }, error: { status: 500, code: 'InternalError' } },
  ssm: {
    throttle: { status: 400, code: 'ThrottlingException' },
    error: { status: 500, code: 'InternalServerError' },
  },
  // STS speaks the query protocol's common errors: `Throttling` (400) and `InternalFailure`.
  sts: { throttle: { status: 400, code: 'Throttling' }, error: { status: 500, code: 'InternalFailure' } },
  // The Organizations model gives TooManyRequestsException 429 and ServiceException 500.
  organizations: {
    throttle: { status: 429, code: 'TooManyRequestsException' },
    error: { status: 500, code: 'ServiceException' },
  },
  s3: { throttle: { status: 503, code: 'SlowDown' }, error: { status: 500, code: 'InternalError' } },
};
