import type { SSMClient } from '@aws-sdk/client-ssm';
import { readSettings } from './adapters/ssm';
import { DEFAULT_VAULT_METRICS, ENV, VAULT_METRICS_MODES } from './core/defaults';
import { errorSummary } from './core/errors';
import {
  ConfigError,
  parseRuntimeEnv,
  parseSettings,
  quote,
  type RuntimeEnv,
  ssmNames,
} from './core/settings';
import type { SweepSettings } from './core/types';

export interface LoadedConfig {
  readonly runtime: RuntimeEnv;
  readonly settings: SweepSettings;
  /** SWEEPER_VAULT_METRICS = on: emit the per-vault metrics besides the run totals. */
  readonly perVaultMetrics: boolean;
}

/** SWEEPER_VAULT_METRICS: `on` or `off`; unset or empty is the default, anything else a ConfigError. */
export function parseVaultMetrics(env: Record<string, string | undefined>): boolean {
  const raw = env[ENV.vaultMetrics];
  const value = raw === undefined || raw.trim() === '' ? DEFAULT_VAULT_METRICS : raw.trim();
  if (!(VAULT_METRICS_MODES as readonly string[]).includes(value)) {
    throw new ConfigError(
      ENV.vaultMetrics,
      `${ENV.vaultMetrics} = ${quote(raw ?? '')}: must be one of ${VAULT_METRICS_MODES.join(', ')}`,
    );
  }
  return value === 'on';
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
  const perVaultMetrics = parseVaultMetrics(env);
  let raw: Awaited<ReturnType<typeof readSettings>>;
  try {
    raw = await readSettings(ssm, runtime.ssmPrefix);
  } catch (error) {
    const setting = `${runtime.ssmPrefix}/*`;
    throw new ConfigError(
      setting,
      `could not read the SSM parameters under ${runtime.ssmPrefix}: ${errorSummary(error)}`,
      { cause: error },
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
  return { runtime, settings, perVaultMetrics };
}
