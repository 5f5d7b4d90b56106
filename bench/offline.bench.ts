/**
 * Offline database benchmark over ../shared/advisory-database:
 *
 * - `db import` of the whole PyPA database (cold process), and the file it writes;
 * - opening the database (read + checksum + index) in-process;
 * - an offline audit of the 692 pinned Airflow constraints, cold process, database open
 *   included;
 * - `db serve` throughput: 64 concurrent clients sending querybatch requests of 100 queries
 *   over loopback for a fixed number of requests.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { request, Agent } from 'node:http';
import { serveOsvApi } from '../src/serve/server.js';
import { openDatabase } from '../src/vulns/local/database.js';
import { benchCliEnv, benchTempDir, BIN, median, requireShared, SHARED } from './common.js';

const exec = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

requireShared('advisory-database');

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const dbDir = benchTempDir('pyaudit-bench-db-');
const env = await benchCliEnv();
const importTimes: number[] = [];
for (let i = 0; i < Math.min(RUNS, 3); i++) {
  importTimes.push(
    await timed(() =>
      exec(
        process.execPath,
        [
          BIN,
          'db',
          'import',
          '--replace',
          path.join(SHARED, 'advisory-database'),
          '--db-dir',
          dbDir,
        ],
        { env },
      ),
    ),
  );
}
const size = (await stat(path.join(dbDir, 'osv-pypi.db'))).size;

const openTimes: number[] = [];
for (let i = 0; i < 20; i++) openTimes.push(await timed(async () => openDatabase(dbDir)));

const large = path.join(SHARED, 'bench-data/pinned_large_requirements.txt');
const auditTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  auditTimes.push(
    await timed(() =>
      exec(
        process.execPath,
        [
          BIN,
          '-r',
          large,
          '--offline',
          '--db-dir',
          dbDir,
          '-f',
          'json',
          '--progress-spinner',
          'off',
        ],
        { env },
      ).catch((e: { code?: number; stderr?: string }) => {
        if (e.code !== 1) throw new Error(`offline audit failed: ${e.stderr}`);
      }),
    ),
  );
}

// Serve throughput: 64 keep-alive clients, querybatch of 100 pinned packages each.
const { store } = openDatabase(dbDir);
const server = await serveOsvApi(store, { port: 0 });
const lines = (await readFile(large, 'utf8')).split('\n').filter((l) => /^[A-Za-z0-9].*==/.test(l));
const queries = lines.slice(0, 100).map((l) => {
  const [name, version] = l.split('==');
  return { package: { name: name!.trim(), ecosystem: 'PyPI' }, version: version!.trim() };
});
const body = JSON.stringify({ queries });
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const post = () =>
  new Promise<void>((resolve, reject) => {
    const req = request(
      `${server.url}/v1/querybatch`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.once('error', reject);
    req.end(body);
  });
const TOTAL = 2000;
let sent = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (sent < TOTAL) {
      sent++;
      await post();
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
await server.stop();

console.log('pyaudit offline database benchmark (../shared/advisory-database: 2,661 records)\n');
console.log(
  `db import (cold process, 2,661 YAML records) median ${(median(importTimes) / 1000).toFixed(2)} s`,
);
console.log(`database file                                  ${(size / 1048576).toFixed(2)} MiB`);
console.log(
  `open (read, CRC-32, index)                     median ${median(openTimes).toFixed(1)} ms`,
);
console.log(
  `offline audit, 692 pinned (cold process)       median ${(median(auditTimes) / 1000).toFixed(3)} s`,
);
console.log(
  `db serve: ${TOTAL} querybatch requests x 100 queries, 64 clients  ${(TOTAL / seconds).toFixed(0)} requests/s (${((TOTAL * 100) / seconds).toFixed(0)} package queries/s)`,
);
