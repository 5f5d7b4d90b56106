/**
 * Every dependency format: what `--dry-run -f json` lists (name, version or skip reason,
 * marker, chain) for self-written fixtures of each format, following each tool's own format
 * documentation, with the selection flags.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../../test/helpers/fixtures.js';
import { runCli } from '../../../test/helpers/run-cli.js';
import { tempDirs } from '../../../test/helpers/temp-dirs.js';

const PROJECTS = path.join(FIXTURES_DIR, 'projects');

interface Dep {
  name: string;
  version?: string;
  skip_reason?: string;
  via?: string[];
  direct?: boolean;
}

async function listed(args: string[]): Promise<string[]> {
  // --no-deps: what each file states, not what resolving its ranges would install.
  const result = await runCli([...args, '--dry-run', '--no-deps', '-f', 'json'], {
    cwd: PROJECTS,
  });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { dependencies: Dep[] }).dependencies.map(
    (d) =>
      `${d.name} ${d.version ?? `(${d.skip_reason})`}${d.via ? ` via [${d.via.join(' > ')}]` : ''}`,
  );
}

/** `name version [groups]` for what is audited, `name version (reason)` for the rest. */
async function entries(args: string[]): Promise<string[]> {
  // --no-deps: what each file states, not what resolving a manifest's ranges would install.
  const result = await runCli([...args, '--dry-run', '--no-deps', '-f', 'json'], { cwd: PROJECTS });
  expect(result.code, result.stderr).toBe(0);
  return (
    JSON.parse(result.stdout) as { dependencies: Array<Dep & { groups?: string[] }> }
  ).dependencies.map(
    (d) =>
      `${d.name} ${d.version ?? '-'} ${d.skip_reason === undefined ? `[${(d.groups ?? []).join(', ')}]` : `(${d.skip_reason})`}`,
  );
}

/** The entries a selection leaves in the audit. */
const audited = async (args: string[]): Promise<string[]> =>
  (await entries(args)).filter((l) => l.endsWith(']'));

const NOT_SELECTED = 'not installed with the selected groups, extras and environment';

