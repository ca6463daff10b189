import { GlacierClient } from '@aws-sdk/client-glacier';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const FAKE_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface ClientOptions {
  /** SDK attempts per call; 1 turns retries off so an injected fault surfaces as is. */
  maxAttempts?: number;
  /**
   * Socket idle timeout in ms, so a hung request fails instead of waiting forever. The handler only
   * logs a warning on timeout unless told to throw.
   */
  requestTimeoutMs?: number;
}

export interface SdkClients {
  glacier: GlacierClient;
  sns: SNSClient;
  ssm: SSMClient;
  destroy(): void;
}

/** Real SDK v3 clients aimed at an emulator (or any endpoint) with fake credentials. */
export function sdkClients(endpoint: string, options: ClientOptions = {}): SdkClients {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.requestTimeoutMs === undefined
      ? {}
      : {
          requestHandler: new NodeHttpHandler({
            requestTimeout: options.requestTimeoutMs,
            throwOnRequestTimeout: true,
          }),
        }),
  };
  const glacier = new GlacierClient(config);
  const sns = new SNSClient(config);
  const ssm = new SSMClient(config);
  return {
    glacier,
    sns,
    ssm,
    destroy: () => {
      glacier.destroy();
      sns.destroy();
      ssm.destroy();
    },
  };
}
