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
    // `npm test` runs with --coverage: the pure core, where a gap is dangerous and a gate is cheap,
    // keeps the lines and branches the whole suite reaches (97.15 % and 91.06 % with fleet mode's core
    // modules in; 98.04 % and 94.24 % before them), rounded down. Only the whole suite reaches them:
    // one file run with --coverage falls short.
    coverage: {
      provider: 'v8',
      include: ['lambda/core/**/*.ts'],
      reporter: ['text', 'json-summary'],
      thresholds: { lines: 97, branches: 91 },
    },
  },
});
