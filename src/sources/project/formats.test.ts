/**
 * Every dependency format: what `--dry-run -f json` lists (name, version or skip reason,
 * marker, chain) for self-written fixtures of each format, following each tool's own format
 * documentation, with the selection flags.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../../test/helpers/fixtures.js';
import { runCli } from '../../../test/helpers/run-cli.js';

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

describe('uv.lock', () => {
  it('installs the members, their dependencies and the dev group; lists the rest as not installed', async () => {
    expect(await listed(['uv-workspace'])).toEqual([
      'app (the project or a workspace member itself (.), not a package from an index) via []',
      'lib (the project or a workspace member itself (packages/lib), not a package from an index) via []',
      'pysocks 1.7.1 via [requests]',
      'pytest 7.1.0 via []',
      'pywin32 306 via []',
      'pyyaml (not installed with the selected groups, extras and environment)',
      'requests 2.19.0 via []',
      'sphinx (not installed with the selected groups, extras and environment)',
      'urllib3 1.24.1 via []',
      'vendored (installed from a git repository (https://github.com/example/vendored.git?rev=v1#0123456789abcdef0123456789abcdef01234567), not from a package index) via []',
    ]);
  });

  it('--group, --no-dev, --extra, --all-extras, --only-group and --platform', async () => {
    const lines = async (...flags: string[]) =>
      (await listed(['uv-workspace/uv.lock', ...flags])).filter(
        (l) => !l.includes('workspace member itself'),
      );
    expect((await lines('--group', 'docs')).find((l) => l.startsWith('sphinx'))).toBe(
      'sphinx 5.0.0 via []',
    );
    expect((await lines('--no-dev')).find((l) => l.startsWith('pytest'))).toBe(
      'pytest (not installed with the selected groups, extras and environment)',
    );
    expect((await lines('--no-group', 'dev')).find((l) => l.startsWith('pytest'))).toBe(
      'pytest (not installed with the selected groups, extras and environment)',
    );
    expect((await lines('--extra', 'yaml')).find((l) => l.startsWith('pyyaml'))).toBe(
      'pyyaml 5.3 via []',
    );
    expect((await lines('--all-extras')).find((l) => l.startsWith('pyyaml'))).toBe(
      'pyyaml 5.3 via []',
    );
    expect(
      (await lines('--only-group', 'docs')).filter((l) => !l.includes('not installed')),
    ).toEqual(['sphinx 5.0.0 via []']);
    expect((await lines('--platform', 'linux')).find((l) => l.startsWith('pywin32'))).toBe(
      'pywin32 (not installed with the selected groups, extras and environment)',
    );
    expect((await lines('--platform', 'windows')).find((l) => l.startsWith('pywin32'))).toBe(
      'pywin32 306 via []',
    );
  });
});

describe('poetry.lock (2.x)', () => {
  it('installs every non-optional group; optional packages only through extras; markers kept', async () => {
    expect(await listed(['poetry2'])).toEqual([
      'certifi 2024.8.30 via [requests]',
      'colorama 0.4.6 via [pytest]',
      'pysocks (not installed with the selected groups, extras and environment (groups: main))',
      'pytest 7.1.0 via []',
      'requests 2.19.0 via []',
      'toolkit (installed from a git repository (https://github.com/example/toolkit.git@4a2b3c1d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b), not from a package index) via []',
    ]);
    expect(
      (await listed(['poetry2/poetry.lock', '--no-dev'])).filter(
        (l) => l.startsWith('pytest') || l.startsWith('colorama'),
      ),
    ).toEqual([
      'colorama (not installed with the selected groups, extras and environment (groups: dev))',
      'pytest (not installed with the selected groups, extras and environment (groups: dev))',
    ]);
    expect(
      (await listed(['poetry2/poetry.lock', '--extra', 'socks'])).find((l) =>
        l.startsWith('pysocks'),
      ),
    ).toBe('pysocks 1.7.1 via [requests]');
    expect(
      (await listed(['poetry2/poetry.lock', '--platform', 'linux'])).find((l) =>
        l.startsWith('colorama'),
      ),
    ).toBe(
      'colorama (not installed with the selected groups, extras and environment (groups: dev))',
    );
  });
});

describe('manifests', () => {
  it('pyproject.toml (PEP 621 + PEP 735 with include-group): pins audited, ranges skipped', async () => {
    expect(await listed(['pep735'])).toEqual([
      'django 3.2.0 via []',
      'requests (requirement is not pinned to an exact version: requests>=2.19) via []',
      'pysocks (not installed with the selected groups and extras (extra socks)) via []',
      'pytest (not installed with the selected groups and extras (group test)) via []',
      'ruff (not installed with the selected groups and extras (group lint)) via []',
      'pytest 7.1.0 via []',
      'ruff (requirement is not pinned: ruff) via []',
      'ipython 8.0.0 via []',
    ]);
    expect(
      (await listed(['pep735/pyproject.toml', '--no-dev', '--extra', 'socks'])).filter(
        (l) => !l.includes('not installed'),
      ),
    ).toEqual([
      'django 3.2.0 via []',
      'requests (requirement is not pinned to an exact version: requests>=2.19) via []',
      'pysocks 1.7.1 via []',
    ]);
  });

  it('pyproject.toml (Poetry): a bare version is exact, ^ and ~ are ranges, optional groups and extras', async () => {
    expect(await listed(['poetry-manifest'])).toEqual([
      'jinja2 2.10 via []',
      'requests (requirement is not pinned to an exact version: requests>=2.19,<3) via []',
      'flask 0.12 via []',
      'toolkit (installed from git https://github.com/example/toolkit.git, not from a package index) via []',
      'pytest 7.1.0 via []',
      'sphinx (not installed with the selected groups and extras (group docs)) via []',
      'pysocks (not installed with the selected groups and extras (extra socks)) via []',
    ]);
  });

  it('Pipfile, PEP 723 script metadata and a conda environment', async () => {
    expect(await listed(['pipenv'])).toEqual([
      'requests 2.19.0 via []',
      'flask (requirement is not pinned: flask) via []',
      'mylib (installed from path ./mylib, not from a package index) via []',
      'pytest (not installed with the selected groups and extras (group dev-packages)) via []',
    ]);
    expect(await listed(['script.py'])).toEqual([
      'requests 2.19.0 via []',
      'rich (requirement is not pinned: rich) via []',
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
  it('markers on extras and dependency groups follow the selection (default-groups, --extra, --no-group)', async () => {
    const lines = async (...flags: string[]) =>
      (await listed([path.join('..', 'pylock', 'pylock.toml'), ...flags])).filter((l) =>
        /^(pysocks|pytest|colorama) /.test(l),
      );
    expect(await lines()).toEqual([
      'pysocks (not installed in the target environment (marker: "socks" in extras))',
      'pytest 8.0.0',
      'colorama 0.4.6',
    ]);
    expect(await lines('--extra', 'socks', '--no-group', 'dev', '--platform', 'linux')).toEqual([
      'pysocks 1.7.1',
      'pytest (not installed in the target environment (marker: "dev" in dependency_groups))',
      'colorama (not installed in the target environment (marker: sys_platform == "win32"))',
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
  it('a truncated file of every kind is one error line naming the file (and line), exit 2', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-truncated-'));
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
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-dynamic-'));
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
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-markerenv-'));
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
