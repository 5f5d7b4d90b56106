/**
 * Issue 11 benchmarks:
 *
 * - `db import` of a generated 30,000-record OSV zip (copies of the PyPA records under new ids
 *   and package names, as OSV's whole PyPI data is about that size): wall time and peak RSS
 *   of the importing process;
 * - peak RSS of the 692-package audit from that database (offline, cold process);
 * - a load test of `db serve` over that database: 64 keep-alive clients for 30 s
 *   (BENCH_LOAD_SECONDS), alternating a `querybatch` of 100 pinned packages and a
 *   `GET /v1/vulns/{id}`; p50/p99 latency and errors (must be 0).
 *
 * Peak RSS is the child's own `process.resourceUsage().maxRSS`, printed at exit by a preload.
 */
import { execFile, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import yaml from 'js-yaml';
import { benchTempDir, BIN, requireShared, SHARED } from './common.js';

const exec = promisify(execFile);
const TARGET = Number(process.env.BENCH_IMPORT_RECORDS ?? 30_000);

requireShared('advisory-database');

const work = benchTempDir('pyaudit-bench-hardening-');
const preload = path.join(work, 'rss.cjs');
await writeFile(
  preload,
  "process.on('exit', () => process.stderr.write(`\\nRSS_KB=${process.resourceUsage().maxRSS}\\n`));\n",
);

/** Runs the CLI; its caches (the compiled code's too) are in this benchmark's folder. */
async function measure(args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const result = await exec(process.execPath, ['--require', preload, BIN, ...args], {
    env: { ...process.env, XDG_CACHE_HOME: path.join(work, 'xdg'), ...env },
    maxBuffer: 64 << 20,
  }).catch((e: { stdout: string; stderr: string }) => e);
  const ms = performance.now() - started;
  const rss = Number(/RSS_KB=(\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1024;
  return { ms, rssMb: rss, stderr: result.stderr };
}

// 30,000 records: the PyPA records, copied under new ids and package names.
const files: string[] = [];
const walk = (dir: string): void => {
  for (const e of readdirSync(dir)) {
    const full = path.join(dir, e);
    if (statSync(full).isDirectory()) walk(full);
    else if (e.endsWith('.yaml')) files.push(full);
  }
};
walk(path.join(SHARED, 'advisory-database', 'vulns'));
const originals = files.map(
  (f) =>
    yaml.load(readFileSync(f, 'utf8'), { schema: yaml.FAILSAFE_SCHEMA }) as Record<string, unknown>,
);
const entries: Record<string, Uint8Array> = {};
for (let i = 0; i < TARGET; i++) {
  const copy = Math.floor(i / originals.length);
  const record = structuredClone(originals[i % originals.length]!) as {
    id: string;
    affected?: Array<{ package?: { name: string } }>;
  };
  if (copy > 0) {
    record.id = `${record.id}-C${copy}`;
    for (const a of record.affected ?? [])
      if (a.package) a.package.name = `${a.package.name}-c${copy}`;
  }
  entries[`${record.id}.json`] = new TextEncoder().encode(JSON.stringify(record));
}
const zipFile = path.join(work, 'all.zip');
await writeFile(zipFile, zipSync(entries, { level: 6 }));
const json = Object.values(entries).reduce((n, e) => n + e.length, 0);
console.log(
  `generated ${TARGET.toLocaleString('en-US')} records: ${(json / 1048576).toFixed(0)} MiB of JSON, zip ${(statSync(zipFile).size / 1048576).toFixed(0)} MiB`,
);

const dbDir = path.join(work, 'db');
const imported = await measure(['db', 'import', '--replace', zipFile, '--db-dir', dbDir]);
console.log(
  `db import of ${TARGET.toLocaleString('en-US')} records: ${(imported.ms / 1000).toFixed(1)} s, peak RSS ${imported.rssMb.toFixed(0)} MB`,
);
const again = await measure(['db', 'import', zipFile, '--db-dir', dbDir]);
console.log(
  `db import of the same records into that database: ${(again.ms / 1000).toFixed(1)} s, peak RSS ${again.rssMb.toFixed(0)} MB`,
);

const pins = path.join(SHARED, 'bench-data', 'pinned_large_requirements.txt');
const offline = await measure([
  '--offline',
  '--db-dir',
  dbDir,
  '-r',
  pins,
  '-f',
  'json',
  '-o',
  path.join(work, 'out.json'),
]);
console.log(
  `offline audit of the 692 pinned packages from it: ${(offline.ms / 1000).toFixed(2)} s, peak RSS ${offline.rssMb.toFixed(0)} MB`,
);

// Load test: `pyaudit db serve` as its own process over the 30,000-record database.
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
const serve = spawn(
  process.execPath,
  [BIN, 'db', 'serve', '--port', '0', '-q', '--db-dir', dbDir],
  {
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
const serveUrl = await new Promise<string>((resolve, reject) => {
  let log = '';
  serve.stderr.on('data', (d: Buffer) => {
    log += d.toString();
    const m = /at (http:\/\/\S+)/.exec(log);
    if (m) resolve(m[1]!);
  });
  serve.once('exit', (code) => reject(new Error(`db serve exited ${code}: ${log}`)));
});
const pinned = readFileSync(pins, 'utf8')
  .split('\n')
  .filter((l) => /^[A-Za-z0-9].*==/.test(l))
  .map((l) => l.split('==').map((x) => x.trim()) as [string, string]);
const ids = Object.keys(entries).map((n) => n.slice(0, -'.json'.length));
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const latencies: number[] = [];
let errors = 0;
const once = (method: string, target: string, body?: string) =>
  new Promise<void>((resolve) => {
    const started = performance.now();
    const req = request(
      `${serveUrl}${target}`,
      {
        method,
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          latencies.push(performance.now() - started);
          if (res.statusCode !== 200) errors++;
          resolve();
        });
      },
    );
    req.once('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
const until = performance.now() + LOAD_SECONDS * 1000;
await Promise.all(
  Array.from({ length: 64 }, async (_, client) => {
    for (let i = client; performance.now() < until; i++) {
      if (i % 2 === 0) {
        const queries = Array.from({ length: 100 }, (_, k) => {
          const [name, version] = pinned[(i * 100 + k) % pinned.length]!;
          return { package: { name, ecosystem: 'PyPI' }, version };
        });
        await once('POST', '/v1/querybatch', JSON.stringify({ queries }));
      } else {
        await once('GET', `/v1/vulns/${encodeURIComponent(ids[(i * 7919) % ids.length]!)}`);
      }
    }
  }),
);
agent.destroy();
serve.kill('SIGTERM');
latencies.sort((a, b) => a - b);
const pct = (p: number): number =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
console.log(
  `db serve under load (64 clients, ${LOAD_SECONDS} s, half querybatch of 100, half records): ` +
    `${latencies.length.toLocaleString('en-US')} requests (${Math.round(latencies.length / LOAD_SECONDS)}/s), ` +
    `p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms, errors ${errors}`,
);
