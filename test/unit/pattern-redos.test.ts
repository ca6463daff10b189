/**
 * The `exclude` pattern is the operator's, the descriptions it is searched in are whoever started the
 * upload: a pattern with nested quantifiers must not let a description stall the run. Each sweep runs
 * in a child process with a kill timer, so a stalled one fails this test instead of hanging the suite.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./helpers/exclude-sweep-child.ts', import.meta.url));
/** Generous for a child that starts tsx on a busy machine; a backtracking engine needs years here. */
const KILL_AFTER_MS = 20_000;

async function sweepInChild(
  exclude: string,
  descriptions: string[],
): Promise<{ outcomes: Record<string, string>; ms: number }> {
  const started = performance.now();
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, exclude, ...descriptions], {
      timeout: KILL_AFTER_MS,
      killSignal: 'SIGKILL',
    });
    return { outcomes: JSON.parse(stdout) as Record<string, string>, ms: performance.now() - started };
  } catch (error) {
    const failed = error as { killed?: boolean; stderr?: string };
    if (failed.killed) {
      throw new Error(`the sweep with exclude ${exclude} was still running after ${KILL_AFTER_MS} ms`);
    }
    throw new Error(`the sweep child failed: ${failed.stderr ?? String(error)}`);
  }
}

describe('exclude against adversarial descriptions', () => {
  it('finishes a sweep with ^(\\w+\\s?)*$ over 40- and 1,024-character descriptions, judging each', async () => {
    // Words and single spaces, then a character that fails the pattern at the very end: a
    // backtracking engine tries every way of splitting the words before it gives up.
    const short = `${'a1b2 '.repeat(7)}abcd!`;
    const long = `${'a1b2 '.repeat(204)}abc!`;
    const kept = 'nightly backup 2026 11 27';
    expect(short).toHaveLength(40);
    expect(long).toHaveLength(1024);

    const { outcomes } = await sweepInChild('^(\\w+\\s?)*$', [short, long, kept]);

    expect(outcomes).toEqual({ [short]: 'aborted', [long]: 'aborted', [kept]: 'skipped' });
  });
});