describe('uv.lock', () => {
  it('audits every locked package by default: groups, extras, platforms, forks and git', async () => {
    expect(await entries(['uv-workspace'])).toEqual([
      'app 0.1.0 (the project or a workspace member itself (.), not a dependency)',
      'lib 0.2.0 (the project or a workspace member itself (packages/lib), not a dependency)',
      'cython 0.29.36 [main]',
      'numpy 1.24.3 [main]',
      'numpy 2.0.2 [main]',
      'pysocks 1.7.1 [main]',
      'pytest 7.1.0 [dev]',
      'pywin32 306 [main]',
      'pyyaml 5.3 [extra:yaml]',
      'requests 2.19.0 [main]',
      'sphinx 5.0.0 [docs]',
      'urllib3 1.24.1 [main]',
      'vendored 1.0.0 [main]',
    ]);
  });

  it('each version of a forked name carries its own marker and its own dependencies', async () => {
    const result = await runCli(['uv-workspace', '--dry-run', '-f', 'json'], { cwd: PROJECTS });
    const deps = (JSON.parse(result.stdout) as { dependencies: Array<Record<string, unknown>> })
      .dependencies;
    const pick = (name: string) =>
      deps
        .filter((d) => d.name === name)
        .map((d) => [d.version, d.marker ?? null, d.via, d.from ?? null]);
    expect(pick('numpy')).toEqual([
      ['1.24.3', 'python_full_version < "3.9"', [], null],
      ['2.0.2', 'python_full_version >= "3.9"', [], null],
    ]);
    expect(pick('cython')).toEqual([['0.29.36', null, ['numpy'], null]]);
    expect(pick('vendored')).toEqual([
      [
        '1.0.0',
        null,
        [],
        'git https://github.com/example/vendored.git?rev=v1#0123456789abcdef0123456789abcdef01234567',
      ],
    ]);
  });

  it('--python-version installs exactly the fork for that Python, as uv would', async () => {
    const common = [
      'lib 0.2.0 (the project or a workspace member itself (packages/lib), not a dependency)',
    ];
    expect(
      (await entries(['uv-workspace/uv.lock', '--python-version', '3.12'])).filter((l) =>
        /^(numpy|cython|lib) /.test(l),
      ),
    ).toEqual([
      ...common,
      `cython 0.29.36 (${NOT_SELECTED} (main))`,
      `numpy 1.24.3 (${NOT_SELECTED} (main; marker: python_full_version < "3.9"))`,
      'numpy 2.0.2 [main]',
    ]);
    expect(
      (await entries(['uv-workspace/uv.lock', '--python-version', '3.8'])).filter((l) =>
        /^(numpy|cython) /.test(l),
      ),
    ).toEqual([
      'cython 0.29.36 [main]',
      'numpy 1.24.3 [main]',
      `numpy 2.0.2 (${NOT_SELECTED} (main; marker: python_full_version >= "3.9"))`,
    ]);
  });

  it('each selection flag narrows to what uv would install', async () => {
    const lock = 'uv-workspace/uv.lock';
    const base = [
      'cython 0.29.36 [main]',
      'numpy 1.24.3 [main]',
      'numpy 2.0.2 [main]',
      'pysocks 1.7.1 [main]',
    ];
    const rest = ['requests 2.19.0 [main]', 'urllib3 1.24.1 [main]', 'vendored 1.0.0 [main]'];
    // uv sync: the members' dependencies and the dev group; no extras, no other group.
    expect(await audited([lock, '--no-group', 'docs'])).toEqual([
      ...base,
      'pytest 7.1.0 [dev]',
      'pywin32 306 [main]',
      ...rest,
    ]);
    expect(await audited([lock, '--no-dev'])).toEqual([...base, 'pywin32 306 [main]', ...rest]);
    expect(await audited([lock, '--group', 'docs'])).toEqual([
      ...base,
      'pytest 7.1.0 [dev]',
      'pywin32 306 [main]',
      ...rest.slice(0, 1),
      'sphinx 5.0.0 [docs]',
      ...rest.slice(1),
    ]);
    expect(await audited([lock, '--extra', 'yaml', '--no-dev'])).toEqual([
      ...base,
      'pywin32 306 [main]',
      'pyyaml 5.3 [extra:yaml]',
      ...rest,
    ]);
    expect(await audited([lock, '--all-extras', '--no-extra', 'yaml', '--no-dev'])).toEqual([
      ...base,
      'pywin32 306 [main]',
      ...rest,
    ]);
    expect(await audited([lock, '--only-group', 'docs'])).toEqual(['sphinx 5.0.0 [docs]']);
    expect(await audited([lock, '--platform', 'linux', '--no-dev'])).toEqual([...base, ...rest]);
    expect(
      (await audited([lock, '--platform', 'windows'])).filter((l) => l.startsWith('pywin32')),
    ).toEqual(['pywin32 306 [main]']);
  });

  it('a lock without its project (a virtual workspace root) audits every package', async () => {
    expect(await entries(['uv-virtual'])).toEqual([
      'asgiref 3.8.1 [main]',
      'django 3.2.0 [main]',
      'jinja2 2.10 [main]',
      'markupsafe 2.1.5 [main]',
      'sqlparse 0.5.1 [main]',
    ]);
  });
});

describe('poetry.lock (2.x)', () => {
  it('audits every group, extra, platform and fork by default', async () => {
    expect(await entries(['poetry2'])).toEqual([
      'certifi 2024.8.30 [main]',
      'colorama 0.4.6 [dev]',
      'numpy 1.24.4 [main]',
      'numpy 2.0.2 [main]',
      'pysocks 1.7.1 [extra:socks]',
      'pytest 7.1.0 [dev]',
      'requests 2.19.0 [main]',
      'sphinx 5.0.0 [docs]',
      'toolkit 0.1.0 [main]',
    ]);
  });

  it('each selection flag narrows to what poetry install would install', async () => {
    const lock = 'poetry2/poetry.lock';
    // poetry install: every non-optional group, no extras.
    expect(await audited([lock, '--python-version', '3.12', '--platform', 'linux'])).toEqual([
      'certifi 2024.8.30 [main]',
      'numpy 2.0.2 [main]',
      'pytest 7.1.0 [dev]',
      'requests 2.19.0 [main]',
      'sphinx 5.0.0 [docs]',
      'toolkit 0.1.0 [main]',
    ]);
    expect(await audited([lock, '--no-dev', '--no-group', 'docs', '--extra', 'socks'])).toEqual([
      'certifi 2024.8.30 [main]',
      'numpy 1.24.4 [main]',
      'numpy 2.0.2 [main]',
      'pysocks 1.7.1 [extra:socks]',
      'requests 2.19.0 [main]',
      'toolkit 0.1.0 [main]',
    ]);
    expect(await audited([lock, '--only-group', 'dev', '--platform', 'windows'])).toEqual([
      'colorama 0.4.6 [dev]',
      'pytest 7.1.0 [dev]',
    ]);
  });
});

