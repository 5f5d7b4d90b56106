#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json says so): an ES module entry costs the ES loader's start-up.
// The CLI ships as one bundled file (dist/bundle/main.cjs), started by dist/bundle/launch.cjs
// with V8's code cache: it loads much faster than the ~40 modules of dist/ that the library uses.
// A reader that closes early (`pyaudit … | head`) is not an error worth a stack trace; any other
// failure to write is one line and exit code 2 (the report's own write is checked by main).
for (const [name, stream] of [
  ['standard output', process.stdout],
  ['standard error', process.stderr],
]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (error.reportedByPyaudit) return;
    if (stream === process.stdout)
      process.stderr.write(
        `pyaudit: error: cannot write to ${name} (${error.code ?? error.message})\n`,
      );
    process.exitCode = 2;
  });
}

function cannotStart(error) {
  process.stderr.write(
    `pyaudit: internal error: cannot start (${error.message}); was the package built (npm ci)?\n`,
  );
  process.exitCode = 2;
}

try {
  const { launch } = require('../dist/bundle/launch.cjs');
  launch(require.resolve('../dist/bundle/main.cjs'), process.argv.slice(2)).then((code) => {
    process.exitCode = Math.max(code, process.exitCode ?? 0);
  }, cannotStart);
} catch (error) {
  cannotStart(error);
}
