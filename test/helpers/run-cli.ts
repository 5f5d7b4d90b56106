/**
 * Runs the CLI in-process with captured streams, as a user would run it from `cwd`. Unless the
 * test chooses a cache folder, each run gets a fresh one (`XDG_CACHE_HOME` in a temporary
 * folder, removed afterwards), so runs never share cached records or touch the user's cache.
 * Unless the test names an index or a pip configuration, resolution finds no configuration and
 * a package index on a closed loopback port: a test that resolves by mistake fails at once,
 * and none ever reaches the network.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number;
}

export async function runCli(
  args: readonly string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    stdin?: string;
    stdoutIsTTY?: boolean;
  },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const given = options.env ?? {};
  const env =
    given.PIP_INDEX_URL === undefined && given.PIP_CONFIG_FILE === undefined
      ? { ...given, PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: 'http://127.0.0.1:9/simple/' }
      : given;
  const ownCache =
    env.XDG_CACHE_HOME === undefined &&
    env.PYAUDIT_CACHE_DIR === undefined &&
    env.HOME === undefined
      ? await mkdtemp(path.join(tmpdir(), 'pyaudit-run-cache-'))
      : undefined;
  try {
    const code = await main(args, {
      stdout: {
        isTTY: options.stdoutIsTTY ?? false,
        write: (s: string, done?: (error?: Error | null) => void) => {
          stdout += s;
          done?.();
          return true;
        },
      },
      stderr: { isTTY: false, write: (s: string) => (stderr += s) },
      stdin: Readable.from(options.stdin !== undefined ? [Buffer.from(options.stdin)] : []),
      env: ownCache !== undefined ? { ...env, XDG_CACHE_HOME: ownCache } : env,
      cwd: options.cwd,
    });
    return { stdout, stderr, code };
  } finally {
    if (ownCache !== undefined) await rm(ownCache, { recursive: true, force: true });
  }
}