describe('pdm.lock', () => {
  it('audits every group and fork by default; an entry repeated per extras set is one package', async () => {
    expect(await entries(['pdm'])).toEqual([
      'colorama 0.4.6 [dev]',
      'coverage 7.13.5 [dev]',
      'numpy 1.24.4 [main]',
      'numpy 2.0.2 [main]',
      'pysocks 1.7.1 [socks]',
      'pytest 7.1.0 [dev]',
      'requests 2.19.0 [main]',
      'sphinx 5.0.0 [docs]',
      'toml 0.10.2 [main]',
      'tomli 2.0.1 [dev]',
    ]);
  });

  it('each selection flag narrows to what pdm install would install', async () => {
    expect(await audited(['pdm/pdm.lock', '--no-dev', '--python-version', '3.12'])).toEqual([
      'numpy 2.0.2 [main]',
      'requests 2.19.0 [main]',
      'toml 0.10.2 [main]',
    ]);
    expect(
      await audited(['pdm/pdm.lock', '--only-group', 'dev', '--python-version', '3.12.1']),
    ).toEqual(['colorama 0.4.6 [dev]', 'coverage 7.13.5 [dev]', 'pytest 7.1.0 [dev]']);
    expect(
      await audited(['pdm/pdm.lock', '--only-group', 'dev', '--python-version', '3.10']),
    ).toEqual([
      'colorama 0.4.6 [dev]',
      'coverage 7.13.5 [dev]',
      'pytest 7.1.0 [dev]',
      'tomli 2.0.1 [dev]',
    ]);
  });
});

describe('Pipfile.lock', () => {
  it('audits both sections by default; two versions of one name are two packages', async () => {
    expect(await entries(['pipenv-lock'])).toEqual([
      'pluggy 1.0.1 [main]',
      'pywin32 306 [main]',
      'requests 2.19.0 [main, develop]',
      'toolkit 0.1.0 [main]',
      'pluggy 1.0.0 [develop]',
      'pytest 7.1.0 [develop]',
    ]);
  });

  it('pipenv install installs default; --group develop (or dev, dev-packages) adds the rest', async () => {
    const lock = 'pipenv-lock/Pipfile.lock';
    expect(await audited([lock, '--platform', 'linux'])).toEqual([
      'pluggy 1.0.1 [main]',
      'requests 2.19.0 [main]',
      'toolkit 0.1.0 [main]',
    ]);
    for (const name of ['develop', 'dev', 'dev-packages']) {
      expect(await audited([lock, '--platform', 'linux', '--group', name])).toEqual([
        'pluggy 1.0.1 [main]',
        'requests 2.19.0 [main, develop]',
        'toolkit 0.1.0 [main]',
        'pluggy 1.0.0 [develop]',
        'pytest 7.1.0 [develop]',
      ]);
    }
  });
});

