import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { GlacierSweeperProps } from '../../infra/constructs/glacier-sweeper';
import { flattenReference } from '../../infra/constructs/nag';
import { GlacierSweeperStack } from '../../infra/sweeper-stack';

/** Skips esbuild: only the bundling test pays for it. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

export const ENV = { account: '123456789012', region: 'eu-west-1' } as const;

/**
 * CDK's built-in CloudFormation validation compiles a WebAssembly engine on first use (about 12 s
 * here); the app-level tests keep it, template assertions do without.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...NO_BUNDLING, ...context }, builtinCloudFormationValidation: false });
}

export function sweeperStack(props?: GlacierSweeperProps, env: { account?: string; region?: string } = ENV) {
  const app = testApp();
  return new GlacierSweeperStack(app, 'Test', { env, sweeper: props });
}

export function synth(props?: GlacierSweeperProps, env?: { account?: string; region?: string }) {
  const stack = sweeperStack(props, env);
  return { stack, template: Template.fromStack(stack) };
}

export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as Parameters<Stack['getLogicalId']>[0]);
}

export interface FlatStatement {
  sid: string | undefined;
  effect: string;
  actions: string[];
  resources: string[];
  /** Operator → key → flattened value(s); absent when the statement has none. */
  conditions?: Record<string, Record<string, string | string[]>>;
  /** Resource and trust policies only: `*` or service/AWS → flattened value(s). */
  principal?: string | Record<string, string | string[]>;
}

const isIntrinsic = (value: object) =>
  Object.keys(value).length === 1 && /^(Ref|Fn::)/.test(Object.keys(value)[0] ?? '');

/** Flattens every reference inside a Condition or Principal block, keeping its shape. */
function flattenConditions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flattenConditions);
  if (typeof value === 'object' && value !== null && !isIntrinsic(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, flattenConditions(inner)]));
  }
  return flattenReference(value);
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * A policy's statements with references flattened (`<Topic>`, `<Key.Arn>`, `<AWS::AccountId>`) and
 * actions/resources sorted, so a test can compare the whole list with toEqual.
 */
export function flatStatements(document: { Statement: Record<string, unknown>[] }): FlatStatement[] {
  const statements = document.Statement.map((statement) => ({
    sid: statement.Sid as string | undefined,
    effect: statement.Effect as string,
    actions: asList(statement.Action as string | string[]).sort(),
    resources: asList(statement.Resource).map(flattenReference).sort(),
    conditions:
      statement.Condition === undefined
        ? undefined
        : (flattenConditions(statement.Condition) as FlatStatement['conditions']),
    principal:
      statement.Principal === undefined
        ? undefined
        : (flattenConditions(statement.Principal) as FlatStatement['principal']),
  }));
  return sortStatements(statements);
}

/** Statements in one order whatever order their fields were written in, so lists compare with toEqual. */
export function sortStatements(statements: readonly FlatStatement[]): FlatStatement[] {
  const canonical = (s: FlatStatement): FlatStatement => ({
    sid: s.sid,
    effect: s.effect,
    actions: s.actions,
    resources: s.resources,
    conditions: s.conditions,
    principal: s.principal,
  });
  return statements.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Statements of every AWS::IAM::Policy attached to `roleLogicalId`, together. */
export function rolePolicy(template: Template, roleLogicalId: string): FlatStatement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(`"${roleLogicalId}"`),
  );
  if (policies.length === 0) throw new Error(`no policy on ${roleLogicalId}`);
  return flatStatements({
    Statement: policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement),
  });
}

/** The acknowledgements recorded on `construct` (not its children): rule id → reason. */
export function acknowledgements(construct: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of construct.node.metadata) {
    if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
      Object.assign(found, entry.data as Record<string, string>);
    }
  }
  return found;
}

/**
 * Every policy document anywhere in the template (identity, trust and resource policies alike:
 * whatever holds a `Statement` list), keyed by `<logical id>.<property path>`.
 */
export function allPolicyDocuments(template: Template): Record<string, FlatStatement[]> {
  const found: Record<string, FlatStatement[]> = {};
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`);
    } else if (typeof value === 'object' && value !== null) {
      const node = value as Record<string, unknown>;
      if (Array.isArray(node.Statement)) {
        found[path] = flatStatements(node as { Statement: Record<string, unknown>[] });
        return;
      }
      for (const [key, inner] of Object.entries(node)) walk(inner, `${path}.${key}`);
    }
  };
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, unknown>)) {
    walk((resource as { Properties?: unknown }).Properties, id);
  }
  return found;
}
