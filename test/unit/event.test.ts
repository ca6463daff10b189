import { describe, expect, it } from 'vitest';
import { parseRunRequest } from '../../lambda/core/event';
import { ConfigError, parseSettings, ssmNames } from '../../lambda/core/settings';

const settings = parseSettings({ vaults: 'alpha,beta=3d' }, ssmNames('/glacier-sweeper'));
const star = parseSettings({ vaults: '*' }, ssmNames('/glacier-sweeper'));

describe('parseRunRequest', () => {
  it.each([
    [
      'an EventBridge rule event',
      { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {}, action: 'report' },
    ],
    ['a Scheduler event', { source: 'aws.scheduler', vaults: ['nope'] }],
    ['an empty object', {}],
    ['null', null],
    ['a string', 'hello'],
  ])('asks for nothing on %s', (_name, event) => {
    expect(parseRunRequest(event, settings)).toEqual({
      forceReport: false,
      onlyVaults: undefined,
      warnings: [],
    });
  });

  it('forces report mode on {"action":"report"}', () => {
    expect(parseRunRequest({ action: 'report' }, settings).forceReport).toBe(true);
  });

  it('never escalates: {"action":"abort"} is ignored with a warning', () => {
    const request = parseRunRequest({ action: 'abort' }, settings);
    expect(request.forceReport).toBe(false);
    expect(request.warnings.join()).toContain('never escalates');
  });

  it('narrows to configured vaults', () => {
    expect(parseRunRequest({ vaults: ['beta', 'beta'] }, settings).onlyVaults).toEqual(['beta']);
  });

  it('with * accepts any valid vault name', () => {
    expect(parseRunRequest({ vaults: ['anything'] }, star).onlyVaults).toEqual(['anything']);
  });

  it('warns about unknown fields', () => {
    expect(parseRunRequest({ dryRun: true }, settings).warnings).toEqual(['event field "dryRun" ignored']);
  });

  it.each<[string, unknown, string, string]>([
    ['action of the wrong type', { action: true }, 'event.action', 'must be "report"'],
    ['an unknown action', { action: 'delete' }, 'event.action', 'delete'],
    ['vaults as a string', { vaults: 'alpha' }, 'event.vaults', 'non-empty array'],
    ['vaults empty', { vaults: [] }, 'event.vaults', 'non-empty array'],
    ['vaults with a number', { vaults: ['alpha', 3] }, 'event.vaults', 'non-empty array'],
    [
      'a vault not configured',
      { vaults: ['alpha', 'gamma'] },
      'event.vaults',
      '"gamma" is not one of the configured vaults',
    ],
  ])('rejects %s', (_name, event, setting, fragment) => {
    expect(() => parseRunRequest(event, settings)).toThrow(ConfigError);
    expect(() => parseRunRequest(event, settings)).toThrow(fragment);
    try {
      parseRunRequest(event, settings);
    } catch (error) {
      expect((error as ConfigError).setting).toBe(setting);
    }
  });

  it('with * rejects an invalid vault name', () => {
    expect(() => parseRunRequest({ vaults: ['bad/name'] }, star)).toThrow(
      '"bad/name" is not one of the configured vaults',
    );
  });
});
