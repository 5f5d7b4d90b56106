/**
 * Never clean by accident: unknown groups and extras, selection flags that do not apply,
 * empty but valid locks, malformed entries, `--strict` with what a selection left out,
 * `--skip-editable` in every format, the quiet skip table, and several lock files in one
 * folder. Each case runs the CLI on files written into a temporary folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, demoRecords } from '../../../test/helpers/fixtures.js';
import { runCli } from '../../../test/helpers/run-cli.js';
import { startOsvServer, type OsvTestServer } from '../../../test/osv-server.js';

const PROJECTS = path.join(FIXTURES_DIR, 'projects');
let server: OsvTestServer;
let dir: string;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
  dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-selection-'));
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into a new folder under the test's temporary folder; returns its path. */
function project(name: string, files: Record<string, string>): string {
  const at = path.join(dir, name);
  mkdirSync(at, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(at, file), text);
  return at;
}

const lastLine = (text: string): string => text.trimEnd().split('\n').pop() as string;
const audit = (args: string[], cwd = PROJECTS) =>
  runCli(['--osv-url', server.url, '--progress-spinner', 'off', ...args], { cwd });

describe('an unknown group or extra is an error naming what the file has', () => {
  it.each([
    [
      ['uv-workspace/uv.lock', '--group', 'nosuch'],
      'uv-workspace/uv.lock: --group nosuch: no such dependency group (it has: dev, docs)',
    ],
    [
      ['uv-workspace/uv.lock', '--only-group', 'nosuch'],
      'uv-workspace/uv.lock: --only-group nosuch: no such dependency group (it has: dev, docs)',
    ],
    [
      ['uv-workspace/uv.lock', '--extra', 'nope'],
      'uv-workspace/uv.lock: --extra nope: no such extra (it has: yaml)',
    ],
    [
      ['poetry2/poetry.lock', '--only-group', 'nosuch'],
      'poetry2/poetry.lock: --only-group nosuch: no such dependency group (it has: dev, docs)',
    ],
    [
      ['pipenv-lock/Pipfile.lock', '--only-group', 'nosuch'],
      'pipenv-lock/Pipfile.lock: --only-group nosuch: no such dependency group (it has: develop)',
    ],
    [
      ['pdm/pdm.lock', '--no-group', 'nosuch'],
      'pdm/pdm.lock: --no-group nosuch: no such dependency group (it has: dev, docs, socks)',
    ],
    [
      ['pep735/pyproject.toml', '--only-group', 'nosuch'],
      'pep735/pyproject.toml: --only-group nosuch: no such dependency group (it has: dev, lint, test)',
    ],
    [
      ['pipenv/Pipfile', '--extra', 'socks'],
      'pipenv/Pipfile: --extra socks: no such extra (it has none)',
    ],
    [
      ['../pylock/pylock.toml', '--group', 'docs'],
      '../pylock/pylock.toml: --group docs: no such dependency group (it has: dev)',
    ],
  ])('%j', async (args, message) => {
    const result = await audit([...args, '--strict']);
    expect([result.code, result.stdout, lastLine(result.stderr)]).toEqual([
      2,
      '',
      `pyaudit: error: ${message}`,
    ]);
  });

  it.each([
    [['-r', 'x.txt', '--group', 'dev'], '--group'],
    [['-r', 'x.txt', '--no-dev'], '--no-dev'],
    [['-r', 'x.txt', '--extra', 'socks'], '--extra'],
    [['--path', '.', '--all-extras'], '--all-extras'],
  ])('%j: selection flags only apply to a project path', async (args, flag) => {
    const result = await audit(args);
    expect([result.code, lastLine(result.stderr)]).toEqual([
      2,
      `pyaudit: error: argument ${flag}: only for lock files and manifests (a project PATH), not with -r or an environment`,
    ]);
  });
});

