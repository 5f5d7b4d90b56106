/**
 * Resolution from the command line: unpinned requirements are resolved against a real index
 * server on 127.0.0.1 (built from the fixture scenarios) and the resolved set is audited
 * against the test OSV server; the answers are pip's (test/fixtures/index/expected.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../src/standards/osv.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';
import { startIndexServer, type IndexTestServer } from './index-server.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/index');
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as {
  scenarios: Record<string, { packages?: string[][] }>;
};

const UTIL_ADVISORY: OsvRecord = {
  id: 'PYSEC-2099-50',
  modified: '2099-01-01T00:00:00Z',
  summary: 'util flaw',
  details: 'A flaw in util before 2.0.',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'util' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
    },
  ],
} as OsvRecord;

let osv: OsvTestServer;
let index: IndexTestServer;
let home: string;

beforeAll(async () => {
  osv = await startOsvServer([UTIL_ADVISORY]);
  index = await startIndexServer({ kind: 'scenario', dir: path.join(FIXTURES, 'basic') });
  home = await mkdtemp(path.join(tmpdir(), 'pyaudit-resolve-cli-'));
});
afterAll(async () => {
  await Promise.all([osv.close(), index.close()]);
  await rm(home, { recursive: true, force: true });
});

/** A machine with no pip configuration: HOME, caches and pip's config all in the temp folder. */
const cleanEnv = (): Record<string, string> => ({
  HOME: home,
  XDG_CACHE_HOME: path.join(home, 'cache'),
  XDG_CONFIG_HOME: path.join(home, 'config'),
  PIP_CONFIG_FILE: '/dev/null',
});
const TARGET = ['--python-version', '3.11', '--platform', 'linux'];

const run = (args: string[], cwd: string, env: Record<string, string> = cleanEnv()) =>
  runCli(['--osv-url', osv.url, ...TARGET, ...args], { cwd, env });

