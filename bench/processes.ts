import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MEMORY_SIZE } from '../infra/constructs/resolve-props';
import type {
  EmulatorCommand,
  EmulatorReply,
  FaultSettings,
  RequestSummary,
  SweeperJob,
  SweeperReply,
  SweeperResult,
} from './protocol';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Every child started here, so a failing run still ends them all (by pid, nothing broader). */
const children = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/**
 * The V8 heap limits Lambda's Node.js runtime sets for a function of `memoryMb` (its bootstrap gives a
 * tenth of the memory to the young generation, half of that per semi-space, the rest to the old one).
 * Without them V8 sizes its heap for this 24 GB machine and a child's peak RSS says little about
 * what the function needs in its 256 MB.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

function start(
  script: string,
  args: string[],
  env: Record<string, string>,
  keepStdout: boolean,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const child = fork(here(script), args, {
    // tsx as a loader keeps the children's TypeScript as it is in the repo: no build step in between.
    execArgv: ['--import', 'tsx', ...nodeFlags],
    env: { ...process.env, ...env },
    stdio: ['ignore', keepStdout ? 'inherit' : 'ignore', 'pipe', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The child's last few KB of stderr, for error messages. */
function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  return () => tail.trim();
}

/** The next IPC message that passes `accept`, or an error on exit or timeout. */
function nextMessage<T>(
  child: ChildProcess,
  timeoutMs: number,
  what: string,
  stderr: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`${what}: no answer within ${timeoutMs} ms\n${stderr()}`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      cleanup();
      const typed = message as { type: string; message?: string };
      if (typed.type === 'error') reject(new Error(`${what}: ${typed.message}\n${stderr()}`));
      else resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${what}: exited with ${code} before answering\n${stderr()}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface EmulatorHandle {
  url: string;
  topicArn: string;
  uploads: number;
  reset(faults: FaultSettings): Promise<number>;
  summary(): Promise<RequestSummary>;
  stop(): Promise<void>;
}

export async function startEmulatorChild(seedFile: string, topic: string): Promise<EmulatorHandle> {
  const child = start('./emulator-child.ts', [seedFile, topic], {}, false);
  const stderr = stderrTail(child);
  const ask = <T extends EmulatorReply>(command: EmulatorCommand, timeoutMs: number): Promise<T> => {
    const answer = nextMessage<T>(child, timeoutMs, `emulator ${command.type}`, stderr);
    child.send(command);
    return answer;
  };
  const ready = await nextMessage<Extract<EmulatorReply, { type: 'ready' }>>(
    child,
    60_000,
    'emulator start',
    stderr,
  );
  return {
    url: ready.url,
    topicArn: ready.topicArn,
    uploads: ready.uploads,
    reset: async (faults) =>
      (await ask<Extract<EmulatorReply, { type: 'reset-done' }>>({ type: 'reset', faults }, 60_000)).uploads,
    summary: async () =>
      (await ask<Extract<EmulatorReply, { type: 'summary' }>>({ type: 'summary' }, 30_000)).summary,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'stop' } satisfies EmulatorCommand);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs one sweep in a fresh child; `timeoutMs` bounds it however the sweep behaves. */
export async function runSweeperChild(job: SweeperJob, timeoutMs: number): Promise<SweeperResult> {
  const child = start(
    './sweeper-child.ts',
    [],
    { BENCH_JOB: JSON.stringify(job) },
    false,
    lambdaHeapFlags(DEFAULT_MEMORY_SIZE),
  );
  const stderr = stderrTail(child);
  try {
    const reply = await nextMessage<Extract<SweeperReply, { type: 'result' }>>(
      child,
      timeoutMs,
      `sweeper ${job.sweeper.kind}`,
      stderr,
    );
    return reply.result;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
  }
}
