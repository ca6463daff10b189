import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { GlacierSweeper, type GlacierSweeperProps } from './constructs/glacier-sweeper';

export interface GlacierSweeperStackProps extends StackProps {
  readonly sweeper?: GlacierSweeperProps;
}

/** One sweeper per account and region, with the outputs an operator needs after `cdk deploy`. */
export class GlacierSweeperStack extends Stack {
  readonly sweeper: GlacierSweeper;

  constructor(scope: Construct, id: string, props: GlacierSweeperStackProps = {}) {
    super(scope, id, {
      description: 'glacier-sweeper: reports or aborts stale multipart uploads in S3 Glacier vaults',
      ...props,
    });
    this.sweeper = new GlacierSweeper(this, 'GlacierSweeper', props.sweeper);

    new CfnOutput(this, 'TopicArn', {
      description: 'SNS topic of reports and alarms: subscribe here',
      value: this.sweeper.topic.topicArn,
    });
    new CfnOutput(this, 'FunctionName', {
      description:
        'Invoke by hand: aws lambda invoke --function-name <this> --payload \'{"action":"report"}\'',
      value: this.sweeper.function.functionName,
    });
    new CfnOutput(this, 'SsmPrefix', {
      description: 'Settings (vaults, older-than, action, …) under this SSM path',
      value: this.sweeper.ssmPrefix,
    });
    new CfnOutput(this, 'LogGroupName', {
      description: 'The audit trail: one line per stale upload and per abort (aws logs tail <this>)',
      value: this.sweeper.logGroup.logGroupName,
    });
    new CfnOutput(this, 'FailureQueueUrl', {
      description: 'Undelivered schedules and failed invocations land here',
      value: this.sweeper.failureQueue.queueUrl,
    });
    new CfnOutput(this, 'StateTableName', {
      description: 'DynamoDB table of upload history for the quiet-period setting (SWEEPER_STATE_TABLE)',
      value: this.sweeper.stateTable.tableName,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description:
        'CloudWatch dashboard: scanned, stale, aborted and failed (per vault with perVaultMetrics), runs, alarms',
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.sweeper.dashboard.dashboardName}`,
    });
  }
}
