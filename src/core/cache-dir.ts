/**
 * pyaudit's folder in the user cache — XDG on Linux, the platform's own folder elsewhere —
 * which holds the record cache, the index cache (`index/`) and the offline database (`db/`).
 */
import os from 'node:os';
import path from 'node:path';

export function defaultCacheDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = env.HOME || env.USERPROFILE || os.homedir();
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'pyaudit', 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'pyaudit');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'pyaudit');
}

/** The cache folder `PYAUDIT_CACHE_DIR` (or pip-audit's `PIP_AUDIT_CACHE_DIR`) names, if any. */
export function cacheDirFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string | undefined {
  const named = env.PYAUDIT_CACHE_DIR || env.PIP_AUDIT_CACHE_DIR;
  return named ? path.resolve(cwd, named) : undefined;
}