describe('manifests', () => {
  it('pyproject.toml (PEP 621 + PEP 735 with include-group): every group and extra by default, one row per requirement', async () => {
    expect(await entries(['pep735'])).toEqual([
      'django 3.2.0 [main]',
      'requests - (requirement is not pinned to an exact version: requests>=2.19)',
      'pysocks 1.7.1 [extra:socks]',
      'pytest 7.1.0 [test, dev]',
      'ruff - (requirement is not pinned: ruff)',
      'ipython 8.0.0 [dev]',
    ]);
    expect(await entries(['pep735/pyproject.toml', '--no-dev', '--extra', 'socks'])).toEqual([
      'django 3.2.0 [main]',
      'requests - (requirement is not pinned to an exact version: requests>=2.19)',
      'pysocks 1.7.1 [extra:socks]',
      'pytest 7.1.0 (not installed with the selected groups and extras (test, dev))',
      'ruff - (not installed with the selected groups and extras (lint, dev))',
      'ipython 8.0.0 (not installed with the selected groups and extras (dev))',
    ]);
    // uv installs the dev group by default, which includes test and lint.
    expect(await audited(['pep735/pyproject.toml', '--only-group', 'test'])).toEqual([
      'pytest 7.1.0 [test]',
    ]);
  });

  it('pyproject.toml (Poetry): a bare version is exact, ^ and ~ are ranges, optional groups and extras', async () => {
    expect(await entries(['poetry-manifest'])).toEqual([
      'jinja2 2.10 [main]',
      'requests - (requirement is not pinned to an exact version: requests>=2.19,<3)',
      'flask 0.12 [main]',
      'toolkit - (installed from git https://github.com/example/toolkit.git, not from a package index)',
      'pytest 7.1.0 [dev]',
      'sphinx - (requirement is not pinned to an exact version: sphinx>=5.0,<5.1)',
      'pysocks 1.7.1 [extra:socks]',
    ]);
    // poetry install: non-optional groups (docs is optional), no extras.
    expect(await audited(['poetry-manifest/pyproject.toml', '--platform', 'linux'])).toEqual([
      'jinja2 2.10 [main]',
      'flask 0.12 [main]',
      'pytest 7.1.0 [dev]',
    ]);
  });

  it('Pipfile, PEP 723 script metadata and a conda environment', async () => {
    expect(await entries(['pipenv'])).toEqual([
      'requests 2.19.0 [main]',
      'flask - (requirement is not pinned: flask)',
      'mylib - (editable install of path ./mylib)',
      'pytest 7.1.0 [dev-packages]',
    ]);
    expect(await audited(['pipenv/Pipfile', '--no-dev'])).toEqual(['requests 2.19.0 [main]']);
    expect(await audited(['pipenv/Pipfile', '--only-group', 'dev'])).toEqual([
      'pytest 7.1.0 [dev-packages]',
    ]);
    expect(await entries(['script.py'])).toEqual([
      'requests 2.19.0 [main]',
      'rich - (requirement is not pinned: rich)',
    ]);
    expect(await listed(['conda/environment.yml'])).toEqual([
      'python (conda package, not from PyPI (python=3.11))',
      'numpy (conda package, not from PyPI (numpy=1.26.0))',
      'pandas (conda package, not from PyPI (conda-forge::pandas>=2.0))',
      'pip (conda package, not from PyPI (pip))',
      'requests 2.19.0',
      'flask (requirement is not pinned to an exact version: flask>=2)',
    ]);
  });
});

describe('pylock.toml (PEP 751)', () => {
  it('audits every package with a version by default, as pip-audit does', async () => {
    expect(await entries([path.join('..', 'pylock', 'pylock.toml')])).toEqual([
      'requests 2.19.0 []',
      'pysocks 1.7.1 []',
      'pytest 8.0.0 []',
      'colorama 0.4.6 []',
      'mytool 0.3.0 []',
      'my-app - (no version specified)',
      'vendored 1.0 []',
      'legacy-thing - (version 2004d is not a valid PEP 440 version and cannot be matched against advisories)',
      'numpy 1.24.4 []',
      'numpy 2.0.2 []',
    ]);
  });

  it('markers on extras and dependency groups follow a selection (default-groups, --extra, --no-group)', async () => {
    const lock = path.join('..', 'pylock', 'pylock.toml');
    const lines = async (...flags: string[]) =>
      (await entries([lock, ...flags])).filter((l) => /^(pysocks|pytest|colorama|numpy) /.test(l));
    expect(await lines('--python-version', '3.8')).toEqual([
      `pysocks 1.7.1 (${NOT_SELECTED} (marker: "socks" in extras))`,
      'pytest 8.0.0 []',
      'colorama 0.4.6 []',
      'numpy 1.24.4 []',
      `numpy 2.0.2 (${NOT_SELECTED} (marker: python_version >= "3.9"))`,
    ]);
    expect(await lines('--extra', 'socks', '--no-group', 'dev', '--platform', 'linux')).toEqual([
      'pysocks 1.7.1 []',
      `pytest 8.0.0 (${NOT_SELECTED} (marker: "dev" in dependency_groups))`,
      `colorama 0.4.6 (${NOT_SELECTED} (marker: sys_platform == "win32"))`,
      'numpy 1.24.4 []',
      'numpy 2.0.2 []',
    ]);
  });
});

