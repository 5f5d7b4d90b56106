/**
 * `pyaudit cache dir|clean [--cache-dir DIR]`: where the record cache is, and emptying it.
 * The cache folder is `--cache-dir`, else `PYAUDIT_CACHE_DIR` / `PIP_AUDIT_CACHE_DIR`, else
 * the user cache folder. `clean` removes cached records only, never the offline database.
 */
import path from 'node:path';
import { cleanCache, defaultCacheDir } from '../cache/records.js';
import { fromSystemError, PyauditError } from '../core/errors.js';
import type { CliIo } from './main.js';

const USAGE = 'usage: pyaudit cache {dir,clean} [--cache-dir DIR]';

/** Runs `pyaudit cache …` (argv without the leading `cache`); resolves to the exit code. */
export async function cacheMain(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  let dirFlag: string | undefined;
  const at = args.findIndex((a) => a === '--cache-dir' || a.startsWith('--cache-dir='));
  if (at >= 0) {
    const arg = args[at] as string;
    dirFlag = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[at + 1];
    args.splice(at, arg.includes('=') ? 1 : 2);
    if (dirFlag === undefined || dirFlag === '') {
      io.stderr.write('pyaudit: error: argument --cache-dir: expected one argument\n');
      return 2;
    }
  }
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
  const env = dirFlag ?? io.env.PYAUDIT_CACHE_DIR ?? io.env.PIP_AUDIT_CACHE_DIR;
  const dir = env !== undefined ? path.resolve(io.cwd, env) : defaultCacheDir(io.env);
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