describe('resolving requirements files', () => {
  it('resolves unpinned requirements with their dependencies and audits them all, with the chain', async () => {
    index.resetStats();
    const cwd = path.join(FIXTURES, 'basic');
    const result = await run(
      ['-r', 'requirements.txt', '--index-url', `${index.url}/simple`, '-f', 'json', '--no-cache'],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `pyaudit: resolving for Python 3.11.0 on linux x86_64 (--python-version, --platform) from ${index.url}/simple\n` +
        'Found 1 known vulnerability in 1 package\n',
    );
    const report = JSON.parse(result.stdout) as {
      dependencies: Array<{
        name: string;
        version: string;
        direct?: boolean;
        via?: string[];
        source?: string;
        vulns: Array<{ id: string }>;
      }>;
    };
    expect(report.dependencies.map((d) => [d.name, d.version]).sort()).toEqual(
      expected.scenarios.basic!.packages,
    );
    expect(report.dependencies.find((d) => d.name === 'util')).toMatchObject({
      direct: false,
      via: ['app'],
      source: 'requirements.txt:1',
      vulns: [{ id: 'PYSEC-2099-50' }],
    });
    expect(index.stats.pages).toBeGreaterThan(0);
  });

  it('--no-deps keeps pip-audit meaning: only pinned requirements, no index asked', async () => {
    index.resetStats();
    const cwd = path.join(FIXTURES, 'basic');
    const result = await run(
      ['-r', 'requirements.txt', '--index-url', `${index.url}/simple`, '--no-deps'],
      cwd,
    );
    // Nothing in the file is pinned, so nothing was audited: exit 2, never a clean result.
    expect(result).toEqual({
      code: 2,
      stdout:
        'Name Skip Reason\n---- ------------------------------\napp  requirement is not pinned: app\n',
      stderr:
        'pyaudit: warning: 1 of 1 dependency was not audited (see Skip Reason); --strict makes that an error\n' +
        'pyaudit: error: nothing could be audited: 1 dependency was found, none with a version that can be checked (see Skip Reason)\n',
    });
    expect(index.stats.requests).toBe(0);
  });

  it('--dry-run -f json lists the resolution without asking a vulnerability source', async () => {
    const server = await startIndexServer({ kind: 'scenario', dir: path.join(FIXTURES, 'extras') });
    try {
      const result = await run(
        [
          '-r',
          'requirements.txt',
          '--index-url',
          `${server.url}/simple`,
          '--dry-run',
          '-f',
          'json',
          '--no-cache',
        ],
        path.join(FIXTURES, 'extras'),
      );
      expect(result.code).toBe(0);
      const names = (
        JSON.parse(result.stdout) as { dependencies: Array<{ name: string; version: string }> }
      ).dependencies
        .map((d) => [d.name, d.version])
        .sort();
      expect(names).toEqual(expected.scenarios.extras!.packages);
      expect(result.stderr).toContain(
        'Dry run: collected 6 dependencies (6 auditable); nothing was audited\n',
      );
    } finally {
      await server.close();
    }
  });

  it('a conflict and a missing package are one line each, exit 2', async () => {
    const server = await startIndexServer({
      kind: 'scenario',
      dir: path.join(FIXTURES, 'conflict'),
    });
    try {
      const conflict = await run(
        ['-r', 'requirements.txt', '--index-url', `${server.url}/simple`, '--no-cache'],
        path.join(FIXTURES, 'conflict'),
      );
      expect(conflict.code).toBe(2);
      expect(conflict.stderr.split('\n').filter(Boolean).slice(1)).toEqual([
        'pyaudit: error: cannot resolve the requirements: flask 3.0.0 requires werkzeug>=3.0, but constraints.txt:2 constrains werkzeug to werkzeug==2.3.8',
      ]);
      const dir = await mkdtemp(path.join(home, 'missing-'));
      await writeFile(path.join(dir, 'requirements.txt'), 'flask\nno-such-project>=1\n');
      const missing = await run(
        ['-r', 'requirements.txt', '--index-url', `${server.url}/simple`, '--no-cache'],
        dir,
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr.split('\n').filter(Boolean).slice(1)).toEqual([
        `pyaudit: error: cannot resolve the requirements: requirements.txt:2 requires no-such-project>=1, but ${server.url}/simple has no project named no-such-project`,
      ]);
    } finally {
      await server.close();
    }
  });

  it('a version with no file for the target says so', async () => {
    const server = await startIndexServer({
      kind: 'scenario',
      dir: path.join(FIXTURES, 'wheel-tags'),
    });
    try {
      const dir = await mkdtemp(path.join(home, 'tags-'));
      await writeFile(path.join(dir, 'requirements.txt'), 'native>1\n');
      const result = await run(
        ['-r', 'requirements.txt', '--index-url', `${server.url}/simple`, '--no-cache'],
        dir,
      );
      expect([result.code, result.stderr.split('\n').filter(Boolean).pop()]).toEqual([
        2,
        `pyaudit: error: cannot resolve the requirements: requirements.txt:1 requires native>1, but no version of native on ${server.url}/simple matches (newest: 1.0)`,
      ]);
      await writeFile(path.join(dir, 'requirements.txt'), 'native\n');
      const windows = await run(
        [
          '-r',
          'requirements.txt',
          '--index-url',
          `${server.url}/simple`,
          '--no-cache',
          '--dry-run',
          '-f',
          'json',
        ],
        dir,
      );
      expect(JSON.parse(windows.stdout).dependencies[0]).toMatchObject({
        name: 'native',
        version: '1.0',
      });
    } finally {
      await server.close();
    }
  });

  it('reads the index from pip configuration, PIP_INDEX_URL and the file own --index-url; credentials are redacted', async () => {
    const dir = await mkdtemp(path.join(home, 'config-'));
    const host = index.url.replace('http://', '');
    await writeFile(path.join(dir, 'requirements.txt'), 'util<1.2\n');
    await writeFile(
      path.join(dir, 'pip.conf'),
      `[global]\nindex-url = http://cfg:cfg-secret@${host}/simple\n`,
    );
    const viaConfig = await run(
      ['-r', 'requirements.txt', '--dry-run', '-f', 'json', '--no-cache'],
      dir,
      {
        ...cleanEnv(),
        PIP_CONFIG_FILE: path.join(dir, 'pip.conf'),
      },
    );
    expect(viaConfig.stderr.split('\n')[0]).toBe(
      `pyaudit: resolving for Python 3.11.0 on linux x86_64 (--python-version, --platform) from http://cfg:****@${host}/simple`,
    );
    expect(JSON.parse(viaConfig.stdout).dependencies).toMatchObject([
      { name: 'util', version: '1.1' },
    ]);
    expect(viaConfig.stdout + viaConfig.stderr).not.toContain('cfg-secret');
    index.resetStats();
    const viaEnv = await run(['-r', 'requirements.txt', '--dry-run', '--no-cache'], dir, {
      ...cleanEnv(),
      PIP_INDEX_URL: `${index.url}/simple`,
    });
    expect(viaEnv.code).toBe(0);
    expect(index.stats.pages).toBe(1);
    await writeFile(path.join(dir, 'in-file.txt'), `--index-url ${index.url}/simple\nutil<1.2\n`);
    const inFile = await run(['-r', 'in-file.txt', '--dry-run', '-f', 'json', '--no-cache'], dir);
    expect(JSON.parse(inFile.stdout).dependencies).toMatchObject([
      { name: 'util', version: '1.1' },
    ]);
  });

  it('a requirement whose marker is false for the target is skipped on purpose', async () => {
    const dir = await mkdtemp(path.join(home, 'markers-'));
    await writeFile(path.join(dir, 'requirements.txt'), 'util\nlib; python_version < "3.0"\n');
    const result = await run(
      [
        '-r',
        'requirements.txt',
        '--index-url',
        `${index.url}/simple`,
        '--dry-run',
        '-f',
        'json',
        '--no-cache',
      ],
      dir,
    );
    expect(JSON.parse(result.stdout).dependencies).toEqual([
      {
        name: 'util',
        version: '1.2',
        direct: true,
        via: [],
        source: 'requirements.txt:1',
        vulns: [],
      },
      {
        name: 'lib',
        skip_reason: 'not installed in the target environment (marker: python_version < "3.0")',
        marker: 'python_version < "3.0"',
      },
    ]);
  });

  it('an sdist with dynamic metadata is audited, its dependencies listed as unknown; --strict fails; setup.py never runs', async () => {
    const server = await startIndexServer({
      kind: 'scenario',
      dir: path.join(FIXTURES, 'sdist-dynamic'),
    });
    const marks = await mkdtemp(path.join(home, 'marks-'));
    try {
      const cwd = path.join(FIXTURES, 'sdist-dynamic');
      const env = { ...cleanEnv(), PYAUDIT_PWNED_DIR: marks };
      const args = ['-r', 'requirements.txt', '--index-url', `${server.url}/simple`, '--no-cache'];
      const plain = await run(args, cwd, env);
      expect(plain.code).toBe(0);
      expect(plain.stderr).toContain(
        'pyaudit: warning: app 1.0: dependencies unknown: app-1.0.tar.gz is a source distribution whose dependencies are computed when it is built (Metadata-Version 2.1), and pyaudit never runs package code; it is audited, what it would pull in is not\n',
      );
      const strict = await run([...args, '--strict'], cwd, env);
      expect(strict.code).toBe(2);
      expect(strict.stderr.split('\n').filter(Boolean).pop()).toBe(
        'pyaudit: error: requirements.txt:1: app 1.0: dependencies unknown: app-1.0.tar.gz is a source distribution whose dependencies are computed when it is built (Metadata-Version 2.1), and pyaudit never runs package code (--strict)',
      );
      expect(existsSync(path.join(marks, 'pwned'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('caches index pages and metadata in the cache folder and revalidates them', async () => {
    const cache = await mkdtemp(path.join(home, 'cache-'));
    const cwd = path.join(FIXTURES, 'basic');
    const args = [
      '-r',
      'requirements.txt',
      '--index-url',
      `${index.url}/simple`,
      '--dry-run',
      '--cache-dir',
      cache,
    ];
    index.resetStats();
    await run(args, cwd);
    const cold = { ...index.stats };
    index.resetStats();
    await run(args, cwd);
    expect(cold.notModified).toBe(0);
    expect(index.stats.notModified).toBe(cold.pages);
    expect(index.stats.metadata + index.stats.ranges + index.stats.downloads).toBe(0);
    await mkdir(path.join(cache, 'index'), { recursive: true });
    expect(existsSync(path.join(cache, 'index', 'pages'))).toBe(true);
  });
});

describe('resolving manifests without a lock file', () => {
  it('a pyproject.toml resolves its main dependencies and selected extras; --no-deps lists them unpinned', async () => {
    const dir = await mkdtemp(path.join(home, 'pyproject-'));
    await writeFile(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "demo"\nversion = "0.1"\ndependencies = ["app>=1"]\n\n[project.optional-dependencies]\nlegacy = ["lib<2"]\n',
    );
    const base = [
      'pyproject.toml',
      '--index-url',
      `${index.url}/simple`,
      '--dry-run',
      '-f',
      'json',
      '--no-cache',
    ];
    const main = await run(base, dir);
    expect(main.code).toBe(0);
    // The manifest's coverage note survives resolution.
    expect(main.stderr.split('\n')[2]).toBe(
      'pyaudit: pyproject.toml: 1 of 2 declared requirements selected: default groups; python_version 3.11, python_full_version 3.11.0, sys_platform linux, platform_system Linux, os_name posix',
    );
    // lib is declared by the unselected extra too, but installed anyway as app's dependency.
    expect(JSON.parse(main.stdout).dependencies).toEqual([
      {
        name: 'app',
        version: '2.0',
        direct: true,
        via: [],
        groups: ['main'],
        source: 'pyproject.toml:4',
        vulns: [],
      },
      {
        name: 'lib',
        version: '2.1',
        direct: false,
        via: ['app'],
        source: 'pyproject.toml:4',
        vulns: [],
      },
      {
        name: 'util',
        version: '1.2',
        direct: false,
        via: ['app'],
        source: 'pyproject.toml:4',
        vulns: [],
      },
    ]);
    // With the extra, lib<2 joins the roots: app 2.0 needs lib>=2.0, so pip's answer is app 1.0.
    const extra = await run([...base, '--extra', 'legacy'], dir);
    expect(
      (JSON.parse(extra.stdout).dependencies as Array<{ name: string; version?: string }>)
        .map((d) => `${d.name} ${d.version}`)
        .sort(),
    ).toEqual(['app 1.0', 'lib 1.0']);
    const pinnedOnly = await run([...base, '--no-deps'], dir);
    expect(JSON.parse(pinnedOnly.stdout).dependencies[0]).toMatchObject({
      name: 'app',
      skip_reason: 'requirement is not pinned to an exact version: app>=1',
    });
  });
});

describe('resolving scripts and conda pip sections', () => {
  it('a PEP 723 script and the pip: list of a conda environment resolve like requirements', async () => {
    const dir = await mkdtemp(path.join(home, 'script-'));
    await writeFile(
      path.join(dir, 'tool.py'),
      '# /// script\n# dependencies = [\n#   "lib>=2",\n# ]\n# ///\nprint("hi")\n',
    );
    await writeFile(
      path.join(dir, 'environment.yml'),
      'name: demo\ndependencies:\n  - python=3.11\n  - pip:\n    - lib<2\n',
    );
    const common = ['--index-url', `${index.url}/simple`, '--dry-run', '-f', 'json', '--no-cache'];
    const script = await run(['tool.py', ...common], dir);
    expect(
      (
        JSON.parse(script.stdout).dependencies as Array<{
          name: string;
          version: string;
          via: string[];
        }>
      ).map((d) => `${d.name} ${d.version} via ${d.via.join('>')}`),
    ).toEqual(['lib 2.1 via ', 'util 1.2 via lib']);
    const conda = await run(['environment.yml', ...common], dir);
    const deps = JSON.parse(conda.stdout).dependencies as Array<{
      name: string;
      version?: string;
      skip_reason?: string;
    }>;
    expect(deps.map((d) => `${d.name} ${d.version ?? d.skip_reason}`)).toEqual([
      expect.stringMatching(/^python /),
      'lib 1.0',
    ]);
  });
});
