// `npm run mutate`: mutation testing of the safety core (not in CI: tens of minutes on 2 cores).
// Stryker's vitest runner runs the unit tests only; no TypeScript checker (TypeScript 7 has no
// classic compiler API for it), so a mutant that would not typecheck counts as killed only when a
// test fails on it. Incremental: a re-run tests only the mutants whose code or tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', dir: 'test/unit', related: false },
  mutate: [
    'lambda/core/decide.ts',
    'lambda/core/activity.ts',
    'lambda/core/duration.ts',
    'lambda/core/settings.ts',
    'lambda/core/sweep.ts',
    'lambda/core/pattern.ts',
  ],
  checkers: [],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
};
