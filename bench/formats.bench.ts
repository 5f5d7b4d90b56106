/**
 * Parsing lock files: ../shared/bench-data/uv.lock (a real 2,972-line lock) parsed and
 * selected (groups, extras, graph) in-process; median of repeated runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { selectLocked } from '../src/sources/lock/graph.js';
import { parseUvLock } from '../src/sources/lock/uv.js';
import { median, SHARED } from './common.js';

const file = path.join(SHARED, 'bench-data/uv.lock');
if (!existsSync(file)) {
  console.error(`bench: ${file} not found`);
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const parseTimes: number[] = [];
const selectTimes: number[] = [];
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  const graph = parseUvLock(text, file);
  const t1 = performance.now();
  selectLocked(graph, { allExtras: true });
  selectTimes.push(performance.now() - t1);
  parseTimes.push(t1 - t0);
}
console.log(
  `\npyaudit lock-file benchmark — bench-data/uv.lock (${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB)`,
);
console.log(
  `parse                 median ${median(parseTimes).toFixed(1)} ms (first ${parseTimes[0]!.toFixed(1)} ms)`,
);
console.log(
  `select + graph        median ${median(selectTimes).toFixed(1)} ms (first ${selectTimes[0]!.toFixed(1)} ms)`,
);
