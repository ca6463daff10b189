import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { STATE_KEY_ATTRIBUTE, STATE_TTL_ATTRIBUTE } from '../../lambda/core/defaults';

/**
 * The upload-history table of `quiet-period` (lambda/adapters/dynamodb-state.ts), as both stacks
 * create it: the construct id `StateTable` under `scope`.
 */
export function uploadHistoryTable(scope: Construct): dynamodb.Table {
  const table = new dynamodb.Table(scope, 'StateTable', {
    partitionKey: { name: STATE_KEY_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
    // A few small items per stale upload per run: on-demand costs nothing while quiet-period is off.
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: STATE_TTL_ATTRIBUTE,
    // The items are upload ids, hashes of part tree hashes and byte counts, never archive data or
    // descriptions: the aws/dynamodb key keeps its use in CloudTrail without a key policy to keep
    // or kms: grants (with wildcard actions) for the role; DynamoDB authorises it through the call.
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    // The history is re-created by the next runs. Losing it can only delay an abort by one quiet
    // period (an upload without history is never idle), never cause one; so neither a retained
    // orphan after `cdk destroy` nor a point-in-time backup would protect anything.
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
    removalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
  });
  Validations.of(table).acknowledge({
    id: 'AwsSolutions-DDB3',
    reason:
      'PITR off on purpose: the table only holds upload history that the next runs rebuild; losing it can only delay an abort by one quiet period (an upload without history is never idle), never cause one, so a restore would protect nothing.',
  });
  return table;
}

/**
 * Exactly the calls of lambda/adapters/dynamodb-state.ts (GetItem, conditional PutItem, DeleteItem),
 * written out rather than grantReadWriteData(), which adds batch, query, scan, update and describe
 * actions the state store never calls.
 */
export function grantUploadHistory(role: iam.Role, table: dynamodb.ITable): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'KeepUploadHistory',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [table.tableArn],
    }),
  );
}
