// npm run release:check: what must hold before `npm publish` (which needs a registry token and is
// done by hand): CHANGELOG.md has a dated section for package.json's version, and the package tests
// pass (test/package: the tarball packed, installed in fresh CDK apps and synthesized, its bundles'
// SOURCE_HASH current, docs/API.md current).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build';
import { releaseProblems } from './changelog';

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const problems = releaseProblems(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), version);
if (problems.length > 0) {
  process.stderr.write(
    `release:check: glacier-sweeper ${version} is not ready:\n  ${problems.join('\n  ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`release:check: CHANGELOG.md has [${version}]; running the package tests\n`);
const tests = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/package'],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
process.exit(tests.status ?? 1);
