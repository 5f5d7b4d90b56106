/**
 * What every benchmark shares: the repository's folders, `../shared` (a benchmark that needs
 * it exits 2 naming where it looked), temporary folders removed at exit, and the environment
 * the benchmarks give the CLI: a cache
 * folder of the benchmark's own (never the user's), in which one run has already kept the
 * CLI's compiled code, as it is for every run after the first one on a machine (the first run
 * compiles the bundle: about 0.05 s more).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = process.env.PYAUDIT_SHARED_DIR ?? path.resolve(ROOT, '../shared');
export const BIN = path.join(ROOT, 'bin/pyaudit.js');

/** The median of a list of timings (the upper one of an even count). */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Exits 2 unless `../shared` holds `entry`. */
export function requireShared(entry: string): void {
  if (existsSync(path.join(SHARED, entry))) return;
  console.error(`bench: ../shared not found at ${SHARED}`);
  process.exit(2);
}

/** A new temporary folder, removed when the benchmark exits. */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The CLI's environment for a benchmark. The compiled code is kept only after an audit runs to
 * its report, so one offline audit (of the project's own OSV fixtures) runs first.
 */
export async function benchCliEnv(): Promise<NodeJS.ProcessEnv> {
  const home = benchTempDir('pyaudit-bench-cli-');
  const env = { ...process.env, XDG_CACHE_HOME: path.join(home, 'cache') };
  const run = promisify(execFile);
  const db = path.join(home, 'db');
  await run(
    process.execPath,
    [BIN, 'db', 'import', path.join(ROOT, 'test/fixtures/osv'), '--db-dir', db],
    { env },
  );
  const requirements = path.join(home, 'requirements.txt');
  await writeFile(requirements, 'packaging==24.0\n');
  await run(process.execPath, [BIN, '-r', requirements, '--offline', '--db-dir', db], { env });
  if (!existsSync(path.join(home, 'cache', 'pyaudit', 'code')))
    throw new Error('bench: the warm-up audit kept no compiled code');
  return env;
}
