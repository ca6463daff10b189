import { ConfigError, isValidVaultName, quote } from './settings';
import type { SweepSettings } from './types';

/** What a manual invocation asked for. A scheduled event asks for nothing. */
export interface RunRequest {
  readonly forceReport: boolean;
  readonly onlyVaults: readonly string[] | undefined;
  /** Things the caller asked for that were ignored on purpose (logged as warnings). */
  readonly warnings: readonly string[];
}

const NOTHING: RunRequest = { forceReport: false, onlyVaults: undefined, warnings: [] };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** EventBridge rules and Scheduler's templated targets send events with these fields. */
function isScheduledEvent(event: Record<string, unknown>): boolean {
  return 'detail-type' in event || event.source === 'aws.events' || event.source === 'aws.scheduler';
}

/**
 * Reads a manual invocation's `{"action":"report"}` and `{"vaults":["a"]}`. An event can only narrow a
 * run: `"abort"` is ignored with a warning, and a vault not configured is a configuration error.
 */
export function parseRunRequest(event: unknown, settings: SweepSettings): RunRequest {
  if (!isRecord(event) || isScheduledEvent(event)) return NOTHING;
  const warnings: string[] = [];
  let forceReport = false;
  if (event.action !== undefined) {
    if (event.action === 'report') forceReport = true;
    else if (event.action === 'abort')
      warnings.push('event action "abort" ignored: an event never escalates; set the action parameter');
    else
      throw new ConfigError(
        'event.action',
        `event.action = ${quote(JSON.stringify(event.action) ?? '')}: must be "report"`,
      );
  }
  let onlyVaults: string[] | undefined;
  if (event.vaults !== undefined) {
    const value = event.vaults;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      !value.every((v): v is string => typeof v === 'string')
    ) {
      throw new ConfigError(
        'event.vaults',
        `event.vaults = ${quote(JSON.stringify(value) ?? '')}: must be a non-empty array of vault names`,
      );
    }
    for (const name of value) {
      const configured =
        settings.vaults === '*' ? isValidVaultName(name) : settings.vaults.some((t) => t.name === name);
      if (!configured) {
        throw new ConfigError(
          'event.vaults',
          `event.vaults: ${quote(name)} is not one of the configured vaults`,
        );
      }
    }
    onlyVaults = [...new Set(value)];
  }
  for (const key of Object.keys(event)) {
    if (key !== 'action' && key !== 'vaults') warnings.push(`event field ${quote(key)} ignored`);
  }
  return { forceReport, onlyVaults, warnings };
}
