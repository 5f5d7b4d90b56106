/**
 * The environment benchmarks give the CLI: a cache folder of the benchmark's own (never the
 * user's), in which one run has already kept the CLI's compiled code, as it is for every run
 * after the first one on a machine. (The first run compiles the bundle: about 0.05 s more.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export async function benchCliEnv(bin: string): Promise<NodeJS.ProcessEnv> {
  const home = await mkdtemp(path.join(tmpdir(), 'pyaudit-bench-cli-'));
  const env = { ...process.env, XDG_CACHE_HOME: path.join(home, 'cache') };
  const empty = path.join(home, 'requirements.txt');
  await writeFile(empty, 'packaging==24.0\n');
  await promisify(execFile)(process.execPath, [bin, '-r', empty, '--dry-run'], { env });
  return env;
}
