import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { daysAgo, type Emulator, type PublishedMessage, startEmulator } from '../../../local/emulator';
import {
  configure,
  messagesOf,
  publishedReport,
  reportOf,
  reports,
  run,
  tally,
  vaultUploads,
} from './harness';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

// C0 (newline allowed in a body), DEL, C1, and the bidi marks, overrides and isolates that reorder text.
function unsafeCharacters(text: string, newlineAllowed: boolean): string[] {
  return [...text].filter((ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x0a) return !newlineAllowed;
    return (
      cp < 0x20 ||
      (cp >= 0x7f && cp <= 0x9f) ||
      cp === 0x200e ||
      cp === 0x200f ||
      (cp >= 0x202a && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069)
    );
  });
}

const HOSTILE = [
  '\u001b]0;owned\u0007title',
  '\u001b[2J\u001b[31mred alert\u001b[0m',
  'line one\r\nSubject: forged\r\n\r\nbody',
  'file\u202eexe.txt',
  'nul\u0000byte\u0008back',
  '\u009b31mC1 escape',
  'long '.repeat(2_000),
];

function seedHostile(): string {
  emu.seed({
    vaults: [
      {
        name: 'alpha',
        uploads: [
          ...vaultUploads('alpha', 2, 1),
          ...HOSTILE.map((description, i) => ({
            uploadId: `hostile-${i}`,
            createdAt: daysAgo(20 + i),
            description,
          })),
          // An anomaly carries its raw date into the report too.
          { uploadId: 'hostile-date', createdAt: '\u001b[2J2020-01-01', description: HOSTILE[0] ?? '' },
        ],
      },
    ],
  });
  return configure(emu, { vaults: 'alpha', action: 'abort' });
}

function expectSafeText(message: PublishedMessage, text: string): void {
  expect(message.subject).toMatch(/^glacier-sweeper: /);
  expect(message.subject?.length).toBeLessThan(100);
  expect(unsafeCharacters(message.subject ?? '', false)).toEqual([]);
  expect(unsafeCharacters(text, true)).toEqual([]);
  expect(text).not.toContain('Subject: forged\n');
  expect(text).not.toContain('long long long long long long long long long long long long');
}

describe('untrusted descriptions', () => {
  it('the report email and subject carry no control characters or escapes; descriptions are bounded', async () => {
    // The detector itself flags every hostile sample but the merely long one.
    expect(HOSTILE.filter((h) => unsafeCharacters(h, true).length === 0)).toEqual([HOSTILE[6]]);
    const topicArn = seedHostile();
    emu.setFaults({
      rules: [
        {
          operation: 'AbortMultipartUpload',
          uploadId: 'hostile-1',
          fault: 'error',
          message: '\u001b[31mboom\u0007',
        },
      ],
    });
    const result = await run(emu, topicArn);
    expect(result.error).toBeUndefined();

    const [message] = reports(emu);
    if (message === undefined) throw new Error('no report published');
    const email = message.structured?.email;
    const plain = message.structured?.default;
    if (typeof email !== 'string' || typeof plain !== 'string') throw new Error('no text entries');
    expectSafeText(message, email);
    expectSafeText(message, plain);
    // The hostile uploads are in the text (sanitized), not silently dropped.
    expect(email).toContain('hostile-');
    expect(email).toMatch(/red alert/);

    const report = publishedReport(message);
    const alpha = report.vaults[0];
    expect(alpha?.staleUploads.map((u) => u.uploadId)).toEqual(
      expect.arrayContaining(['hostile-0', 'hostile-6']),
    );
    for (const entry of [...(alpha?.staleUploads ?? []), ...(alpha?.anomalies ?? [])])
      expect(entry.description.length).toBeLessThanOrEqual(1024);
    expect(alpha?.anomalies.map((a) => a.uploadId)).toEqual(['hostile-date']);
    tally('bad-input', HOSTILE.length + 2);
  });

  it('the configuration alert does not pass a hostile parameter value through', async () => {
    emu.seed({ vaults: [{ name: 'alpha', uploads: vaultUploads('alpha', 1, 0) }] });
    const topicArn = configure(emu, { vaults: 'alpha', action: '\u001b[2Jabort\u0007\r\nSubject: forged' });
    const result = await run(emu, topicArn);
    expect(result.error?.name).toBe('ConfigError');
    const [alert] = emu.published();
    if (alert === undefined) throw new Error('no alert published');
    expect(alert.attributes.kind).toBe('alert');
    expectSafeText(alert, alert.message);
    expect(alert.message).toContain('/glacier-sweeper/action');
    tally('bad-input', 1);
  });
});

