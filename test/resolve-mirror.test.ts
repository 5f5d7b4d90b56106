/**
 * Resolution on real metadata: the machine's local mirror of real wheels (the one pip is
 * configured with, /opt/pypi and /opt/pypi-more) served over HTTP on 127.0.0.1, compared with
 * pip's resolution of the same index (recorded by test/fixtures/generate_index.py), then
 * audited against the real PyPA advisories. Skipped with a notice where the mirror is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAdvisories } from './helpers/advisories.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, REPO_ROOT, sharedPath } from './helpers/shared.js';
import { startIndexServer, type IndexTestServer } from './index-server.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

const MIRRORS = ['/opt/pypi', '/opt/pypi-more'];
const expected = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'test/fixtures/index/expected.json'), 'utf8'),
) as {
  mirror: { small: string[][]; large53: string[][] };
};
const tags = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'test/fixtures/index/tags.json'), 'utf8'),
) as {
  markers: Record<string, string>;
};
const mirrorPresent = MIRRORS.every((m) => existsSync(path.join(m, 'simple')));
if (!mirrorPresent)
  console.warn(
    `[pyaudit tests] skipping the real-mirror resolution tests: ${MIRRORS.join(', ')} not found`,
  );

describeShared('resolution against the local mirror of real wheels', () => {
  let index: IndexTestServer;
  let osv: OsvTestServer;
  let home: string;
  beforeAll(async () => {
    if (!mirrorPresent) return;
    index = await startIndexServer({
      kind: 'static',
      roots: MIRRORS.map((dir) => ({ prefix: `/${path.basename(dir)}/`, dir: `${dir}/` })),
    });
    const records = expected.mirror.small.flatMap(([name]) => {
      const dir = sharedPath('advisory-database', 'vulns', name!);
      return existsSync(dir) ? loadAdvisories(dir) : [];
    });
    osv = await startOsvServer(records);
    home = await mkdtemp(path.join(tmpdir(), 'pyaudit-mirror-'));
    await writeFile(path.join(home, 'markers.json'), JSON.stringify(tags.markers));
  });
  afterAll(async () => {
    if (!mirrorPresent) return;
    await Promise.all([index.close(), osv.close()]);
    await rm(home, { recursive: true, force: true });
  });
  const env = (): Record<string, string> => ({
    HOME: home,
    XDG_CACHE_HOME: path.join(home, 'cache'),
    PIP_CONFIG_FILE: '/dev/null',
  });
  /** The index, and the Python pip resolved for (its marker environment, recorded with its answers). */
  const indexArgs = (): string[] => [
    '--index-url',
    `${index.url}/pypi/simple`,
    '--extra-index-url',
    `${index.url}/pypi-more/simple`,
    '--python-version',
    tags.markers.python_version!,
    '--marker-env',
    path.join(home, 'markers.json'),
  ];

  it.skipIf(!mirrorPresent)("small_requirements.txt: pip's 22 packages, all audited", async () => {
    const result = await runCli(
      [
        '-r',
        sharedPath('bench-data', 'small_requirements.txt'),
        ...indexArgs(),
        '--osv-url',
        osv.url,
        '-f',
        'json',
        '--no-cache',
      ],
      { cwd: home, env: env() },
    );
    const report = JSON.parse(result.stdout) as {
      dependencies: Array<{ name: string; version?: string; skip_reason?: string }>;
    };
    expect(report.dependencies.map((d) => [d.name, d.version]).sort()).toEqual(
      expected.mirror.small,
    );
    expect(report.dependencies.every((d) => d.skip_reason === undefined)).toBe(true);
    expect(result.stderr.split('\n').slice(-2)[0]).toMatch(
      /^(No known vulnerabilities found|Found \d+ known vulnerabilit(y|ies) in \d+ packages?)$/,
    );
    expect(osv.stats.requests).toBeGreaterThan(0);
  });

  it.skipIf(!mirrorPresent)(
    "the 53 large requirements the mirror holds: pip's 117 packages",
    async () => {
      const large = readFileSync(sharedPath('bench-data', 'large_requirements.txt'), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^(bandit|asyncio)\b/.test(l));
      expect(large).toHaveLength(53);
      const file = path.join(home, 'large53.txt');
      await writeFile(file, `${large.join('\n')}\n`);
      const result = await runCli(
        ['-r', file, ...indexArgs(), '--dry-run', '-f', 'json', '--no-cache'],
        { cwd: home, env: env() },
      );
      const report = JSON.parse(result.stdout) as {
        dependencies: Array<{ name: string; version: string }>;
      };
      expect(report.dependencies.map((d) => [d.name, d.version]).sort()).toEqual(
        expected.mirror.large53,
      );
      expect(expected.mirror.large53).toHaveLength(117);
    },
  );
});
