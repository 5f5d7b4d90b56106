/**
 * Resolving unpinned requirements against the machine's local mirror of real wheels (the
 * one pip is configured with: /opt/pypi and /opt/pypi-more), served over HTTP on 127.0.0.1
 * with 50 ms added to every request and `Cache-Control: max-age=600` on project pages (as
 * PyPI sends). The 10 requirements of ../shared/bench-data/small_requirements.txt and the 53
 * of large_requirements.txt the mirror holds (it lacks bandit and asyncio): the whole CLI
 * (`--dry-run`, so no vulnerability source), cold (empty cache folder) and warm, with the
 * index requests and the peak in flight; beside pip's `install --dry-run --report` on the
 * same index. Skipped with a notice where the mirror is absent.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startIndexServer } from '../test/index-server.js';
import { BIN, median, SHARED } from './common.js';

const exec = promisify(execFile);
const MIRRORS = ['/opt/pypi', '/opt/pypi-more'];
const LATENCY_MS = 50;

if (
  !MIRRORS.every((m) => existsSync(path.join(m, 'simple'))) ||
  !existsSync(path.join(SHARED, 'bench-data'))
) {
  console.log(`resolve benchmark skipped: needs ${MIRRORS.join(' and ')} and ../shared/bench-data`);
  process.exit(0);
}

const work = mkdtempSync(path.join(tmpdir(), 'pyaudit-bench-resolve-'));
const small = path.join(SHARED, 'bench-data/small_requirements.txt');
const large = path.join(work, 'large53.txt');
writeFileSync(
  large,
  readFileSync(path.join(SHARED, 'bench-data/large_requirements.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^(bandit|asyncio)\b/.test(l))
    .join('\n') + '\n',
);

const server = await startIndexServer(
  {
    kind: 'static',
    roots: MIRRORS.map((dir) => ({ prefix: `/${path.basename(dir)}/`, dir: `${dir}/` })),
  },
  { latencyMs: LATENCY_MS, cacheControl: 'max-age=600', ranges: true },
);
const indexes = MIRRORS.map((m) => `${server.url}/${path.basename(m)}/simple`);
const env = {
  PATH: process.env.PATH ?? '',
  HOME: work,
  XDG_CACHE_HOME: path.join(work, 'cache'),
  PIP_CONFIG_FILE: '/dev/null',
};

async function pyaudit(
  file: string,
  cacheDir: string,
): Promise<{ ms: number; packages: number; requests: number; peak: number }> {
  server.resetStats();
  const t = performance.now();
  const { stdout } = await exec(
    process.execPath,
    [
      BIN,
      '-r',
      file,
      '--index-url',
      indexes[0]!,
      '--extra-index-url',
      indexes[1]!,
      '--cache-dir',
      cacheDir,
      '--dry-run',
      '-f',
      'json',
    ],
    { env, maxBuffer: 64 << 20 },
  );
  const ms = performance.now() - t;
  const packages = (JSON.parse(stdout) as { dependencies: unknown[] }).dependencies.length;
  return { ms, packages, requests: server.stats.requests, peak: server.stats.peakInFlight };
}

async function pip(file: string): Promise<{ ms: number; packages: number } | null> {
  const report = path.join(work, 'report.json');
  const t = performance.now();
  try {
    await exec(
      'python3',
      [
        '-m',
        'pip',
        'install',
        '--dry-run',
        '--ignore-installed',
        '--quiet',
        '--no-cache-dir',
        '--report',
        report,
        '--index-url',
        indexes[0]!,
        '--extra-index-url',
        indexes[1]!,
        '-r',
        file,
      ],
      { env: { ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1' }, maxBuffer: 64 << 20 },
    );
  } catch {
    return null;
  }
  return {
    ms: performance.now() - t,
    packages: (JSON.parse(readFileSync(report, 'utf8')) as { install: unknown[] }).install.length,
  };
}

console.log(`resolution, ${LATENCY_MS} ms per request (whole CLI, --dry-run; median of 3)`);
for (const [label, file] of [
  ['small (10 top-level)', small],
  ['large (53 top-level)', large],
] as const) {
  const colds = [];
  const warms = [];
  for (let i = 0; i < 3; i++) {
    const cache = mkdtempSync(path.join(work, 'cache-'));
    colds.push(await pyaudit(file, cache));
    warms.push(await pyaudit(file, cache));
  }
  const cold = colds.sort((a, b) => a.ms - b.ms)[1]!;
  const warm = warms.sort((a, b) => a.ms - b.ms)[1]!;
  const p = await pip(file);
  console.log(
    `  ${label}: ${cold.packages} packages; cold ${(cold.ms / 1000).toFixed(2)} s (${cold.requests} requests, ${cold.peak} at once), warm ${(warm.ms / 1000).toFixed(2)} s (${warm.requests} requests); pip ${p ? `${(p.ms / 1000).toFixed(1)} s (${p.packages} packages)` : 'failed'}${p ? `, ${(p.ms / cold.ms).toFixed(1)}× slower cold` : ''}`,
  );
  void median;
}
await server.close();
rmSync(work, { recursive: true, force: true });
