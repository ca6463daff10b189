import { PARAM, type ParamKey } from './defaults';

/**
 * The full SSM name of a contract parameter under `prefix`: `/glacier-sweeper` and `olderThan` give
 * `/glacier-sweeper/older-than`. The function reads, the stack creates and grants, the alert names,
 * and the demo writes exactly these names, so they are built here and nowhere else.
 */
export function ssmParameterName(prefix: string, key: ParamKey): string {
  return `${prefix}/${PARAM[key]}`;
}

/**
 * The contract key a name refers to, whether given in full under `prefix`
 * (`/glacier-sweeper/older-than`) or bare (`older-than`); undefined for any other name.
 */
export function ssmParameterKey(prefix: string, name: string): ParamKey | undefined {
  const keys = Object.keys(PARAM) as ParamKey[];
  return keys.find((key) => name === ssmParameterName(prefix, key) || name === PARAM[key]);
}
