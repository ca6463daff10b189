import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TRANSIENT_LAMBDA_ERRORS } from '../../../infra/constructs/fleet-state-machine';
import { synthesizeFleet } from '../../../local/fleet/synth';

// aws-local-stepfunctions ignores ItemReader, ResultWriter and tolerated failures: what it cannot
// show, this checks on the synthesized definition itself.
const validator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

type State = Record<string, unknown> & { Type: string };
const { definition } = synthesizeFleet();

function allStates(node: unknown, out: [string, State][] = []): [string, State][] {
  const states = (node as { States?: Record<string, State> }).States ?? {};
  for (const [name, state] of Object.entries(states)) {
    out.push([name, state]);
    if (state.ItemProcessor) allStates(state.ItemProcessor, out);
  }
  return out;
}
const states = allStates(definition);
const byName = Object.fromEntries(states);

describe('the synthesized fleet definition', () => {
  it('passes asl-validator', () => {
    const { isValid, errors } = validator(definition);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('has the shape Plan → Survey → Select → Act → Report', () => {
    expect((definition as { StartAt: string }).StartAt).toBe('Plan');
    for (const name of [
      'Plan',
      'AnotherRunRunning',
      'OverlappingRun',
      'Survey',
      'Resolve',
      'SurveyBatches',
      'Vaults',
      'SweepVault',
      'MoreUploads',
      'RecordVaultError',
      'RecordTargetError',
      'Select',
      'Act',
      'ActOnPicks',
      'MorePicks',
      'RecordActError',
      'Report',
    ])
      expect(byName[name], name).toBeDefined();
  });

  it('runs the Distributed Maps as STANDARD children, tolerating every failure, results discarded', () => {
    for (const name of ['Survey', 'SurveyBatches', 'Act']) {
      const map = byName[name] as State & {
        ItemProcessor: { ProcessorConfig: unknown };
        ResultPath: unknown;
      };
      expect(map.ItemProcessor.ProcessorConfig, name).toEqual({
        Mode: 'DISTRIBUTED',
        ExecutionType: 'STANDARD',
      });
      expect(map.ToleratedFailurePercentage, name).toBe(100);
      expect(map.ResultPath, name).toBeNull();
      expect(map).not.toHaveProperty('ResultWriter');
    }
    expect((byName.Vaults as unknown as { ResultPath: unknown }).ResultPath).toBeNull();
  });

  it('retries every Lambda task on the transient Lambda errors with jitter, with a timeout', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    expect(tasks).toHaveLength(9);
    for (const [name, task] of tasks) {
      expect(task.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(task.Retry, name).toEqual([
        expect.objectContaining({ ErrorEquals: TRANSIENT_LAMBDA_ERRORS, JitterStrategy: 'FULL' }),
      ]);
    }
    expect((byName.Select as unknown as { Catch: unknown }).Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.selectFailure', Next: 'Report' },
    ]);
    for (const name of ['Resolve', 'SweepVault', 'ActOnPicks'])
      expect((byName[name] as unknown as { Catch: unknown }).Catch, name).toEqual([
        expect.objectContaining({ ErrorEquals: ['States.ALL'], ResultPath: '$.failure' }),
      ]);
  });

  it('never uses "IsNull": false (the local engine never matches it): loops test Not IsNull', () => {
    expect(JSON.stringify(definition)).not.toMatch(/"IsNull":\s*false/);
    for (const [name, path] of [
      ['MoreUploads', '$.marker'],
      ['MorePicks', '$.cursor'],
    ] as const)
      expect((byName[name] as unknown as { Choices: unknown[] }).Choices[0], name).toMatchObject({
        Not: { Variable: path, IsNull: true },
      });
  });
});
