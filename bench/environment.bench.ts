/**
 * Reading an installed environment: 700 distributions laid out as pip writes them
 * (`*.dist-info` with METADATA, RECORD, INSTALLER, some with Requires-Dist), read with the
 * dependency graph built. Prints the median of in-process runs, and a cold `--dry-run` of
 * the whole CLI over the same folder.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { collectEnvironment } from '../src/sources/environment/collect.js';
import { benchCliEnv, benchTempDir, BIN, median } from './common.js';

const exec = promisify(execFile);
const COUNT = 700;
const site = benchTempDir('pyaudit-bench-env-');
for (let i = 0; i < COUNT; i++) {
  const dir = path.join(site, `package_${i}-1.${i % 50}.0.dist-info`);
  mkdirSync(dir);
  // A realistic graph: each package requires up to three packages with larger numbers
  // (a few roots, shallow chains), plus an extra that is not installed.
  const requires = [1, 7, 31]
    .map((step) => i * 3 + step)
    .filter((j) => j < COUNT)
    .map((j) => `Requires-Dist: package-${j} (>=1.0) ; python_version >= "3.8"`)
    .concat(['Requires-Dist: extra-thing ; extra == "test"']);
  writeFileSync(
    path.join(dir, 'METADATA'),
    [
      'Metadata-Version: 2.1',
      `Name: package_${i}`,
      `Version: 1.${i % 50}.0`,
      'Summary: bench',
      ...requires,
      '',
      'A long description.\n'.repeat(50),
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'RECORD'), '');
  writeFileSync(path.join(dir, 'INSTALLER'), 'pip\n');
}

const times: number[] = [];
for (let run = 0; run < 15; run++) {
  const t = performance.now();
  const { dependencies } = await collectEnvironment({ paths: [site], markers: {} });
  times.push(performance.now() - t);
  if (dependencies.length !== COUNT) throw new Error(`read ${dependencies.length} of ${COUNT}`);
}
const env = await benchCliEnv();
const cold: number[] = [];
for (let run = 0; run < 5; run++) {
  const t = performance.now();
  await exec(process.execPath, [BIN, '--path', site, '--dry-run', '-f', 'json'], {
    env,
    maxBuffer: 64 << 20,
  });
  cold.push(performance.now() - t);
}
console.log(
  `\npyaudit environment benchmark — ${COUNT} installed distributions (with Requires-Dist graph)`,
);
console.log(
  `read in-process           median ${median(times).toFixed(1)} ms (first run ${times[0]!.toFixed(1)} ms)`,
);
console.log(
  `pyaudit --path --dry-run  median ${(median(cold) / 1000).toFixed(3)} s (cold process)`,
);
