import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type ClientOptions, clientConfig } from './clients';
import { SpokeAccess } from './spoke';

/** The hub's clients: its own services in its own region, and the way into the targets. */
export interface FleetClients {
  readonly ssm: SSMClient;
  readonly sns: SNSClient;
  readonly s3: S3Client;
  readonly organizations: OrganizationsClient;
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  readonly spokes: SpokeAccess;
}

export interface FleetClientOptions extends ClientOptions {
  readonly partition?: string;
  /** Path-style S3 addressing: what a local emulator needs. @default true when an endpoint override is set */
  readonly s3PathStyle?: boolean;
}

/** Built once per container, never at import time; the SDK creates connections lazily. */
export function createFleetClients(
  options: FleetClientOptions = {},
  env: Record<string, string | undefined> = process.env,
): FleetClients {
  const config = clientConfig(options);
  const overridden = options.endpoint !== undefined || !!env.AWS_ENDPOINT_URL_S3 || !!env.AWS_ENDPOINT_URL;
  return {
    ssm: new SSMClient(config),
    sns: new SNSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: options.s3PathStyle ?? overridden }),
    organizations: new OrganizationsClient(config),
    sfn: new SFNClient(config),
    dynamodb: new DynamoDBClient(config),
    spokes: new SpokeAccess({
      ...(options.partition === undefined ? {} : { partition: options.partition }),
      client: withoutRegion(options),
    }),
  };
}

function withoutRegion({ region: _region, ...rest }: ClientOptions): Omit<ClientOptions, 'region'> {
  return rest;
}