describe('empty but valid locks are clean; a file that is not the format is an error', () => {
  it.each([
    ['pdm.lock', '[metadata]\ngroups = ["default"]\nlock_version = "4.5.0"\n'],
    ['uv.lock', 'version = 1\nrequires-python = ">=3.12"\n'],
    ['poetry.lock', '[metadata]\nlock-version = "2.1"\npython-versions = "^3.9"\n'],
    ['Pipfile.lock', '{"_meta": {}, "default": {}, "develop": {}}\n'],
    ['pylock.toml', 'lock-version = "1.0"\ncreated-by = "x"\npackages = []\n'],
  ])('%s with no packages: no known vulnerabilities, exit 0', async (name, text) => {
    const at = project(`empty-${name}`, { [name]: text });
    const result = await audit([name], at);
    expect([result.code, result.stdout, lastLine(result.stderr)]).toEqual([
      0,
      '',
      'No known vulnerabilities found',
    ]);
  });

  it.each([
    ['uv.lock', '[[package]]\nname = "a"\nversion = "1"\n', 'uv.lock: not a uv.lock: no "version"'],
    [
      'pdm.lock',
      '[[package]]\nname = "a"\nversion = "1"\n',
      'pdm.lock: not a pdm.lock: no [metadata]',
    ],
    ['poetry.lock', 'x = 1\n', 'poetry.lock: not a poetry.lock: no [metadata] and no [[package]]'],
    ['Pipfile.lock', '[]', 'Pipfile.lock: not a Pipfile.lock: no "default" or "develop" section'],
  ])('%s without its header', async (name, text, message) => {
    const at = project(`headless-${name}`, { [name]: text });
    const result = await audit([name], at);
    expect([result.code, lastLine(result.stderr)]).toEqual([2, `pyaudit: error: ${message}`]);
  });
});

describe('malformed entries are errors with the file and line, never packages', () => {
  it.each([
    [
      'pyproject.toml',
      '[project]\nname = "x"\nversion = "1"\ndependencies = "requests==2.19.0"\n',
      'pyproject.toml:4: project.dependencies must be an array of strings, not a string',
    ],
    [
      'pyproject.toml',
      '[project]\nname = "x"\nversion = "1"\ndependencies = [1, 2]\n',
      'pyproject.toml:4: project.dependencies[0] must be a string, not the number 1',
    ],
    [
      'pyproject.toml',
      '[project]\nname = "x"\nversion = "1"\n[project.dependencies]\nrequests = "2"\n',
      'pyproject.toml: project.dependencies must be an array of strings, not a table',
    ],
    [
      'pyproject.toml',
      '[project]\nname = "x"\nversion = "1"\ndependencies = []\n[dependency-groups]\ndev = "pytest"\n',
      "pyproject.toml:6: dependency group 'dev' must be an array of requirements, not a string",
    ],
    [
      'uv.lock',
      'version = 1\n\n[[package]]\nname = "a"\nversion = 1.5\n',
      'uv.lock:3: the version of a must be a string, not the number 1.5',
    ],
    [
      'uv.lock',
      'version = 1\n\n[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ name = 3 }]\n',
      'uv.lock:3: a: dependencies[0] must be a table with a name',
    ],
    // Found by the fuzz campaign: a dotted key turns a source's string into a table.
    [
      'uv.lock',
      'version = 1\n\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry.x = "https://pypi.org/simple" }\n',
      'uv.lock:3: a: source.registry must be a string, not a table',
    ],
    [
      'uv.lock',
      'version = 1\n\n[[package]]\nname = "a"\nversion = "1"\nsource = "pypi"\n',
      'uv.lock:3: a: source must be a table, not a string',
    ],
    [
      'poetry.lock',
      '[[package]]\nname = "a"\nversion = "1"\n\n[package.source]\ntype = "git"\nurl = "https://example.org/a.git"\nresolved_reference = { sha = "1" }\n',
      'poetry.lock:1: a: source.resolved_reference must be a string, not a table',
    ],
    [
      'pdm.lock',
      '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "a"\nversion = "1"\ngit = "https://example.org/a.git"\nrevision = 7\n',
      'pdm.lock:4: a: revision must be a string, not the number 7',
    ],
    [
      'pdm.lock',
      '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "a"\nversion = "1"\ndependencies = ["b", 2]\n',
      'pdm.lock:4: a: dependencies[1] must be a string, not the number 2',
    ],
    [
      'poetry.lock',
      '[[package]]\nname = "a"\nversion = "1"\ngroups = "main"\n',
      'poetry.lock:1: a: groups must be an array of strings, not a string',
    ],
    [
      'Pipfile.lock',
      '{\n    "default": {\n        "a": {\n            "version": 1\n        }\n    }\n}\n',
      'Pipfile.lock:3: "default"."a".version must be a string',
    ],
  ])('%s: %j', async (name, text, message) => {
    const at = project(`malformed-${Math.random().toString(36).slice(2)}`, { [name]: text });
    const result = await audit([name, '--dry-run'], at);
    expect([result.code, result.stdout, lastLine(result.stderr)]).toEqual([
      2,
      '',
      `pyaudit: error: ${message}`,
    ]);
  });
});

