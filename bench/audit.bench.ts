/**
 * Audit benchmark: the pinned requirement sets of ../shared/bench-data (185 and 692 packages)
 * and a vulnerable set (test/fixtures/audit/advisory-pins.txt: 245 packages, 537 records)
 * against the test OSV server serving the PyPA advisory database, with 0 ms and 50 ms added
 * to every request. Each run is cold: a new process (`bin/pyaudit.js`), no record cache (the
 * compiled code kept, as on every run after the first).
 *
 * Prints, per case: median wall time of the whole process, requests by route, and the peak
 * number of requests in flight.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadAdvisories } from '../test/helpers/advisories.js';
import { startOsvServer } from '../test/osv-server.js';
import { benchCliEnv, BIN, median, requireShared, ROOT, SHARED } from './common.js';

const exec = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

requireShared('advisory-database');

const inputs: Array<[string, string]> = [
  [
    '185 pinned (bench-data/pinned_requirements.txt)',
    path.join(SHARED, 'bench-data/pinned_requirements.txt'),
  ],
  [
    '692 pinned (bench-data/pinned_large_requirements.txt)',
    path.join(SHARED, 'bench-data/pinned_large_requirements.txt'),
  ],
  [
    '245 vulnerable, 537 records (test/fixtures/audit/advisory-pins.txt)',
    path.join(ROOT, 'test/fixtures/audit/advisory-pins.txt'),
  ],
];

const records = loadAdvisories(path.join(SHARED, 'advisory-database/vulns'));
const server = await startOsvServer(records);
const env = await benchCliEnv();
console.log(
  `pyaudit audit benchmark — ${records.length} OSV records, ${RUNS} cold runs per case (median)\n`,
);
console.log(
  'latency  input                                                             median    requests (batch/vulns)  peak in flight',
);
for (const latency of [0, 50]) {
  server.options = { latencyMs: latency };
  for (const [label, file] of inputs) {
    const times: number[] = [];
    let stats = { ...server.stats };
    for (let i = 0; i < RUNS; i++) {
      server.resetStats();
      const started = performance.now();
      await exec(
        process.execPath,
        [
          BIN,
          '--osv-url',
          server.url,
          '-r',
          file,
          '-f',
          'json',
          '--progress-spinner',
          'off',
          // Cold runs: the record cache (on by default) would make every run after the first warm.
          '--no-cache',
        ],
        { env, maxBuffer: 64 * 1024 * 1024 },
      ).catch((e: { code?: number }) => {
        if (e.code !== 1) throw e;
      });
      times.push(performance.now() - started);
      stats = { ...server.stats, byRoute: { ...server.stats.byRoute } };
    }
    const requests = `${stats.requests} (${stats.byRoute.querybatch}/${stats.byRoute.vulns})`;
    console.log(
      `${String(latency).padStart(4)} ms  ${label.padEnd(66)}${(median(times) / 1000).toFixed(3).padStart(7)} s  ${requests.padEnd(24)}${stats.peakInFlight}`,
    );
  }
}
await server.close();
