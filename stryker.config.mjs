// `npm run mutate`: mutation testing of the safety core (not in CI: a full run took 10½ minutes on
// 2 shared cores with --concurrency 1). Stryker's vitest runner runs the unit tests only; no
// TypeScript checker (TypeScript 7 has no classic compiler API for it), so a mutant that would not
// typecheck counts as killed only when a test fails on it. Incremental: a re-run tests only the
// mutants whose code or tests changed, except that a static mutant (a module-level constant such as a
// regular expression) keeps its old result when tests are added; measure with --force after that.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // `dir` narrows vitest.config.ts's own search (`include` is relative to its `dir`, test/) to the unit tests.
  vitest: { configFile: 'vitest.config.ts', dir: 'test/unit', related: false },
  mutate: [
    'lambda/core/decide.ts',
    'lambda/core/activity.ts',
    'lambda/core/duration.ts',
    'lambda/core/settings.ts',
    'lambda/core/sweep.ts',
    'lambda/core/pattern.ts',
    'lambda/core/pattern-subset.ts',
    'lambda/core/vault-scope.ts',
    // Plan-then-act: what to measure and what to abort, and the re-checks before each abort.
    'lambda/core/plan.ts',
    'lambda/core/act.ts',
    // Fleet mode's plan step for one stretch of a vault: what its Select and Act work from.
    'lambda/core/fleet-survey.ts',
    'lambda/core/numbers.ts',
  ],
  checkers: [],
  // Stryker rewrites `extends` and `references` of the tsconfig it copies into its sandbox, parsing it
  // with the classic TypeScript API (ts.parseConfigFileTextToJson), which TypeScript 7 no longer has:
  // with the default (tsconfig.json) every run stops with "ts.parseConfigFileTextToJson is not a
  // function". Ours has neither `extends` nor `references`, so nothing needs rewriting: name a file that
  // does not exist and the step is skipped. The sandbox still holds the real tsconfig.json.
  tsconfigFile: 'tsconfig.stryker-skip.json',
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
