import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Test files are found under test/ (relative to `dir`), so Stryker can narrow the same config to
    // test/unit by setting `dir` alone.
    dir: 'test',
    include: ['**/*.test.ts'],
    environment: 'node',
    // Synthesizing CDK stacks and e2e runs against the emulator take seconds each.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