describe('what a selection leaves out', () => {
  const lock = `version = 1
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "demo-pkg" }]

[package.dev-dependencies]
dev = [{ name = "other-pkg" }, { name = "unpinned-dev" }]

[[package]]
name = "demo-pkg"
version = "1.0.5"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "other-pkg"
version = "0.5"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "unpinned-dev"
source = { git = "https://example.invalid/unpinned-dev.git" }
`;

  it('is not a warning, not a row of the skip table, and does not fail --strict', async () => {
    const at = project('left-out', { 'uv.lock': lock });
    const result = await audit(['.', '--no-dev', '--strict'], at);
    expect(result).toEqual({
      code: 1,
      stdout: [
        'Name     Version ID           Fix Versions',
        '-------- ------- ------------ ------------',
        'demo-pkg 1.0.5   OSV-2099-7',
        'demo-pkg 1.0.5   PYSEC-2099-1 1.2.0,2.0.3',
        'demo-pkg 1.0.5   PYSEC-2099-2',
        '',
      ].join('\n'),
      stderr: [
        'pyaudit: auditing uv.lock (found in .)',
        'pyaudit: uv.lock: 2 of 4 locked packages selected: default groups; without dev groups',
        'pyaudit: 3 of 4 dependencies left out on purpose (not selected, not for the target environment, or excluded); -f json lists them',
        'Found 3 known vulnerabilities in 1 package',
        '',
      ].join('\n'),
    });
  });

  it('the skip table lists what could not be audited, and the warning counts its rows', async () => {
    const at = project('not-audited', { 'uv.lock': lock });
    const result = await audit(['.', '-f', 'markdown'], at);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(-4)).toEqual([
      'Name | Skip Reason',
      '--- | ---',
      'unpinned-dev | installed from git https://example.invalid/unpinned-dev.git and the lock gives no version',
      '',
    ]);
    expect(result.stderr).toContain(
      'pyaudit: 1 of 4 dependencies left out on purpose (not selected, not for the target environment, or excluded); -f json lists them\n' +
        'pyaudit: warning: 1 of 3 dependencies was not audited (see Skip Reason); --strict makes that an error\n',
    );
    const json = await audit(['.', '-f', 'json', '--no-dev'], at);
    const entries = (JSON.parse(json.stdout) as { dependencies: Array<Record<string, unknown>> })
      .dependencies;
    expect(entries.find((d) => d.name === 'other-pkg')).toEqual({
      name: 'other-pkg',
      skip_reason: 'not installed with the selected groups, extras and environment (dev)',
      version: '0.5',
      direct: true,
      via: [],
      groups: ['dev'],
      source: 'uv.lock:18',
    });
  });

  it('a selection that leaves nothing to audit fails rather than looking clean', async () => {
    const at = project('nothing', { 'uv.lock': lock });
    const result = await audit(['.', '--only-group', 'dev', '--python-version', '3.12'], at);
    expect(result.code).toBe(1); // other-pkg 0.5 is found vulnerable
    const none = project('nothing-at-all', {
      'pyproject.toml': '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask>=2"]\n',
    });
    const clean = await audit(['.', '--no-deps'], none);
    expect([clean.code, lastLine(clean.stderr)]).toEqual([
      2,
      'pyaudit: error: nothing could be audited: 1 dependency was found, none with a version that can be checked (see Skip Reason)',
    ]);
  });
});

