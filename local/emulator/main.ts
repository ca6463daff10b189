import { parseArgs } from 'node:util';
import { readSeedFile, startEmulator } from './index';

const USAGE = `Usage: npm run emulator -- [options]

Local emulator on 127.0.0.1 of Glacier (vaults, multipart uploads, tags), SNS, SSM, STS
(AssumeRole, GetCallerIdentity), Organizations (ListAccounts) and S3 (objects, path-style).
Glacier state is per account and region, read from each request's SigV4 credential scope.

  --port N            port to listen on (default 0: any free port)
  --seed FILE         JSON seed: { vaults, parameters, topics, accounts, roles, organization, buckets }
                      (see local/emulator/seed.example.json and seed.fleet.example.json)
  --latency-ms N      delay every answer by N ms
  --jitter-ms N       add a random 0..N ms on top
  --throttle-rate R   answer this share of requests (0-1) with the service's throttling error
  --error-rate R      answer this share of requests (0-1) with a 5xx
  --fault-seed N      seed of the fault PRNG (default 1), for reproducible runs
  --account-id ID     account of any credentials STS did not issue (default 123456789012)
  --region REGION     region of unsigned requests and of seeds naming none (default us-east-1)
  --help              show this text`;

class UsageError extends Error {
  override name = 'UsageError';
}

function number(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= min && value <= max)) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      'latency-ms': { type: 'string' },
      'jitter-ms': { type: 'string' },
      'throttle-rate': { type: 'string' },
      'error-rate': { type: 'string' },
      'fault-seed': { type: 'string' },
      'account-id': { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator({
    port: number('port', values.port, 0, 65535) ?? 0,
    accountId: values['account-id'] ?? '123456789012',
    region: values.region ?? 'us-east-1',
    seed: values.seed === undefined ? {} : await readSeedFile(values.seed),
    faults: {
      latencyMs: number('latency-ms', values['latency-ms'], 0, 600_000) ?? 0,
      jitterMs: number('jitter-ms', values['jitter-ms'], 0, 600_000) ?? 0,
      throttleRate: number('throttle-rate', values['throttle-rate'], 0, 1) ?? 0,
      errorRate: number('error-rate', values['error-rate'], 0, 1) ?? 0,
      seed: number('fault-seed', values['fault-seed'], 0, 2 ** 32 - 1) ?? 1,
    },
  });
  console.log(emulator.url);
  const vaults = emulator.vaults();
  console.error(
    `emulator ready: ${vaults.length} vaults, ${vaults.reduce((n, v) => n + v.uploads, 0)} uploads, ` +
      `account ${emulator.accountId}, ${emulator.region}. Point clients at it with AWS_ENDPOINT_URL=${emulator.url}`,
  );
  const shutdown = () => {
    emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  if (error instanceof UsageError || (error instanceof Error && 'code' in error)) console.error(USAGE);
  process.exit(2);
});
