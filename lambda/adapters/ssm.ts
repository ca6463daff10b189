import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { PARAM, type ParamKey } from '../core/defaults';
import type { RawSettings } from '../core/settings';
import { ssmParameterName } from '../core/ssm-names';

/**
 * Reads every contract parameter under `prefix` with one GetParameters call. Names SSM does not know
 * come back as InvalidParameters and are simply absent from the result.
 */
export async function readSettings(client: SSMClient, prefix: string): Promise<RawSettings> {
  const keys = Object.keys(PARAM) as ParamKey[];
  const byName = new Map<string, ParamKey>(keys.map((key) => [ssmParameterName(prefix, key), key]));
  const out = await client.send(
    new GetParametersCommand({ Names: [...byName.keys()], WithDecryption: false }),
  );
  const raw: RawSettings = {};
  for (const parameter of out.Parameters ?? []) {
    const key = parameter.Name === undefined ? undefined : byName.get(parameter.Name);
    if (key !== undefined && parameter.Value !== undefined) raw[key] = parameter.Value;
  }
  return raw;
}

/** GetParameters takes at most ten names a call. */
export const GET_PARAMETERS_MAX_NAMES = 10;

/**
 * Reads the named parameters in as few GetParameters calls as their count allows (ten names each: the
 * hub's twelve take two). Returns values by name; an absent parameter is simply missing.
 */
export async function readParameters(
  client: SSMClient,
  names: readonly string[],
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < names.length; i += GET_PARAMETERS_MAX_NAMES) {
    const out = await client.send(
      new GetParametersCommand({
        Names: names.slice(i, i + GET_PARAMETERS_MAX_NAMES),
        WithDecryption: false,
      }),
    );
    for (const parameter of out.Parameters ?? []) {
      if (parameter.Name !== undefined && parameter.Value !== undefined)
        values.set(parameter.Name, parameter.Value);
    }
  }
  return values;
}