describe('--strict and a narrowed selection, in every lock format', () => {
  it.each([
    ['uv-workspace/uv.lock', 13, 5],
    ['poetry2/poetry.lock', 9, 5],
    ['pdm/pdm.lock', 10, 3],
    ['pipenv-lock/Pipfile.lock', 6, 3],
  ])('%s --no-dev --platform linux --python-version 3.12 --strict', async (file, total, kept) => {
    const result = await audit([
      file,
      '--no-dev',
      '--platform',
      'linux',
      '--python-version',
      '3.12',
      '--strict',
      '-f',
      'json',
    ]);
    expect([result.code, lastLine(result.stderr)]).toEqual([0, 'No known vulnerabilities found']);
    const deps = (JSON.parse(result.stdout) as { dependencies: Array<Record<string, unknown>> })
      .dependencies;
    expect(deps.length).toBe(total);
    expect(deps.filter((d) => 'vulns' in d).length).toBe(kept);
  });
});

describe('--skip-editable covers editable entries of every format', () => {
  const files: Record<string, string> = {
    'pdm.lock':
      '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "demo-pkg"\nversion = "1.2.0"\ngroups = ["default"]\n\n[[package]]\nname = "mine"\nversion = "0.1.0"\npath = "."\neditable = true\ngroups = ["default"]\n',
    'poetry.lock':
      '[[package]]\nname = "demo-pkg"\nversion = "1.2.0"\ngroups = ["main"]\n\n[[package]]\nname = "mine"\nversion = "0.1.0"\ngroups = ["main"]\n\n[package.source]\ntype = "directory"\nurl = "."\ndevelop = true\n\n[metadata]\nlock-version = "2.1"\n',
    'Pipfile.lock':
      '{"default": {"demo-pkg": {"version": "==1.2.0"}, "mine": {"path": ".", "editable": true}}}',
    'pylock.toml':
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "demo-pkg"\nversion = "1.2.0"\n[[packages]]\nname = "mine"\nversion = "0.1.0"\ndirectory = { path = ".", editable = true }\n',
    Pipfile: '[packages]\ndemo-pkg = "==1.2.0"\nmine = { path = ".", editable = true }\n',
  };
  it.each(Object.keys(files).filter((n) => n !== 'pylock.toml'))('%s', async (name) => {
    const at = project(`editable-${name}`, { [name]: files[name] as string });
    const strict = await audit([name, '--strict'], at);
    expect([strict.code, lastLine(strict.stderr)]).toEqual([
      2,
      expect.stringMatching(/^pyaudit: error: .*mine: editable install of .* \(--strict\)$/),
    ]);
    const skipped = await audit([name, '--strict', '--skip-editable'], at);
    expect([skipped.code, lastLine(skipped.stderr)]).toEqual([0, 'No known vulnerabilities found']);
  });

  it('pylock.toml: an editable package with a version is audited, as pip-audit does, unless --skip-editable', async () => {
    const at = project('editable-pylock', { 'pylock.toml': files['pylock.toml'] as string });
    const listed = async (...flags: string[]) =>
      (
        JSON.parse((await audit(['pylock.toml', '-f', 'json', ...flags], at)).stdout) as {
          dependencies: Array<Record<string, unknown>>;
        }
      ).dependencies.find((d) => d.name === 'mine');
    expect(await listed('--strict')).toEqual({
      name: 'mine',
      version: '0.1.0',
      from: 'editable directory .',
      vulns: [],
    });
    expect(await listed('--strict', '--skip-editable')).toEqual({
      name: 'mine',
      skip_reason:
        'editable install of a local project (editable directory .), left out (--skip-editable)',
      version: '0.1.0',
      from: 'editable directory .',
    });
  });
});

describe('a folder with several lock files', () => {
  it('says which one it audits and names the others', async () => {
    const at = project('several', {
      'uv.lock': readFileSync(path.join(PROJECTS, 'uv-virtual', 'uv.lock'), 'utf8'),
      'poetry.lock': readFileSync(path.join(PROJECTS, 'poetry2', 'poetry.lock'), 'utf8'),
      'pylock.toml': 'lock-version = "1.0"\ncreated-by = "x"\npackages = []\n',
    });
    const result = await audit(['.', '--dry-run'], at);
    expect(result.stderr.split('\n')[0]).toBe(
      'pyaudit: auditing uv.lock (found in .; not audited: poetry.lock, pylock.toml (name one to audit it instead))',
    );
  });
});
