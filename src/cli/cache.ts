/**
 * `pyaudit cache dir|clean [--cache-dir DIR]`: where the cache is, and emptying it. The folder
 * is the one the audit uses: `--cache-dir`, else `PYAUDIT_CACHE_DIR` / `PIP_AUDIT_CACHE_DIR`,
 * else the configuration file's `cache-dir`, else the user cache folder. `clean` removes the
 * cached records, query answers and compiled code, never the offline database.
 */
import path from 'node:path';
import { cleanCache, defaultCacheDir } from '../cache/records.js';
import { cacheDirFromEnv } from '../core/cache-dir.js';
import { fromSystemError, PyauditError } from '../core/errors.js';
import type { CliIo } from './main.js';
import { configFileValue } from './options.js';

const USAGE = 'usage: pyaudit cache {dir,clean} [--cache-dir DIR] [--config FILE | --no-config]';

/**
 * `--cache-dir`, else `PYAUDIT_CACHE_DIR` / `PIP_AUDIT_CACHE_DIR`, else the configuration file's
 * `cache-dir` (the file the audit reads), else the user cache folder: the folder the audit uses.
 */
function cacheDir(io: CliIo, flag: string | undefined, config: string | false | undefined): string {
  const named = flag !== undefined ? path.resolve(io.cwd, flag) : cacheDirFromEnv(io.env, io.cwd);
  if (named !== undefined) return named;
  const configured = configFileValue('cache-dir', config, io.cwd);
  return typeof configured === 'string'
    ? path.resolve(io.cwd, configured)
    : defaultCacheDir(io.env);
}

/** Runs `pyaudit cache …` (argv without the leading `cache`); resolves to the exit code. */
export async function cacheMain(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  /** Takes `--NAME VALUE` or `--NAME=VALUE` out of the arguments; null when it has no value. */
  const take = (name: string): string | undefined | null => {
    const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (at < 0) return undefined;
    const arg = args[at] as string;
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[at + 1];
    args.splice(at, arg.includes('=') ? 1 : 2);
    return value === undefined || value === '' ? null : value;
  };
  const dirFlag = take('--cache-dir');
  const configFlag = take('--config');
  for (const [name, value] of [
    ['--cache-dir', dirFlag],
    ['--config', configFlag],
  ] as const) {
    if (value === null) {
      io.stderr.write(`pyaudit: error: argument ${name}: expected one argument\n`);
      return 2;
    }
  }
  const noConfig = args.includes('--no-config');
  if (noConfig) args.splice(args.indexOf('--no-config'), 1);
  if (args.length === 1 && (args[0] === '-h' || args[0] === '--help')) {
    io.stdout.write(
      `${USAGE}\n\n  dir    print the cache folder\n  clean  remove the cached vulnerability records\n`,
    );
    return 0;
  }
  const command = args[0];
  if (args.length !== 1 || (command !== 'dir' && command !== 'clean')) {
    io.stderr.write(`pyaudit: error: ${USAGE}\n`);
    return 2;
  }
  let dir: string;
  try {
    dir = cacheDir(io, dirFlag ?? undefined, noConfig ? false : (configFlag ?? undefined));
  } catch (error) {
    io.stderr.write(`pyaudit: error: ${(error as Error).message}\n`);
    return 2;
  }
  if (command === 'dir') {
    io.stdout.write(`${dir}\n`);
    return 0;
  }
  try {
    const removed = await cleanCache(dir);
    io.stderr.write(
      `Removed ${removed} cached ${removed === 1 ? 'record' : 'records'} from ${dir}\n`,
    );
    return 0;
  } catch (error) {
    const converted = fromSystemError(error, dir, 'cannot clean the cache');
    const message =
      converted instanceof PyauditError ? converted.message : (error as Error).message;
    io.stderr.write(`pyaudit: error: ${message}\n`);
    return 2;
  }
}
