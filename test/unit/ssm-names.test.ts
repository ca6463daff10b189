import { describe, expect, it } from 'vitest';
import { PARAM, type ParamKey } from '../../lambda/core/defaults';
import { ssmParameterKey, ssmParameterName } from '../../lambda/core/ssm-names';

describe('ssmParameterName', () => {
  it('puts the contract name of the key under the prefix', () => {
    expect(ssmParameterName('/glacier-sweeper', 'olderThan')).toBe('/glacier-sweeper/older-than');
    expect(ssmParameterName('/team/sweeper', 'maxListParts')).toBe('/team/sweeper/max-list-parts');
  });
});

describe('ssmParameterKey', () => {
  it('finds the key of a full name and of a bare one, for every contract parameter', () => {
    for (const key of Object.keys(PARAM) as ParamKey[]) {
      expect(ssmParameterKey('/p', ssmParameterName('/p', key))).toBe(key);
      expect(ssmParameterKey('/p', PARAM[key])).toBe(key);
    }
  });

  it('knows no other name: another prefix, an env var, an event field, a key spelt as in code', () => {
    expect(ssmParameterKey('/p', '/other/older-than')).toBeUndefined();
    expect(ssmParameterKey('/p', 'SWEEPER_TOPIC_ARN')).toBeUndefined();
    expect(ssmParameterKey('/p', 'event.vaults')).toBeUndefined();
    expect(ssmParameterKey('/p', 'olderThan')).toBeUndefined();
    expect(ssmParameterKey('/p', '/p/')).toBeUndefined();
  });
});
