/**
 * docs/report.schema.json, compiled once: every report an e2e test gets (returned by the handler, or
 * parsed from a published SNS message) is checked against the contract's schema, which is strict.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

const schema = JSON.parse(
  readFileSync(new URL('../../../docs/report.schema.json', import.meta.url), 'utf8'),
) as object;

// ajv-formats is CommonJS: under ESM its function is the default export's default.
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/** Fails the test with every schema violation when `report` is not a valid report; returns it. */
export function expectValidReport<T>(report: T): T {
  if (!validate(report)) {
    expect.fail(
      `report does not match docs/report.schema.json: ${ajv.errorsText(validate.errors, { separator: '; ' })}`,
    );
  }
  return report;
}

/** Parses a report as subscribers receive it (an SNS `sqs` entry, the CLI's `--json`) and checks it. */
export function parseReport<T = import('../../../lambda/core/types').SweepReport>(json: string): T {
  return expectValidReport(JSON.parse(json) as T);
}
