#!/usr/bin/env node
// The CLI ships as one bundled module (dist/bundle/main.js): a single file loads much faster than
// the ~40 modules of dist/ that the library entry uses.
// A reader that closes early (`pyaudit … | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

try {
  const { main } = await import('../dist/bundle/main.js');
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `pyaudit: internal error: cannot start (${error.message}); was the package built (npm ci)?\n`,
  );
  process.exitCode = 2;
}
