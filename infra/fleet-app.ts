import { Annotations, type App, Aws, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { FLEET_STACK_NAME } from '../lambda/fleet/names';
import { GlacierSweeperFleet, type GlacierSweeperFleetProps } from './constructs/glacier-sweeper-fleet';
import { invalidProp } from './constructs/resolve-props';
import { addSpokeStackSet } from './constructs/spoke-stack-set';
import { flag, list, PROP_KEYS, rejectUnknownKeys, text } from './context';
import { buildSpokeStack } from './spoke-stack';

export interface FleetStackProps extends StackProps {
  readonly fleet: GlacierSweeperFleetProps;
  /** When set, the hub stack also holds the service-managed StackSet of spokes. */
  readonly spokeStackSet?: { organizationId: string; organizationalUnitIds: string[]; region: string };
}

/** The hub stack: the fleet construct and the outputs an operator needs. */
export class GlacierSweeperFleetStack extends Stack {
  readonly fleet: GlacierSweeperFleet;

  constructor(scope: Construct, id: string, props: FleetStackProps) {
    super(scope, id, {
      description: "glacier-sweeper fleet hub: sweeps an Organization's accounts × regions on Step Functions",
      ...props,
    });
    this.fleet = new GlacierSweeperFleet(this, 'GlacierSweeperFleet', props.fleet);
    if (props.spokeStackSet !== undefined) {
      addSpokeStackSet(this, {
        // The account this stack deploys into is the hub, whatever the synth knew: resolved at deploy,
        // handed to every spoke by the StackSet's Parameters.
        hubAccountId: Aws.ACCOUNT_ID,
        organizationId: props.spokeStackSet.organizationId,
        organizationalUnitIds: props.spokeStackSet.organizationalUnitIds,
        region: props.spokeStackSet.region,
      });
    }
    new CfnOutput(this, 'StateMachineArn', {
      description: 'Run once by hand: aws stepfunctions start-execution --state-machine-arn <this>',
      value: this.fleet.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'TopicArn', {
      description: 'Reports and alerts: subscribe here',
      value: this.fleet.topic.topicArn,
    });
    new CfnOutput(this, 'RunBucketName', {
      description: 'Run data (runs/) and full reports (reports/<run>/fleet.json)',
      value: this.fleet.bucket.bucketName,
    });
    new CfnOutput(this, 'SsmPrefix', { description: 'The fleet settings', value: this.fleet.ssmPrefix });
  }
}

/** Keys that only the single-account stack reads: refused in the fleet app rather than ignored. */
const SINGLE_ONLY = [
  'accountId',
  'vaultAccountIds',
  'vaultPattern',
  'grantNamedVaultsOnly',
  'reservedConcurrency',
  'timeout',
  'memorySize',
  'abortConcurrency',
];

/**
 * The fleet app (`-c fleet=true`): the hub stack GlacierSweeperFleet and the spoke stack
 * GlacierSweeperSpoke, both environment-agnostic unless the CLI has credentials (the hub then takes
 * their account and region). The spoke's trust needs the Organization (`-c organizationId`; without
 * it the spoke stack is left out, with a warning, and the hub alone is synthesized) and the hub
 * account: `-c hubAccountId`, written in as a literal, or else the spoke stack's `HubAccountId`
 * parameter, given at deploy. Never the CLI's account: `cdk deploy GlacierSweeperSpoke` runs with a
 * member account's credentials, and a spoke trusting that account would trust itself.
 */
export function buildFleetApp(app: App): Stack[] {
  const lookup = (key: string) => app.node.tryGetContext(key);
  const keys = Object.keys(app.node.getAllContext());
  rejectUnknownKeys(keys);
  for (const key of SINGLE_ONLY) {
    if (keys.includes(key))
      throw invalidProp(key, `${key} is a single-account setting: the fleet app does not read it`);
  }
  void PROP_KEYS;
  const number = (key: string) => {
    const raw = text(key, lookup(key))?.trim();
    if (raw === undefined) return undefined;
    if (!/^[0-9]+$/.test(raw))
      throw invalidProp(key, `${key} = ${JSON.stringify(raw)}: expected a whole number`);
    return Number(raw);
  };
  const vaults = lookup('vaults');
  const fleet: GlacierSweeperFleetProps = {
    accounts: list('accounts', lookup('accounts')),
    excludeAccounts: list('excludeAccounts', lookup('excludeAccounts')),
    abortAccounts: list('abortAccounts', lookup('abortAccounts')),
    regions: list('regions', lookup('regions')),
    vaults: Array.isArray(vaults) ? vaults.join(',') : text('vaults', vaults),
    olderThan: text('olderThan', lookup('olderThan')),
    action: text('action', lookup('action')) as GlacierSweeperFleetProps['action'],
    maxAborts: number('maxAborts'),
    exclude: text('exclude', lookup('exclude')),
    notify: text('notify', lookup('notify')) as GlacierSweeperFleetProps['notify'],
    quietPeriod: text('quietPeriod', lookup('quietPeriod')),
    maxListParts: number('maxListParts'),
    schedule: text('schedule', lookup('schedule')),
    timezone: text('timezone', lookup('timezone')),
    alertEmails: list('alertEmails', lookup('alertEmails')),
    ssmPrefix: text('ssmPrefix', lookup('ssmPrefix')),
    maxConcurrency: number('maxConcurrency'),
    vaultConcurrency: number('vaultConcurrency'),
    vaultsPerBatch: number('vaultsPerBatch'),
    workerMaxPages: number('workerMaxPages'),
    logRetention: number('logRetention'),
    perVaultMetrics: flag('perVaultMetrics', lookup('perVaultMetrics')),
    accountMessages: flag('accountMessages', lookup('accountMessages')),
    accountMetrics: flag('accountMetrics', lookup('accountMetrics')),
  };
  const organizationId = text('organizationId', lookup('organizationId'));
  const hubAccountId = text('hubAccountId', lookup('hubAccountId'));
  const ous = list('spokeOrganizationalUnitIds', lookup('spokeOrganizationalUnitIds'));
  const stackSetRegion = text('spokeStackSetRegion', lookup('spokeStackSetRegion'));
  if (ous !== undefined && (organizationId === undefined || stackSetRegion === undefined))
    throw invalidProp(
      'spokeOrganizationalUnitIds',
      'the StackSet of spokes also needs -c organizationId=… and -c spokeStackSetRegion=…',
    );
  const hub = new GlacierSweeperFleetStack(app, FLEET_STACK_NAME, {
    stackName: FLEET_STACK_NAME,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    fleet,
    ...(ous === undefined || organizationId === undefined || stackSetRegion === undefined
      ? {}
      : { spokeStackSet: { organizationId, organizationalUnitIds: ous, region: stackSetRegion } }),
  });
  const stacks: Stack[] = [hub];
  if (organizationId !== undefined) {
    stacks.push(buildSpokeStack(app, { hubAccountId, organizationId }));
  } else {
    Annotations.of(hub).addWarningV2(
      'glacier-sweeper:spoke-left-out',
      'GlacierSweeperSpoke is left out: its trust policy needs -c organizationId=o-….',
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}
