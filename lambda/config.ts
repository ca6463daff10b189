import type { SSMClient } from '@aws-sdk/client-ssm';
import { readSettings } from './adapters/ssm';
import { ENV } from './core/defaults';
import {
  ConfigError,
  parseRuntimeEnv,
  parseSettings,
  quote,
  type RuntimeEnv,
  ssmNames,
} from './core/settings';
import { errorSummary } from './core/sweep';
import type { SweepSettings } from './core/types';

export interface LoadedConfig {
  readonly runtime: RuntimeEnv;
  readonly settings: SweepSettings;
}

/**
 * The one fail-fast config reader: the function's environment, then every SSM parameter in one call,
 * all validated before any vault is touched. Throws ConfigError naming the setting and the value.
 */
export async function loadConfig(
  env: Record<string, string | undefined>,
  ssm: SSMClient,
): Promise<LoadedConfig> {
  const runtime = parseRuntimeEnv(env);
  let raw: Awaited<ReturnType<typeof readSettings>>;
  try {
    raw = await readSettings(ssm, runtime.ssmPrefix);
  } catch (error) {
    const setting = `${runtime.ssmPrefix}/*`;
    throw new ConfigError(
      setting,
      `could not read the SSM parameters under ${runtime.ssmPrefix}: ${errorSummary(error)}`,
    );
  }
  const names = ssmNames(runtime.ssmPrefix);
  const settings = parseSettings(raw, names);
  if (settings.quietPeriod !== undefined && runtime.stateTable === undefined) {
    const setting = names.name('quietPeriod');
    throw new ConfigError(
      setting,
      `${setting} = ${quote(settings.quietPeriod.text)}: needs the upload history table, but ${ENV.stateTable} is not set (deploy the stack's state table, or delete the parameter)`,
    );
  }
  return { runtime, settings };
}