describe('SBOMs', () => {
  it('CycloneDX JSON and XML, SPDX JSON: every pkg:pypi purl', async () => {
    expect(await listed(['sbom/bom.cdx.json'])).toEqual([
      'app 1.0.0',
      'requests 2.19.0',
      'urllib3 1.24.1',
      'jinja2 2.10',
      'nover (the purl has no version (pkg:pypi/nover))',
    ]);
    expect(await listed(['sbom/bom.cdx.xml'])).toEqual(['requests 2.19.0', 'jinja2 2.10']);
    expect(await listed(['sbom/app.spdx.json'])).toEqual(['requests 2.19.0', 'flask 0.12']);
  });
});

describe('bad files', () => {
  const tempDir = tempDirs();

  it('a truncated file of every kind is one error line naming the file (and line), exit 2', async () => {
    const { readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
    const dir = tempDir('pyaudit-truncated-');
    const files: Array<[string, string]> = [
      ['uv-workspace/uv.lock', 'uv.lock'],
      ['poetry2/poetry.lock', 'poetry.lock'],
      ['pep735/pyproject.toml', 'pyproject.toml'],
      ['pipenv/Pipfile', 'Pipfile'],
      ['conda/environment.yml', 'environment.yml'],
      ['sbom/bom.cdx.json', 'bom.cdx.json'],
      ['sbom/bom.cdx.xml', 'bom.cdx.xml'],
      ['sbom/app.spdx.json', 'app.spdx.json'],
      ['script.py', 'script.py'],
    ];
    for (const [from, name] of files) {
      const text = readFileSync(path.join(PROJECTS, from), 'utf8');
      const sub = path.join(dir, name.replace(/\W/g, '_'));
      mkdirSync(sub);
      // Cut where the syntax breaks: mid-line, inside a structure.
      writeFileSync(
        path.join(sub, name),
        text.slice(0, Math.floor(text.length * 0.6)).replace(/\n[^\n]*$/, '\n[[broken'),
      );
      const result = await runCli([path.join(sub, name), '--dry-run'], { cwd: sub });
      expect([name, result.code, result.stdout]).toEqual([name, 2, '']);
      const last = result.stderr.trimEnd().split('\n').pop() as string;
      expect([
        name,
        last.startsWith(`pyaudit: error: ${path.join(sub, name)}`) ? 'ok' : last,
      ]).toEqual([name, 'ok']);
    }
  });

  it('dynamic dependencies are an error that says what to do', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir('pyaudit-dynamic-');
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n',
    );
    expect(await runCli([dir], { cwd: dir })).toEqual({
      stdout: '',
      stderr:
        `pyaudit: auditing ${dir} (found in ${dir})\n`.replace(
          `${dir} (found`,
          `pyproject.toml (found`,
        ) +
        `pyaudit: error: ${path.join(dir, 'pyproject.toml')}:4: the project's dependencies are dynamic (computed by its build backend), so they cannot be read here; audit its lock file or its installed environment instead\n`,
      code: 2,
    });
  });

  it('--marker-env: a full marker environment from a JSON file', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir('pyaudit-markerenv-');
    writeFileSync(
      path.join(dir, 'env.json'),
      JSON.stringify({
        sys_platform: 'win32',
        platform_system: 'Windows',
        os_name: 'nt',
        python_version: '3.12',
      }),
    );
    const win = await listed(['uv-workspace/uv.lock', '--marker-env', path.join(dir, 'env.json')]);
    expect(win.find((l) => l.startsWith('pywin32'))).toBe('pywin32 306 via []');
    writeFileSync(path.join(dir, 'bad.json'), '{not json');
    const bad = await runCli(['uv-workspace/uv.lock', '--marker-env', path.join(dir, 'bad.json')], {
      cwd: PROJECTS,
    });
    expect([
      bad.code,
      bad.stderr.startsWith(
        `pyaudit: error: ${path.join(dir, 'bad.json')}: not a JSON object of marker variables`,
      ),
    ]).toEqual([2, true]);
  });
});
