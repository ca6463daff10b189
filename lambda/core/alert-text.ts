import {
  DEFAULT_ACCOUNT_ID,
  DEFAULT_ACTION,
  DEFAULT_MAX_ABORTS,
  DEFAULT_MAX_LIST_PARTS,
  DEFAULT_NOTIFY,
  DEFAULT_OLDER_THAN,
  ENV,
  type ParamKey,
  SERVICE_NAME,
} from './defaults';
import { cleanText } from './sanitize';
import { ssmParameterKey, ssmParameterName } from './ssm-names';
import { accountLabel, SEP, subjectRegion } from './text-format';

export interface AlertContext {
  readonly region: string;
  readonly account: string;
  readonly runId: string;
  /** The SSM prefix, e.g. `/glacier-sweeper`. */
  readonly prefix: string;
}

export interface ConfigErrorInfo {
  /** The SSM parameter (without prefix) or event field the bad value came from, when known. */
  readonly parameter?: string;
  /** Written by the config parser: names the value and what was expected. */
  readonly message: string;
}

/** Example values shown in the fix command, from the same defaults the stack deploys. */
const EXAMPLE_VALUE: Record<ParamKey, string> = {
  vaults: "'backups,logs=14d'",
  olderThan: DEFAULT_OLDER_THAN,
  action: DEFAULT_ACTION,
  accountId: DEFAULT_ACCOUNT_ID,
  maxAborts: String(DEFAULT_MAX_ABORTS),
  exclude: "'^keep:'",
  notify: DEFAULT_NOTIFY,
  quietPeriod: '2d',
  maxListParts: String(DEFAULT_MAX_LIST_PARTS),
};

/**
 * Subject and text of the alert published when the configuration is invalid and the run stopped.
 * `error.parameter` may be the SSM key (`older-than`), its full name (`/glacier-sweeper/older-than`, as
 * the settings parser names it), an environment variable or an event field.
 */
export function renderAlert(error: ConfigErrorInfo, ctx: AlertContext): { subject: string; text: string } {
  const subject = `${SERVICE_NAME}: configuration error, nothing aborted (${subjectRegion(ctx.region)})`;
  const prefix = cleanText(ctx.prefix, 200).replace(/\/+$/, '');
  const parameter = cleanText(error.parameter, 300);
  const key = ssmParameterKey(prefix, parameter);
  const envVar = (Object.values(ENV) as string[]).includes(parameter);
  const region = cleanText(ctx.region, 40);
  const regionFlag = region ? ` --region ${region}` : '';

  const lines = [
    `${SERVICE_NAME} stopped before sweeping: its configuration is invalid. Nothing was listed and nothing was aborted.`,
    '',
    [
      `Run ${cleanText(ctx.runId, 100)}`,
      `account ${accountLabel(ctx.account)}`,
      region || 'unknown region',
    ].join(SEP),
  ];
  const name = key === undefined ? undefined : ssmParameterName(prefix, key);
  if (parameter !== '') lines.push(`Parameter: ${name ?? parameter}`);
  lines.push(`Problem: ${cleanText(error.message, 4000)}`, '');
  if (key !== undefined) {
    lines.push(
      'Fix the parameter, for example:',
      `  aws ssm put-parameter --name ${name} --overwrite --value ${EXAMPLE_VALUE[key]}${regionFlag}`,
      'The next run reads the new value; no redeploy is needed.',
    );
  } else if (envVar) {
    lines.push(
      `${parameter} is an environment variable of the function: the stack sets it, so fix it and redeploy.`,
    );
  } else {
    lines.push(
      `Check the parameters under ${prefix || '/'} (and the invocation event, if this run was started by hand):`,
      `  aws ssm get-parameters-by-path --path ${prefix || '/'}${regionFlag}`,
    );
  }
  lines.push('', 'Every run fails with this alert until the configuration is fixed.');
  return { subject, text: lines.join('\n') };
}
