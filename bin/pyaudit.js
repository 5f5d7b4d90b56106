#!/usr/bin/env node
// The CLI ships as one bundled module (dist/cli.js): a single file loads much faster than
// the ~40 modules of dist/ that the library entry uses.
try {
  const { main } = await import('../dist/cli.js');
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `pyaudit: internal error: cannot start (${error.message}); was the package built (npm ci)?\n`,
  );
  process.exitCode = 2;
}
