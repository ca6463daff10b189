import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildFleetApp } from '../../infra/fleet-app';
import { FLEET_STACK_NAME } from '../../lambda/fleet/names';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type StepName = 'plan' | 'resolve' | 'sweep-vault' | 'select' | 'act' | 'report';

/** What the local run needs of the synthesized hub: the definition, and which task calls which step. */
export interface SynthesizedFleet {
  /** The state machine definition as the template holds it, with each Lambda ARN made a local name. */
  readonly definition: Record<string, unknown>;
  /** Task state name → the step (handler) its function runs. */
  readonly taskSteps: Record<string, StepName>;
  /** The functions' environment as the template sets it (minus references the template resolves at deploy). */
  readonly template: Record<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Synthesizes the app with `-c fleet=true` in this process (bundling skipped) and reads the state
 * machine's DefinitionString back out of the template: the `Fn::Join` is joined with every
 * `Fn::GetAtt` of a function's Arn replaced by `arn:aws:lambda:…:function:<step>`, the step read from
 * the function's SWEEPER_FLEET_STEP variable. Nothing here is a hand-written copy of the definition.
 */
export function synthesizeFleet(context: Record<string, string> = {}): SynthesizedFleet {
  const cdkJson = JSON.parse(readFileSync(`${REPO_ROOT}cdk.json`, 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({
    context: {
      ...cdkJson.context,
      fleet: 'true',
      // The spoke stack too, as `cdk synth --all` builds it: its trust names the local hub account.
      organizationId: 'o-a1b2c3d4e5',
      hubAccountId: '123456789012',
      'aws:cdk:bundling-stacks': [],
      ...context,
    },
    outdir: undefined,
  });
  buildFleetApp(app);
  const assembly = app.synth({ validateOnSynthesis: false });
  const template = assembly.getStackByName(FLEET_STACK_NAME).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  };
  const stepOf = new Map<string, StepName>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const env = (resource.Properties.Environment as { Variables?: Record<string, string> } | undefined)
      ?.Variables;
    const step = env?.SWEEPER_FLEET_STEP as StepName | undefined;
    if (step !== undefined) stepOf.set(logicalId, step);
  }
  const machine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machine === undefined) throw new Error('the fleet template has no state machine');
  const joined = resolveJoin(machine.Properties.DefinitionString, stepOf);
  const definition = JSON.parse(joined) as Record<string, unknown>;
  const taskSteps: Record<string, StepName> = {};
  collectTasks(definition, taskSteps);
  return { definition, taskSteps, template: template as unknown as Record<string, unknown> };
}

export const localFunctionArn = (step: string) => `arn:aws:lambda:us-east-1:123456789012:function:${step}`;

function resolveJoin(value: Json | undefined, stepOf: ReadonlyMap<string, StepName>): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const join = value['Fn::Join'] as [string, Json[]] | undefined;
    if (join !== undefined) return join[1].map((part) => resolveJoin(part, stepOf)).join(join[0]);
    const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt !== undefined) {
      const step = stepOf.get(getAtt[0]);
      if (step !== undefined) return localFunctionArn(step);
      return `local:${getAtt.join('.')}`;
    }
    if (typeof value.Ref === 'string')
      return value.Ref === 'AWS::Partition'
        ? 'aws'
        : value.Ref === 'AWS::Region'
          ? 'us-east-1'
          : value.Ref === 'AWS::AccountId'
            ? '123456789012'
            : `local-${value.Ref}`;
  }
  throw new Error(`unexpected value in DefinitionString: ${JSON.stringify(value).slice(0, 200)}`);
}

function collectTasks(node: unknown, into: Record<string, StepName>): void {
  if (node === null || typeof node !== 'object') return;
  const states = (node as { States?: Record<string, Record<string, unknown>> }).States;
  for (const [name, state] of Object.entries(states ?? {})) {
    if (state.Type === 'Task' && typeof state.Resource === 'string') {
      const step = /function:([a-z-]+)$/.exec(state.Resource)?.[1];
      if (step !== undefined) into[name] = step as StepName;
    }
    collectTasks(state.ItemProcessor, into);
    collectTasks(state.Iterator, into);
  }
}
