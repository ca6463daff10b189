import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** The Lambda errors Step Functions documents as transient: retried with full jitter, the rest is caught. */
export const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * The steps of a fleet run, each a function of its own (the keys of {@link GlacierSweeperFleet}'s
 * `functions`).
 */
export type FleetStep = 'plan' | 'resolve' | 'sweep-vault' | 'select' | 'act' | 'report';

export interface FleetDefinitionProps {
  readonly functions: Readonly<Record<FleetStep, lambda.IFunction>>;
  /** Targets surveyed (and acted on) at once. */
  readonly maxConcurrency: number;
  /** Vaults of one batch swept at once. */
  readonly vaultConcurrency: number;
  /** Each task's TimeoutSeconds, above its function's timeout. */
  readonly taskTimeouts: Readonly<Record<FleetStep, Duration>>;
}

/**
 * Plan → Survey → Select → Act → Report, declared: no Lambda loops over other Lambdas. Every Lambda
 * task retries Lambda's transient errors with jitter; the per-target and per-vault tasks catch the
 * rest into a target or vault error (a task that records it), so one failure never stops the others.
 * The maps run STANDARD child executions, tolerate every failure, and discard their results
 * (`ResultPath: null`): findings go to S3, the state carries markers, cursors and indices.
 */
export function buildFleetDefinition(scope: Construct, props: FleetDefinitionProps): sfn.IChainable {
  // No payload = the state's whole input (CDK renders TaskInput.fromJsonPathAt('$') as the string "$").
  const invoke = (id: string, step: FleetStep, payload: sfn.TaskInput | undefined, resultPath?: string) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.functions[step],
      ...(payload === undefined ? {} : { payload }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(props.taskTimeouts[step]),
      ...(resultPath === undefined ? {} : { resultPath }),
    });
    task.addRetry({
      errors: TRANSIENT_LAMBDA_ERRORS,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });
    return task;
  };
  const whole = undefined;
  const runOnly = sfn.TaskInput.fromObject({ runId: sfn.JsonPath.stringAt('$.runId') });
  const distributed = (
    id: string,
    itemsPath: string,
    itemSelector: Record<string, unknown>,
    maxConcurrency: number,
  ) =>
    new sfn.DistributedMap(scope, id, {
      itemsPath,
      itemSelector,
      maxConcurrency,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      toleratedFailurePercentage: 100,
      resultPath: sfn.JsonPath.DISCARD,
    });
  const target = {
    runId: sfn.JsonPath.stringAt('$.runId'),
    account: sfn.JsonPath.stringAt('$.account'),
    region: sfn.JsonPath.stringAt('$.region'),
  };

  // Plan
  const plan = invoke(
    'Plan',
    'plan',
    sfn.TaskInput.fromObject({
      executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
      stateMachineArn: sfn.JsonPath.stringAt('$$.StateMachine.Id'),
      startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'),
      input: sfn.JsonPath.objectAt('$'),
    }),
  );

  // Survey, per vault: the worker loop.
  const sweepVault = invoke('SweepVault', 'sweep-vault', whole);
  const recordVaultError = invoke('RecordVaultError', 'sweep-vault', whole);
  sweepVault.addCatch(recordVaultError, { errors: ['States.ALL'], resultPath: '$.failure' });
  const vaultListed = new sfn.Succeed(scope, 'VaultListed');
  sweepVault.next(
    new sfn.Choice(scope, 'MoreUploads')
      .when(sfn.Condition.not(sfn.Condition.isNull('$.marker')), sweepVault)
      .otherwise(vaultListed),
  );
  const vaults = new sfn.Map(scope, 'Vaults', {
    itemsPath: '$.indices',
    itemSelector: { ...target, index: sfn.JsonPath.numberAt('$$.Map.Item.Value') },
    maxConcurrency: props.vaultConcurrency,
    resultPath: sfn.JsonPath.DISCARD,
  });
  vaults.itemProcessor(sweepVault);
  const batches = distributed(
    'SurveyBatches',
    '$.resolved.batches',
    { ...target, indices: sfn.JsonPath.objectAt('$$.Map.Item.Value') },
    1,
  );
  batches.itemProcessor(vaults);

  // Survey, per target.
  const resolve = invoke('Resolve', 'resolve', whole, '$.resolved');
  const recordTargetError = invoke('RecordTargetError', 'resolve', whole, sfn.JsonPath.DISCARD);
  resolve.addCatch(recordTargetError, { errors: ['States.ALL'], resultPath: '$.failure' });
  const survey = distributed(
    'Survey',
    '$.targets',
    {
      runId: sfn.JsonPath.stringAt('$.runId'),
      account: sfn.JsonPath.stringAt('$$.Map.Item.Value.account'),
      region: sfn.JsonPath.stringAt('$$.Map.Item.Value.region'),
    },
    props.maxConcurrency,
  );
  survey.itemProcessor(resolve.next(batches));

  // Select and Act.
  const select = invoke('Select', 'select', runOnly, '$.selected');
  const act = invoke('ActOnPicks', 'act', whole);
  const recordActError = invoke('RecordActError', 'act', whole);
  act.addCatch(recordActError, { errors: ['States.ALL'], resultPath: '$.failure' });
  act.next(
    new sfn.Choice(scope, 'MorePicks')
      .when(sfn.Condition.not(sfn.Condition.isNull('$.cursor')), act)
      .otherwise(new sfn.Succeed(scope, 'PicksDone')),
  );
  const actMap = distributed(
    'Act',
    '$.selected.targets',
    {
      runId: sfn.JsonPath.stringAt('$.runId'),
      account: sfn.JsonPath.stringAt('$$.Map.Item.Value.account'),
      region: sfn.JsonPath.stringAt('$$.Map.Item.Value.region'),
      cursor: 0,
    },
    props.maxConcurrency,
  );
  actMap.itemProcessor(act);

  const report = invoke('Report', 'report', runOnly, '$.report');
  // Select failing (after its retries) aborts nothing: the run goes straight to its report, which
  // finds no selection and says so, instead of failing without one.
  select.addCatch(report, { errors: ['States.ALL'], resultPath: '$.selectFailure' });

  return plan.next(
    new sfn.Choice(scope, 'AnotherRunRunning')
      .when(
        sfn.Condition.stringEquals('$.outcome', 'overlapping-run'),
        new sfn.Succeed(scope, 'OverlappingRun'),
      )
      .otherwise(survey.next(select).next(actMap).next(report)),
  );
}
