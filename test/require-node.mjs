// First step of `npm test`: the suites must run on the Lambda's Node major (nodejs24.x). `npm run`
// puts the pinned `node` devDependency (Node 24) first on PATH; if it is missing, an older system
// Node would run everything silently, so this fails instead of printing a version nobody reads.
const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= REQUIRED_MAJOR)) {
  process.stderr.write(
    `The tests run on Node.js ${REQUIRED_MAJOR} (the Lambda runtime), but this is ${process.version} (${process.execPath}).\n` +
      'Run `npm ci` to install the pinned Node 24 (the `node` devDependency), then `npm test` again.\n',
  );
  process.exit(1);
}
process.stdout.write(`tests run on Node.js ${process.version}\n`);
