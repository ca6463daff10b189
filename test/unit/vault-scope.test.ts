import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambda/core/settings';
import { checkVaultScope } from '../../lambda/core/vault-scope';
import { pattern } from './helpers/patterns';

const DAY = 86_400_000;
const targets = (...names: string[]) =>
  names.map((name) => ({ name, olderThan: { text: '7d', ms: 7 * DAY } }));

function thrown(fn: () => void): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError was thrown');
}

describe('checkVaultScope', () => {
  it('lets every vault through without a pattern, and * through with one (ListVaults is filtered instead)', () => {
    expect(() => checkVaultScope(targets('anything'), undefined, undefined)).not.toThrow();
    expect(() => checkVaultScope('*', pattern('^backup-'), undefined)).not.toThrow();
    expect(() =>
      checkVaultScope(targets('backup-1', 'backup-2'), pattern('^backup-'), undefined),
    ).not.toThrow();
  });

  it('names the contract setting and variable when the caller gives no names of its own', () => {
    const error = thrown(() =>
      checkVaultScope(targets('backup-1', 'prod-db'), pattern('^backup-'), undefined),
    );
    expect(error.setting).toBe('vaults');
    expect(error.message).toBe(
      'vaults: vault "prod-db" does not match SWEEPER_VAULT_PATTERN = "^backup-": a vault outside the pattern is never swept (the IAM grant may be narrowed to it); remove the vault or widen the pattern',
    );
  });

  it("names the caller's settings and shows the pattern as the operator wrote it", () => {
    const error = thrown(() =>
      checkVaultScope(targets('prod-db'), pattern('^backup-'), {
        pattern: '--vault-pattern',
        text: '^backup-',
        vaults: '--vault',
      }),
    );
    expect(error.setting).toBe('--vault');
    expect(error.message).toMatch(/^--vault: vault "prod-db" does not match --vault-pattern = "\^backup-": /);
  });
});
