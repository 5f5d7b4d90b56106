/**
 * Lock files written by the tools themselves (from syft's and renovate's test suites, and
 * the real 2,972-line uv.lock of ../shared/bench-data): every locked package is listed with
 * the version the lock pins; with `--all-extras` and every group, all of them are audited.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { parsePdmLock } from '../src/sources/lock/pdm.js';
import { parsePipfileLock } from '../src/sources/lock/pipfile.js';
import { parsePoetryLock } from '../src/sources/lock/poetry.js';
import { parseUvLock } from '../src/sources/lock/uv.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, sharedPath } from './helpers/shared.js';
import { tempDirs } from './helpers/temp-dirs.js';

interface Dep {
  name: string;
  version?: string;
  skip_reason?: string;
}

async function dryRun(file: string, ...flags: string[]): Promise<Dep[]> {
  // --no-deps: these cases are about reading the files, not resolving what they declare.
  const result = await runCli([file, '--dry-run', '--no-deps', '-f', 'json', ...flags], {
    cwd: path.dirname(file),
  });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { dependencies: Dep[] }).dependencies;
}

const expected = (dir: string) =>
  (
    JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Array<{
      name: string;
      version?: string;
      lockedVersion?: string;
    }>
  ).map((e) => [
    e.name.toLowerCase().replace(/[-_.]+/g, '-'),
    e.version ?? e.lockedVersion ?? null,
  ]);
const sorted = <T>(xs: T[]) =>
  [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describeShared('lock files written by their tools', () => {
  const tempDir = tempDirs();

  it('syft uv.lock: the locked packages; the project itself listed, not audited', async () => {
    const dir = sharedPath('parser-fixtures/syft/uv-lock/simple-deps');
    const deps = await dryRun(path.join(dir, 'uv.lock'));
    expect(sorted(deps.map((d) => [d.name, d.version ?? null]))).toEqual(sorted(expected(dir)));
    expect(deps.find((d) => d.name === 'testpkg')?.skip_reason).toBe(
      'the project or a workspace member itself (.), not a dependency',
    );
  });

  it('syft poetry.lock (1.x, dev category): listed and audited with the dev group', async () => {
    const dir = sharedPath('parser-fixtures/syft/poetry-lock/dev-deps');
    // syft's fixture has a dependency no Poetry writes (`malformed = [ [ { version = "1.2" } ] ]`):
    // pyaudit refuses it with the file and line rather than guess.
    const original = readFileSync(path.join(dir, 'poetry.lock'), 'utf8');
    const refused = await runCli([path.join(dir, 'poetry.lock'), '--dry-run'], { cwd: dir });
    expect([refused.code, refused.stderr.trimEnd().split('\n').pop()]).toEqual([
      2,
      `pyaudit: error: ${path.join(dir, 'poetry.lock')}:1: added-value: dependencies.malformed must be a version constraint or a table`,
    ]);
    const tmp = tempDir('pyaudit-poetry1-');
    writeFileSync(path.join(tmp, 'poetry.lock'), original.replace(/^malformed = .*\n/m, ''));
    const deps = await dryRun(path.join(tmp, 'poetry.lock'));
    expect(sorted(deps.map((d) => [d.name, d.version ?? null]))).toEqual(sorted(expected(dir)));
  });

  it('syft pdm.lock (inherit_metadata, static_urls): every group installed by default', async () => {
    const dir = sharedPath('parser-fixtures/syft/pdm-lock/pdm-lock');
    const deps = await dryRun(path.join(dir, 'pdm.lock'));
    expect(sorted(deps.map((d) => [d.name, d.version ?? null]))).toEqual(sorted(expected(dir)));
  });

  it('syft Pipfile.lock: every section by default; `pipenv install` (default only) with --no-dev', async () => {
    const dir = sharedPath('parser-fixtures/syft/pipfile-lock/pipfile-lock');
    // syft reads only `default`, which is also what `pipenv install` installs.
    const installed = (deps: Dep[]) =>
      deps.filter((d) => d.skip_reason === undefined).map((d) => [d.name, d.version]);
    const noDev = await dryRun(path.join(dir, 'Pipfile.lock'), '--no-dev');
    expect(sorted(installed(noDev))).toEqual(sorted(expected(dir)));
    const everything = await dryRun(path.join(dir, 'Pipfile.lock'));
    const develop = JSON.parse(readFileSync(path.join(dir, 'Pipfile.lock'), 'utf8')) as {
      develop: Record<string, { version: string }>;
    };
    const developOnly = Object.entries(develop.develop)
      .map(([n, e]) => [n.toLowerCase().replace(/[-_.]+/g, '-'), e.version.replace(/^==/, '')])
      .filter(([n, v]) => !expected(dir).some(([en, ev]) => en === n && ev === v));
    expect(sorted(installed(everything))).toEqual(sorted([...expected(dir), ...developOnly]));
  });

  it('renovate: the pdm.lock and uv.lock beside a pyproject.toml pin what it declares', async () => {
    const pdmDir = sharedPath(
      'parser-fixtures/renovate/pyproject-toml-pep621+pdm-lock/pyproject_pdm_lockedversion',
    );
    const pdm = parsePdmLock(
      readFileSync(path.join(pdmDir, 'pyproject_pdm_lockedversion.lock'), 'utf8'),
      'pdm.lock',
    );
    expect(pdm.packages.find((p) => p.name === 'jwcrypto')?.version).toBe('1.4.1');
    const uvDir = sharedPath(
      'parser-fixtures/renovate/pyproject-toml-pep621+uv-lock/inline_uv_lockedversion',
    );
    const deps = await dryRun(path.join(uvDir, 'uv.lock'));
    expect(deps.find((d) => d.name === 'attrs')?.version).toBe('24.2.0');
  });

  it('bench-data uv.lock (2,972 lines): 187 packages, the project, dev and extras by selection', async () => {
    const file = sharedPath('bench-data/uv.lock');
    const graph = parseUvLock(readFileSync(file, 'utf8'), file);
    expect(graph.packages.length).toBe(187);
    expect(graph.roots).toEqual(['suhail-backend']);
    // By default every locked package but the project itself is audited.
    const everything = await dryRun(file);
    expect(everything.filter((d) => d.skip_reason).map((d) => d.name)).toEqual(['suhail-backend']);
    // `uv sync` (the members' dependencies and the dev group, no extras): 109 packages.
    const uvSync = await dryRun(file, '--group', 'dev');
    expect(uvSync.filter((d) => d.skip_reason === undefined).length).toBe(109);
    expect(uvSync.find((d) => d.name === 'pytest')?.skip_reason).toBe(
      'not installed with the selected groups, extras and environment (extra:local)',
    );
    expect(everything.find((d) => d.name === 'pytest')?.version).toBeDefined();
  });

  it('a truncated file of each kind is one error with the file and line', async () => {
    const cases: Array<[string, (text: string, file: string) => unknown, string]> = [
      [sharedPath('bench-data/uv.lock'), parseUvLock, 'uv.lock'],
      [
        sharedPath('parser-fixtures/syft/poetry-lock/dev-deps/poetry.lock'),
        parsePoetryLock,
        'poetry.lock',
      ],
      [sharedPath('parser-fixtures/syft/pdm-lock/pdm-lock/pdm.lock'), parsePdmLock, 'pdm.lock'],
      [
        sharedPath('parser-fixtures/syft/pipfile-lock/pipfile-lock/Pipfile.lock'),
        parsePipfileLock,
        'Pipfile.lock',
      ],
    ];
    for (const [file, parse, name] of cases) {
      const text = readFileSync(file, 'utf8');
      const cut = text.slice(0, Math.floor(text.length / 2));
      expect(() => parse(cut, name)).toThrow(
        new RegExp(
          `^${name.replace('.', '\\.')}:\\d+: invalid (TOML|JSON) in ${name.replace('.', '\\.')}`,
        ),
      );
    }
  });
});

describeShared('pyproject.toml files from renovate', () => {
  const READ = new Set([
    'project.dependencies',
    'project.optional-dependencies',
    'dependency-groups',
    'tool.pdm.dev-dependencies',
    'dependencies',
    'dev-dependencies',
    'extras',
    'group1',
  ]);
  const BROKEN: Record<string, string> = {
    'pyproject-toml-pep621/pyproject_with_pdm':
      "41: invalid requirement '': Expected package name at the start of dependency specifier",
    'pyproject-toml-poetry/pyproject.1':
      "16: invalid requirement 'dev_dep2Invalid version.': Expected semicolon (after name with no version specifier) or end",
  };
  // Not installed into the environment, so not audited: the build backend's own
  // requirements, the interpreter, and hatch's per-command environments.
  const cases: Array<[string, string]> = [
    ['pyproject-toml-pep621/pyproject_with_hatch', 'pyproject_with_hatch.toml'],
    ['pyproject-toml-pep621/pyproject_with_pdm', 'pyproject_with_pdm.toml'],
    ['pyproject-toml-poetry/pyproject.1', 'pyproject.1.toml'],
    ['pyproject-toml-poetry/pyproject.2', 'pyproject.2.toml'],
    ['pyproject-toml-poetry/pyproject.4', 'pyproject.4.toml'],
    ['pyproject-toml-poetry/pyproject.9', 'pyproject.9.toml'],
    ['pyproject-toml-poetry/pyproject.11', 'pyproject.11.toml'],
    [
      'pyproject-toml-pep621+pdm-lock/pyproject_pdm_lockedversion',
      'pyproject_pdm_lockedversion.toml',
    ],
    ['pyproject-toml-pep621+uv-lock/inline_uv_lockedversion', 'pyproject.toml'],
  ];
  it.each(cases)('%s', async (dir, file) => {
    const full = sharedPath('parser-fixtures/renovate', dir);
    const broken = BROKEN[dir];
    if (broken) {
      // Renovate skips these entries; pip (and so pyaudit) refuses the file.
      const result = await runCli(
        [path.join(full, file), '--input-type', 'pyproject', '--dry-run', '--no-deps'],
        { cwd: full },
      );
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n').pop()).toBe(
        `pyaudit: error: ${path.join(full, file)}:${broken}`,
      );
      return;
    }
    const deps = await dryRun(path.join(full, file), '--input-type', 'pyproject', '--all-extras');
    const want = (
      JSON.parse(readFileSync(path.join(full, 'expected.json'), 'utf8')) as Array<{
        name: string;
        depType?: string;
      }>
    )
      .filter((e) => READ.has(e.depType ?? '') && e.name !== 'python')
      .map((e) => e.name.toLowerCase().replace(/[-_.]+/g, '-'));
    expect([...new Set(deps.map((d) => d.name))].sort()).toEqual([...new Set(want)].sort());
  });
});
