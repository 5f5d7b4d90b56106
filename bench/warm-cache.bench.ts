/**
 * Cold vs warm cache: the 245 vulnerable packages of test/fixtures/audit/advisory-pins.txt
 * (537 records) against the test OSV server serving the PyPA advisory database, 50 ms added to
 * every request, each run a new process with the benchmark's own cache folder:
 *
 * - cold: an empty cache (the batch and every record; the compiled code written);
 * - warm, within the query cache's time to live: no request at all;
 * - warm, after it (the answers kept for 1 s, each run 1.1 s after the last): the batch only,
 *   the cached records read while it is in flight;
 * - warm, `--query-cache-ttl 0`: the batch only, the records read after it.
 *
 * Node's own start-up (`node -e 0`) is measured alongside, since it is part of every figure
 * and varies with the machine. Node 20 reads the file that `NODE_EXTRA_CA_CERTS` names when it
 * starts, before any of pyaudit's code runs (nodejs/node#40524; 0.09 s a start on the machine
 * of the README's figures): when it is set, every case is measured again without it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadAdvisories } from '../test/helpers/advisories.js';
import { startOsvServer } from '../test/osv-server.js';
import { benchTempDir, BIN, median, requireShared, ROOT, SHARED } from './common.js';

const exec = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

requireShared('advisory-database');

const work = benchTempDir('pyaudit-bench-warm-');
const reqs = path.join(work, 'vulnerable.txt');
await writeFile(
  reqs,
  readFileSync(path.join(ROOT, 'test', 'fixtures', 'audit', 'advisory-pins.txt'), 'utf8'),
);
const server = await startOsvServer(
  loadAdvisories(path.join(SHARED, 'advisory-database', 'vulns')),
  {
    latencyMs: 50,
  },
);
const args = [
  BIN,
  '--osv-url',
  server.url,
  '-r',
  reqs,
  '-f',
  'json',
  '-o',
  path.join(work, 'v.json'),
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every case, each run a new process with this environment. */
async function measure(env: NodeJS.ProcessEnv): Promise<string> {
  async function timed(argv: string[]): Promise<number> {
    const started = performance.now();
    await exec(process.execPath, argv, { env, maxBuffer: 64 << 20 }).catch(
      (e: { code?: number }) => {
        if (e.code !== 1) throw e;
      },
    );
    return performance.now() - started;
  }
  /** Median of RUNS runs (`before` each, untimed) and the requests per run. */
  async function runs(argv: string[], before?: () => Promise<unknown>) {
    server.resetStats();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await before?.();
      times.push(await timed(argv));
    }
    const { querybatch, vulns } = server.stats.byRoute;
    return `${(median(times) / 1000).toFixed(3)} s median (${querybatch / RUNS} batch, ${vulns / RUNS} records per run)`;
  }

  const cold = await runs(args, async () => {
    await exec('rm', ['-rf', path.join(work, 'cache')]);
  });
  await timed(args); // The cache warm again.
  const withinTtl = await runs(args);
  const afterTtl = await runs([...args, '--query-cache-ttl', '1'], () => sleep(1100));
  const noQueryCache = await runs([...args, '--query-cache-ttl', '0']);
  const nodeAlone: number[] = [];
  for (let i = 0; i < RUNS; i++) nodeAlone.push(await timed(['-e', '0']));
  return (
    `  cold (empty cache):                          ${cold}\n` +
    `  warm, within the query cache's time to live: ${withinTtl}\n` +
    `  warm, after it:                              ${afterTtl}\n` +
    `  warm, --query-cache-ttl 0:                   ${noQueryCache}\n` +
    `  Node's own start-up (node -e 0):             ${(median(nodeAlone) / 1000).toFixed(3)} s median`
  );
}

const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
const { NODE_EXTRA_CA_CERTS: extraCa, ...withoutExtraCa } = env;
let out =
  `pyaudit warm-cache benchmark — 245 vulnerable packages, 537 records, 50 ms per request, ${RUNS} runs each\n` +
  (await measure(env));
if (extraCa !== undefined)
  out += `\nwithout NODE_EXTRA_CA_CERTS (set here to ${extraCa}):\n${await measure(withoutExtraCa)}`;
await server.close();
console.log(out);
