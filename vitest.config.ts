import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Synthesizing CDK stacks and e2e runs against the emulator take seconds each.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
