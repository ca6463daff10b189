import { ENV } from './defaults';
import { ConfigError, quote } from './settings';
import type { VaultTarget } from './types';

/**
 * The vault pattern as the sweep needs it: a yes/no per vault name. Structural on purpose, so that
 * whichever engine compiled the pattern serves.
 */
export interface VaultNameTest {
  test(name: string): boolean;
}

/** How an entry point names the pattern and the vault list, for the error a mismatch raises. */
export interface VaultScopeNames {
  /** The setting holding the pattern: `SWEEPER_VAULT_PATTERN`, `--vault-pattern`. */
  readonly pattern: string;
  /** The pattern as the operator wrote it. */
  readonly text: string;
  /** The setting naming the vaults: `/glacier-sweeper/vaults`, `--vault`. */
  readonly vaults: string;
}

/**
 * The pattern narrows `*` and also guards vaults named explicitly: the function's IAM grant may be
 * narrowed to the pattern, and a vault outside it must never be swept on a grant that happens to be
 * broader. A named vault outside the pattern is a configuration error, raised before any request,
 * for every configured vault (also those a manual invocation leaves out).
 */
export function checkVaultScope(
  vaults: '*' | readonly VaultTarget[],
  pattern: VaultNameTest | undefined,
  names: VaultScopeNames | undefined,
): void {
  if (pattern === undefined || vaults === '*') return;
  for (const { name } of vaults) {
    if (pattern.test(name)) continue;
    const setting = names?.vaults ?? 'vaults';
    const patternSetting = names?.pattern ?? ENV.vaultPattern;
    const shown = quote(names?.text ?? String(pattern));
    throw new ConfigError(
      setting,
      `${setting}: vault ${quote(name)} does not match ${patternSetting} = ${shown}: a vault outside the pattern is never swept (the IAM grant may be narrowed to it); remove the vault or widen the pattern`,
    );
  }
}
