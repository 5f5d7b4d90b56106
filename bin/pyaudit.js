#!/usr/bin/env node
// The CLI ships as one bundled module (dist/bundle/main.js): a single file loads much faster than
// the ~40 modules of dist/ that the library entry uses.
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

try {
  const { main } = await import('../dist/bundle/main.js');
  const code = await main(process.argv.slice(2));
  process.exitCode = Math.max(code, process.exitCode ?? 0);
} catch (error) {
  process.stderr.write(
    `pyaudit: internal error: cannot start (${error.message}); was the package built (npm ci)?\n`,
  );
  process.exitCode = 2;
}
