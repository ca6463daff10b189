import { readFileSync, writeFileSync } from 'node:fs';
import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import type { GlacierSweeperProps } from '../../infra/constructs/glacier-sweeper';
import { synth } from './helpers';

/**
 * A logical id is what CloudFormation knows a resource by: when one changes, the next deploy deletes
 * the resource and creates a new one. For the SSM parameters that means hand edits lost; for the log
 * group (retained) an orphan beside a new one; for the topic, every subscriber asked to confirm again.
 * So every logical id of the template, with its type, is pinned in logical-ids.json, and a refactor
 * of the construct must leave that file unchanged.
 *
 * When a resource is added or removed on purpose, regenerate the file and review the diff:
 * `UPDATE_LOGICAL_IDS=1 npx vitest run test/infra/logical-ids.test.ts`.
 */
const PINNED = new URL('./logical-ids.json', import.meta.url);

/** Every prop set, with the values that create the most resources (subscriptions, optional parameters). */
const EVERY_PROP: GlacierSweeperProps = {
  vaults: ['backup-a', 'backup-b=3d'],
  olderThan: '10d',
  action: 'abort',
  accountId: '111111111111',
  maxAborts: 50,
  exclude: '^keep:',
  notify: 'always',
  quietPeriod: '3d',
  maxListParts: 500,
  schedule: 'cron(30 4 * * ? *)',
  timezone: 'Europe/Paris',
  alertEmails: ['ops@example.com', 'oncall@example.com'],
  ssmPrefix: '/sweeper/prod',
  memorySize: 512,
  timeout: Duration.minutes(15),
  logRetention: RetentionDays.TWO_YEARS,
  reservedConcurrency: false,
  vaultConcurrency: 2,
  abortConcurrency: 16,
  perVaultMetrics: true,
  vaultAccountIds: ['111111111111', '222222222222'],
  vaultPattern: '^backup-',
  grantNamedVaultsOnly: true,
};

const CASES: Record<string, () => ReturnType<typeof synth>> = {
  defaults: () => synth(),
  everyProp: () => synth(EVERY_PROP),
  // The template rule exists only when the account is unknown at synth.
  accountKnownAtDeployOnly: () => synth({ vaultAccountIds: ['111111111111'] }, { region: 'eu-west-1' }),
};

/** Resources as logical id → type; the other sections (Rules, Outputs, Parameters…) by their ids. */
function inventory(template: Record<string, unknown>): Record<string, unknown> {
  const sections: Record<string, unknown> = {};
  for (const [section, body] of Object.entries(template).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof body !== 'object' || body === null) continue;
    const entries = Object.entries(body as Record<string, { Type?: string }>).sort(([a], [b]) =>
      a.localeCompare(b),
    );
    sections[section] =
      section === 'Resources'
        ? Object.fromEntries(entries.map(([id, resource]) => [id, resource.Type]))
        : entries.map(([id]) => id);
  }
  return sections;
}

const current = () =>
  Object.fromEntries(
    Object.entries(CASES).map(([name, build]) => [name, inventory(build().template.toJSON())]),
  );

describe('logical ids', () => {
  it('are exactly those of logical-ids.json, for the defaults, every prop set, and an account known only at deploy', () => {
    const found = current();
    if (process.env.UPDATE_LOGICAL_IDS === '1') {
      writeFileSync(PINNED, `${JSON.stringify(found, null, 2)}\n`);
    }
    expect(found).toEqual(JSON.parse(readFileSync(PINNED, 'utf8')));
  });
});
