/**
 * The emulator in a process of its own, so its timers and JSON work never share an event loop (or a
 * core) with the sweeper under test. Started by bench/run.ts with `fork`; answers over IPC.
 * argv: SEED_FILE TOPIC
 */
import {
  type Emulator,
  type RecordedRequest,
  readSeedFile,
  type Seed,
  startEmulator,
} from '../local/emulator';
import type { EmulatorCommand, EmulatorReply, FaultSettings, RequestSummary } from './protocol';

const reply = (message: EmulatorReply): void => {
  process.send?.(message);
};

function summarize(
  emulator: Emulator,
  requests: readonly RecordedRequest[],
  emulatorCpuMs: number,
): RequestSummary {
  const byOperation: Record<string, number> = {};
  const listCallsByVault: Record<string, number> = {};
  const abortedIds = new Set<string>();
  let abortCalls = 0;
  let repeatedAborts = 0;
  let throttled = 0;
  let errors = 0;
  let listServerMs = 0;
  for (const r of requests) {
    const key = `${r.service} ${r.operation}`;
    byOperation[key] = (byOperation[key] ?? 0) + 1;
    if (r.operation === 'ListMultipartUploads' && r.vault !== undefined) {
      listCallsByVault[r.vault] = (listCallsByVault[r.vault] ?? 0) + 1;
      listServerMs += r.durationMs ?? 0;
    }
    if (r.operation === 'AbortMultipartUpload' && r.uploadId !== undefined) {
      abortCalls += 1;
      if (abortedIds.has(r.uploadId)) repeatedAborts += 1;
      abortedIds.add(r.uploadId);
    }
    if (r.fault === 'throttle') throttled += 1;
    if (r.status !== null && r.status >= 400) errors += 1;
  }
  const uploadsLeft = emulator.vaults().reduce((n, v) => n + v.uploads, 0);
  return {
    total: requests.length,
    byOperation,
    listCallsByVault,
    abortCalls,
    repeatedAborts,
    throttled,
    errors,
    uploadsLeft,
    listServerMs,
    emulatorCpuMs,
  };
}

const faultOptions = (faults: FaultSettings) => ({
  latencyMs: faults.latencyMs,
  throttleRate: faults.throttleRate,
  seed: faults.faultSeed,
});

async function main(): Promise<void> {
  const [seedFile, topic] = process.argv.slice(2);
  if (seedFile === undefined || topic === undefined) throw new Error('usage: emulator-child SEED_FILE TOPIC');
  const seed: Seed = await readSeedFile(seedFile);
  const emulator = await startEmulator();
  const reseed = (): { topicArn: string; uploads: number } => {
    emulator.reset();
    const result = emulator.seed(seed);
    const uploads = emulator.vaults().reduce((n, v) => n + v.uploads, 0);
    return { topicArn: result.topicArns[topic] ?? '', uploads };
  };
  const cpuMs = (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  let cpuAtReset = cpuMs();
  const first = reseed();
  // Without the parent there is no one to stop us: leave rather than linger as an orphan.
  process.on('disconnect', () => {
    void emulator.stop().then(() => process.exit(0));
  });
  process.on('message', (message: EmulatorCommand) => {
    try {
      if (message.type === 'reset') {
        const { uploads } = reseed();
        emulator.setFaults(faultOptions(message.faults));
        cpuAtReset = cpuMs();
        reply({ type: 'reset-done', uploads });
      } else if (message.type === 'summary') {
        reply({ type: 'summary', summary: summarize(emulator, emulator.requests(), cpuMs() - cpuAtReset) });
      } else if (message.type === 'stop') {
        void emulator.stop().then(() => process.exit(0));
      }
    } catch (error) {
      reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
  reply({ type: 'ready', url: emulator.url, topicArn: first.topicArn, uploads: first.uploads });
}

main().catch((error: unknown) => {
  reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
