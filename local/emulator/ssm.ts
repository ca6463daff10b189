import { type Reply, ServiceError } from './errors';
import type { HttpCall } from './http-call';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: Date;
}

const TYPES = new Set<string>(['String', 'StringList', 'SecureString']);

function validation(message: string): ServiceError {
  return new ServiceError(400, 'ValidationException', message);
}

export class SsmState {
  readonly parameters = new Map<string, StoredParameter>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  put(name: string, type: string | undefined, value: string, overwrite: boolean): StoredParameter {
    if (name.length === 0 || name.length > 2048) throw validation(`Invalid parameter name: ${name}`);
    const existing = this.parameters.get(name);
    if (existing !== undefined && !overwrite) {
      throw new ServiceError(
        400,
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const resolvedType = type ?? existing?.type;
    if (resolvedType === undefined || !TYPES.has(resolvedType)) {
      throw validation(`Invalid or missing parameter type: ${type ?? '(none)'}`);
    }
    const parameter: StoredParameter = {
      name,
      type: resolvedType as ParameterType,
      value,
      version: (existing?.version ?? 0) + 1,
      lastModified: new Date(),
    };
    this.parameters.set(name, parameter);
    return parameter;
  }

  clear(): void {
    this.parameters.clear();
  }

  arn(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
  }
}

/** The operation named by `x-amz-target: AmazonSSM.X`. */
export function ssmOperation(target: string): string {
  return target.slice('AmazonSSM.'.length);
}

function reply(body: unknown, requestId: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  };
}

function view(state: SsmState, parameter: StoredParameter, decrypt: boolean) {
  const hidden = parameter.type === 'SecureString' && !decrypt;
  return {
    ARN: state.arn(parameter.name),
    DataType: 'text',
    LastModifiedDate: parameter.lastModified.getTime() / 1000,
    Name: parameter.name,
    Type: parameter.type,
    // Without decryption the service returns ciphertext; any opaque blob serves callers equally.
    Value: hidden ? `AQICAH${Buffer.from(parameter.value).toString('base64')}` : parameter.value,
    Version: parameter.version,
  };
}

function stringField(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string') throw validation(`1 validation error detected: ${name} must not be null`);
  return value;
}

export function handleSsm(state: SsmState, operation: string, call: HttpCall): Reply {
  let input: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(call.body.toString('utf8') || '{}');
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    input = parsed as Record<string, unknown>;
  } catch {
    throw new ServiceError(400, 'SerializationException', 'Request body is not a JSON object');
  }
  const decrypt = input.WithDecryption === true;
  switch (operation) {
    case 'PutParameter': {
      const type = input.Type;
      const parameter = state.put(
        stringField(input, 'Name'),
        typeof type === 'string' ? type : undefined,
        stringField(input, 'Value'),
        input.Overwrite === true,
      );
      return reply({ Tier: 'Standard', Version: parameter.version }, call.requestId);
    }
    case 'GetParameter': {
      const parameter = state.parameters.get(stringField(input, 'Name'));
      if (parameter === undefined) throw new ServiceError(400, 'ParameterNotFound', '');
      return reply({ Parameter: view(state, parameter, decrypt) }, call.requestId);
    }
    case 'GetParameters': {
      const names = input.Names;
      if (
        !Array.isArray(names) ||
        names.length < 1 ||
        names.length > 10 ||
        names.some((n) => typeof n !== 'string')
      ) {
        throw validation(
          `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10`,
        );
      }
      const unique = [...new Set(names as string[])];
      return reply(
        {
          InvalidParameters: unique.filter((name) => !state.parameters.has(name)),
          Parameters: unique.flatMap((name) => {
            const parameter = state.parameters.get(name);
            return parameter === undefined ? [] : [view(state, parameter, decrypt)];
          }),
        },
        call.requestId,
      );
    }
    case 'GetParametersByPath':
      return byPath(state, input, decrypt, call.requestId);
    case 'DeleteParameter': {
      const name = stringField(input, 'Name');
      if (!state.parameters.delete(name)) throw new ServiceError(400, 'ParameterNotFound', '');
      return reply({}, call.requestId);
    }
    default:
      throw new ServiceError(400, 'InvalidAction', `${operation} is not emulated`);
  }
}

function byPath(state: SsmState, input: Record<string, unknown>, decrypt: boolean, requestId: string): Reply {
  const path = stringField(input, 'Path');
  if (!path.startsWith('/')) throw validation(`Invalid path: ${path}`);
  const maxResults = input.MaxResults ?? 10;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10) {
    throw validation('MaxResults must be between 1 and 10');
  }
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const recursive = input.Recursive === true;
  const names = [...state.parameters.keys()]
    .filter((name) => name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/')))
    .sort();
  let start = 0;
  if (typeof input.NextToken === 'string') {
    const after = Buffer.from(input.NextToken, 'base64url').toString('utf8');
    start = names.findIndex((name) => name > after);
    if (start < 0) start = names.length;
  }
  const page = names.slice(start, start + maxResults);
  const last = page.at(-1);
  return reply(
    {
      NextToken:
        start + maxResults < names.length && last !== undefined
          ? Buffer.from(last, 'utf8').toString('base64url')
          : undefined,
      Parameters: page.map((name) => view(state, state.parameters.get(name) as StoredParameter, decrypt)),
    },
    requestId,
  );
}