describe('outside text in the log', () => {
  // Every C1 control and every bidi override and isolate, each inside otherwise plain text.
  const C1 = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i));
  const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
  const descriptions = [...C1, ...BIDI].map((ch, i) => `desc ${i} ${ch}tail`);

  /** Every string anywhere in a log line's extras, with the path it sits at. */
  function strings(value: unknown, path: string, out: [string, string][]): [string, string][] {
    if (typeof value === 'string') out.push([path, value]);
    else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) strings(v, `${path}[${i}]`, out);
    } else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, out);
    return out;
  }

  function unsafeInLog(lines: readonly { message: string; extra: Record<string, unknown> }[]): string[] {
    return lines.flatMap((line) =>
      strings(line.extra, line.message, [])
        .filter(([, text]) => unsafeCharacters(text, false).length > 0)
        .map(([path, text]) => `${path}: ${JSON.stringify(text)}`),
    );
  }

  function seedOutsideText(): string {
    emu.seed({
      vaults: [
        {
          name: 'alpha',
          uploads: [
            ...descriptions.map((description, i) => ({
              uploadId: `stale-${i}`,
              createdAt: daysAgo(20),
              description,
            })),
            { uploadId: 'odd\u009b2J\u202eid', createdAt: daysAgo(20), description: 'odd id' },
            { uploadId: 'odd-date', createdAt: '2020-01-01\u2067\u0085', description: 'bad\u202ddate' },
          ],
        },
        // Vault names from ListVaults are outside text too (`*`).
        {
          name: 'logs\u202e\u0090x',
          uploads: [{ uploadId: 'l1', createdAt: daysAgo(20), description: 'l\u2066' }],
        },
      ],
    });
    return configure(emu, { vaults: '*', action: 'abort' });
  }

  it('every log line carries descriptions, upload ids, dates and vault names cleaned', async () => {
    const topicArn = seedOutsideText();
    emu.setFaults({
      rules: [
        {
          operation: 'AbortMultipartUpload',
          uploadId: 'stale-3',
          fault: 'error',
          message: 'no\u009b31m\u202e',
        },
      ],
    });
    const result = await run(emu, topicArn);
    const report = reportOf(result);
    // The hostile text did reach the run: the detector would see it in the raw report.
    expect(unsafeInLog([{ message: 'report', extra: { report } }]).length).toBeGreaterThan(40);
    expect(messagesOf(result.logger.lines, 'stale upload').length).toBe(report.totals.stale);
    expect(unsafeInLog(result.logger.lines)).toEqual([]);
    // Cleaned, not dropped.
    const logged = JSON.stringify(result.logger.lines);
    expect(logged).toContain('desc 40 tail');
    // The 8-bit CSI sequence goes whole, as in the email.
    expect(logged).toContain('"uploadId":"oddid"');
  });

  it('the whole report logged when SNS is down is cleaned too', async () => {
    const topicArn = seedOutsideText();
    emu.setFaults({ rules: [{ service: 'sns', fault: 'error' }] });
    const result = await run(emu, topicArn);
    expect(result.error?.message).toMatch(
      /^glacier-sweeper: the report of run \S+ could not be published to /,
    );
    const whole = messagesOf(result.logger.lines, 'report could not be published; the whole report follows');
    expect(whole).toHaveLength(1);
    expect(unsafeInLog(result.logger.lines)).toEqual([]);
  });
});

describe('secrets stay out of logs and messages', () => {
  const SECRET = 'SECRETsentinel123';
  const TOKEN = 'TOKENsentinel456';
  const KEY_ID = 'AKIASENTINEL0000';
  const saved = process.env.AWS_SESSION_TOKEN;
  beforeEach(() => {
    // Read by the SDK's credential chain (invokeLocally sets only the key pair), and signed into requests.
    process.env.AWS_SESSION_TOKEN = TOKEN;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_SESSION_TOKEN;
    else process.env.AWS_SESSION_TOKEN = saved;
  });

  const env = { AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_ACCESS_KEY_ID: KEY_ID };
  const environmentValues = () =>
    [process.env.PATH, process.env.HOME, process.env.PWD].filter((v): v is string => !!v && v.length > 5);

  it.each([
    ['a run with an abort failure and a vault error', 'abort-failure'],
    ['SNS down: the whole report is logged', 'sns-down'],
    ['a configuration error', 'config-error'],
  ])('%s', async (_case, scenario) => {
    emu.seed({ vaults: [{ name: 'alpha', uploads: vaultUploads('alpha', 5, 2) }] });
    const topicArn = configure(emu, {
      vaults: scenario === 'config-error' ? 'alpha,,' : 'alpha,missing',
      action: 'abort',
    });
    emu.setFaults({
      rules: [
        {
          operation: 'AbortMultipartUpload',
          uploadId: 'alpha-stale-1',
          fault: 'error',
          status: 403,
          code: 'AccessDeniedException',
        },
        ...(scenario === 'sns-down' ? [{ service: 'sns' as const, fault: 'error' as const }] : []),
      ],
    });
    const result = await run(emu, topicArn, { env });

    // The scenario really took the path it names: something was logged about it.
    const logged = JSON.stringify(result.logger.lines);
    if (scenario === 'sns-down') expect(logged).toContain('the whole report follows');
    if (scenario === 'config-error') expect(result.error?.name).toBe('ConfigError');
    if (scenario === 'abort-failure') expect(logged).toContain('AccessDeniedException');
    expect(result.logger.lines.length).toBeGreaterThan(0);

    const surfaces = [
      logged,
      JSON.stringify(emu.published()),
      JSON.stringify(result.report ?? null),
      result.error?.message ?? '',
    ];
    for (const text of surfaces) {
      for (const secret of [SECRET, TOKEN, KEY_ID, ...environmentValues()])
        expect(text).not.toContain(secret);
    }
  });
});
