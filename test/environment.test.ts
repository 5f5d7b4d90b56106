/**
 * Auditing installed environments without running pip: a fixture environment laid out the way
 * pip and setuptools write one (test/fixtures/environment, generated with its `pip list`
 * output), this machine's real environments compared live with `pip list --path`, and
 * virtual environments found the ways a user expects.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeName } from '../src/standards/pep503.js';
import { FIXTURES_DIR } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { loadAdvisories } from './helpers/advisories.js';
import { describeShared, sharedPath } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

const SITE = path.join(FIXTURES_DIR, 'environment', 'site-packages');
const tempDir = tempDirs();
const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import sys'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const withPython = hasPython ? describe : describe.skip;
if (!hasPython)
  console.warn('[pyaudit tests] skipping the live environment tests: no python3 on PATH');

interface JsonDep {
  name: string;
  version?: string;
  skip_reason?: string;
  direct?: boolean;
  via?: string[];
  vulns?: Array<{ id: string }>;
}
const report = (stdout: string) => (JSON.parse(stdout) as { dependencies: JsonDep[] }).dependencies;
const pairs = (deps: Array<{ name: string; version?: string }>) =>
  deps.map((d) => [canonicalizeName(d.name), d.version]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));

/** A `.dist-info` folder with this METADATA (none when `null`), and pip's REQUESTED if asked. */
function distInfo(site: string, folder: string, metadata: string | null, requested = false): void {
  mkdirSync(path.join(site, folder));
  if (metadata !== null) writeFileSync(path.join(site, folder, 'METADATA'), metadata);
  if (requested) writeFileSync(path.join(site, folder, 'REQUESTED'), '');
}

describe('--path: reading an environment without an interpreter', () => {
  it('lists exactly what pip list --path lists for the fixture environment', async () => {
    const result = await runCli(['--path', SITE, '--dry-run', '-f', 'json'], { cwd: FIXTURES_DIR });
    const expected = JSON.parse(
      readFileSync(path.join(FIXTURES_DIR, 'environment', 'pip-list.json'), 'utf8'),
    ) as Array<{ name: string; version: string }>;
    expect(pairs(report(result.stdout))).toEqual(pairs(expected));
    expect(result.stderr).toBe(
      `pyaudit: auditing the packages in ${SITE}\nDry run: collected 16 dependencies (16 auditable); nothing was audited\n`,
    );
  });

  it('knows what is direct and what pulls each package in (Requires-Dist, markers, extras)', async () => {
    const deps = report(
      (await runCli(['--path', SITE, '--dry-run', '-f', 'json'], { cwd: FIXTURES_DIR })).stdout,
    );
    const graph = Object.fromEntries(
      deps.map((d) => [d.name, [d.direct, (d.via ?? []).join(' > ')]]),
    );
    expect(graph).toEqual({
      chardet: [false, 'mypkg > requests'],
      click: [false, 'flask'],
      devpkg: [true, ''],
      flask: [true, ''],
      idna: [false, 'mypkg > requests'],
      itsdangerous: [false, 'flask'],
      jinja2: [false, 'flask'],
      markupsafe: [false, 'flask > jinja2'],
      mypkg: [true, ''],
      'pywin32-only': [true, ''],
      requests: [false, 'mypkg'],
      setuptools: [false, 'zope-interface'],
      urllib3: [false, 'mypkg > requests'],
      vcspkg: [true, ''],
      werkzeug: [false, 'flask'],
      'zope-interface': [true, ''],
    });
  });

  it('an extra nobody asked for is no edge; REQUESTED marks what the user asked for', async () => {
    // httplib2 0.20.4 and pyparsing 3.0.9 as Debian ships them, Jinja2 3.1.6 as PyPI does.
    const dir = tempDir('pyaudit-env-');
    const write = (requested: ReadonlySet<string>) => {
      const site = mkdtempSync(path.join(dir, 'site-'));
      const dist = (folder: string, metadata: string) =>
        distInfo(site, folder, metadata, requested.has(folder.split('-')[0] as string));
      dist(
        'httplib2-0.20.4.dist-info',
        'Metadata-Version: 2.1\nName: httplib2\nVersion: 0.20.4\n' +
          'Requires-Dist: pyparsing (<3,>=2.4.2) ; python_version < "3.0"\n' +
          'Requires-Dist: pyparsing (!=3.0.0,!=3.0.1,!=3.0.2,!=3.0.3,<4,>=2.4.2) ; python_version > "3.0"\n',
      );
      dist(
        'pyparsing-3.0.9.dist-info',
        'Metadata-Version: 2.1\nName: pyparsing\nVersion: 3.0.9\n' +
          'Requires-Dist: railroad-diagrams ; extra == "diagrams"\n' +
          'Requires-Dist: jinja2 ; extra == "diagrams"\nProvides-Extra: diagrams\n',
      );
      dist(
        'jinja2-3.1.6.dist-info',
        'Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.6\n' +
          'Requires-Dist: MarkupSafe>=2.0\nRequires-Dist: Babel>=2.7 ; extra == "i18n"\n' +
          'Provides-Extra: i18n\n',
      );
      dist(
        'markupsafe-3.0.3.dist-info',
        'Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 3.0.3\n',
      );
      return site;
    };
    const graph = async (site: string) =>
      report((await runCli(['--path', site, '--dry-run', '-f', 'json'], { cwd: dir })).stdout).map(
        (d) => [d.name, d.direct, d.via],
      );
    // No REQUESTED anywhere (Debian, old pip): direct means nothing installed requires it.
    expect(await graph(write(new Set()))).toEqual([
      ['httplib2', true, []],
      ['jinja2', true, []],
      ['markupsafe', false, ['jinja2']],
      ['pyparsing', false, ['httplib2']],
    ]);
    // pip install httplib2 pyparsing: both asked for, though httplib2 requires pyparsing.
    expect(await graph(write(new Set(['httplib2', 'pyparsing'])))).toEqual([
      ['httplib2', true, []],
      ['jinja2', true, []],
      ['markupsafe', false, ['jinja2']],
      ['pyparsing', true, []],
    ]);
  });

  it('--exclude leaves packages out; --skip-editable skips editable installs on purpose', async () => {
    const deps = report(
      (
        await runCli(
          [
            '--path',
            SITE,
            '--dry-run',
            '-f',
            'json',
            '--exclude',
            'setuptools,Zope.Interface',
            '--exclude',
            'pip',
            '--skip-editable',
          ],
          { cwd: FIXTURES_DIR },
        )
      ).stdout,
    );
    expect(deps.map((d) => d.name)).not.toContain('setuptools');
    expect(deps.map((d) => d.name)).not.toContain('zope-interface');
    expect(deps.filter((d) => d.skip_reason).map((d) => [d.name, d.skip_reason])).toEqual([
      ['devpkg', 'distribution marked as editable (--skip-editable)'],
      ['mypkg', 'distribution marked as editable (--skip-editable)'],
    ]);
  });

  it('broken metadata is a skipped dependency with the reason, never a crash', async () => {
    const dir = tempDir('pyaudit-env-');
    distInfo(dir, 'noversion-1.0.dist-info', 'Metadata-Version: 2.1\nName: noversion\n');
    distInfo(dir, 'nometa-2.0.dist-info', null);
    distInfo(dir, 'legacy-1.0.dist-info', 'Name: legacy\nVersion: 2004d\n');
    const deps = report(
      (await runCli(['--path', dir, '--dry-run', '-f', 'json'], { cwd: dir })).stdout,
    );
    expect(deps.map((d) => [d.name, d.skip_reason])).toEqual([
      [
        'legacy',
        'version 2004d is not a valid PEP 440 version and cannot be matched against advisories',
      ],
      ['nometa', 'could not read its metadata: METADATA is missing or unreadable'],
      ['noversion', 'could not read its metadata: METADATA has no Version'],
    ]);
  });

  it('the first distribution of a name on the path wins; a shadowed other version is reported', async () => {
    const dir = tempDir('pyaudit-env-');
    distInfo(dir, 'urllib3-2.0.0.dist-info', 'Name: urllib3\nVersion: 2.0.0\n');
    const result = await runCli(['--path', dir, '--path', SITE, '--dry-run', '-f', 'json'], {
      cwd: dir,
    });
    expect(report(result.stdout).find((d) => d.name === 'urllib3')?.version).toBe('2.0.0');
    expect(result.stderr).toContain(
      `pyaudit: warning: urllib3 1.23 at ${path.join(SITE, 'urllib3-1.23.dist-info')} is shadowed by ${path.join(dir, 'urllib3-2.0.0.dist-info')} earlier on the path; it is not audited\n`,
    );
  });

  it('a missing folder is an error', async () => {
    expect(await runCli(['--path', 'nowhere'], { cwd: FIXTURES_DIR })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${path.join(FIXTURES_DIR, 'nowhere')}: no such folder\n`,
      code: 2,
    });
  });
});

describeShared('auditing an environment', () => {
  let server: OsvTestServer;
  beforeAll(async () => {
    server = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')));
  });
  afterAll(() => server?.close());

  it('finds the vulnerabilities of what is installed and shows the chain with --show-paths', async () => {
    const result = await runCli(['--path', SITE, '--osv-url', server.url, '--show-paths'], {
      cwd: FIXTURES_DIR,
    });
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Name +Version +ID +Fix Versions +Via$/);
    expect(lines.find((l) => l.startsWith('requests '))).toMatch(
      /^requests +2\.19\.0 +PYSEC-2018-28 +2\.20\.0 +mypkg$/,
    );
    expect(lines.find((l) => l.startsWith('markupsafe ')) ?? '').toBe('');
    expect(lines.find((l) => l.startsWith('jinja2 '))).toMatch(/ flask$/);
    expect(result.stderr.trimEnd().split('\n').pop()).toMatch(
      /^Found \d+ known vulnerabilities in \d+ packages$/,
    );
  });
});

withPython('real environments on this machine, compared with pip list', () => {
  const listed = (dir: string) =>
    JSON.parse(
      execFileSync(
        'python3',
        ['-m', 'pip', 'list', '--path', dir, '--format', 'json', '--disable-pip-version-check'],
        { encoding: 'utf8' },
      ),
    ) as Array<{
      name: string;
      version: string;
    }>;
  const sitePackages = execFileSync(
    'python3',
    ['-c', 'import site; print("\\n".join(site.getsitepackages()))'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .filter((d) => existsSync(d));
  const dirs = [...sitePackages, '/usr/lib/python3/dist-packages'].filter((d) => existsSync(d));

  it.each(dirs)('%s', async (dir) => {
    const result = await runCli(['--path', dir, '--dry-run', '-f', 'json'], { cwd: dir });
    expect(pairs(report(result.stdout).filter((d) => !d.skip_reason))).toEqual(pairs(listed(dir)));
  });
});

/** Writes a minimal wheel (PEP 427) with python3's zipfile, for pip to install. */
function buildWheel(dir: string, name: string, version: string, requires: string[]): string {
  const script = `
import base64, hashlib, re, sys, zipfile
name, version, out = sys.argv[1], sys.argv[2], sys.argv[3]
requires = sys.argv[4:]
info = f"{name}-{version}.dist-info"
meta = "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (name, version) + "".join("Requires-Dist: %s\\n" % r for r in requires)
extras = sorted({e for r in requires for e in re.findall(r'extra == "([^"]+)"', r)})
meta += "".join("Provides-Extra: %s\\n" % e for e in extras)
files = {f"{name.lower()}/__init__.py": b"", f"{info}/METADATA": meta.encode(),
         f"{info}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: pyaudit-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
digest = lambda b: "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
record = "".join(f"{n},{digest(b)},{len(b)}\\n" for n, b in files.items()) + f"{info}/RECORD,,\\n"
with zipfile.ZipFile(out, "w") as z:
    for n, b in files.items():
        z.writestr(n, b)
    z.writestr(f"{info}/RECORD", record)
`;
  const out = path.join(dir, `${name}-${version}-py3-none-any.whl`);
  execFileSync('python3', ['-c', script, name, version, out, ...requires]);
  return out;
}

/** Runs pip on a venv's interpreter, its cache and configuration kept inside the test's folder. */
function pip(root: string, python: string, args: string[]): string {
  return execFileSync(
    'python3',
    ['-m', 'pip', '--python', python, '--disable-pip-version-check', ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIP_'))),
        HOME: root,
        XDG_CACHE_HOME: path.join(root, 'cache'),
        XDG_CONFIG_HOME: path.join(root, 'config'),
        // pip reads no configuration file at all (the machine's own pip.conf included).
        PIP_CONFIG_FILE: devNull,
        PIP_NO_CACHE_DIR: '1',
      },
    },
  );
}

/** A new venv without pip in a new temp folder, and its interpreter. */
function newVenv(): { root: string; python: string } {
  const root = tempDir('pyaudit-pipvenv-');
  const venv = path.join(root, 'venv');
  execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
  return { root, python: path.join(venv, 'bin', 'python') };
}

withPython('environments that pip itself installed', () => {
  const audit = async (root: string, python: string) => {
    const result = await runCli(['--dry-run', '-f', 'json'], {
      cwd: root,
      env: { VIRTUAL_ENV: path.dirname(path.dirname(python)) },
    });
    const deps = report(result.stdout);
    const pipList = JSON.parse(pip(root, python, ['list', '--format', 'json'])) as Array<{
      name: string;
      version: string;
    }>;
    expect(pairs(deps)).toEqual(pairs(pipList));
    return deps;
  };

  it('a venv with local wheels installed by pip lists as pip lists it, with its graph', async () => {
    const { root, python } = newVenv();
    const wheels = [
      buildWheel(root, 'Demo_App', '2.0.0', ['demo-lib>=1.0', 'urllib3; python_version < "3"']),
      buildWheel(root, 'demo_lib', '1.0.post1', ['six ; extra == "compat"']),
    ];
    pip(root, python, ['install', '--quiet', '--no-index', '--no-deps', ...wheels]);
    const deps = await audit(root, python);
    expect(pairs(deps)).toEqual([
      ['demo-app', '2.0.0'],
      ['demo-lib', '1.0.post1'],
    ]);
    // Both were named on pip's command line, so pip marked both REQUESTED: both are direct.
    expect(deps.map((d) => [d.name, d.direct, d.via])).toEqual([
      ['demo-app', true, []],
      ['demo-lib', true, []],
    ]);
  });

  it('pip resolving from a local wheel folder marks only what was asked for as REQUESTED', async () => {
    const { root, python } = newVenv();
    const mirror = path.join(root, 'wheels');
    mkdirSync(mirror);
    buildWheel(mirror, 'Demo_App', '2.0.0', ['demo-lib[fast]>=1.0']);
    buildWheel(mirror, 'demo_lib', '1.0.post1', [
      'demo-speedups ; extra == "fast"',
      'demo-tool ; extra == "compat"',
    ]);
    buildWheel(mirror, 'demo_speedups', '0.3', []);
    buildWheel(mirror, 'demo_tool', '1.1', []);
    pip(root, python, [
      'install',
      '--quiet',
      '--no-index',
      '--find-links',
      mirror,
      'Demo_App',
      'demo-tool',
    ]);
    const site = execFileSync(
      python,
      ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
      {
        encoding: 'utf8',
      },
    ).trim();
    expect(
      readdirSync(site)
        .filter((d) => d.endsWith('.dist-info') && existsSync(path.join(site, d, 'REQUESTED')))
        .sort(),
    ).toEqual(['Demo_App-2.0.0.dist-info', 'demo_tool-1.1.dist-info']);
    const deps = await audit(root, python);
    // demo-tool would come with demo-lib[compat], which nothing asked for: it is direct.
    expect(deps.map((d) => [d.name, d.version, d.direct, d.via])).toEqual([
      ['demo-app', '2.0.0', true, []],
      ['demo-lib', '1.0.post1', false, ['demo-app']],
      ['demo-speedups', '0.3', false, ['demo-app', 'demo-lib']],
      ['demo-tool', '1.1', true, []],
    ]);
  });
});

/** The machine's local package mirror (a PEP 503 simple index of real wheels), when it has one. */
const MIRROR = '/opt/pypi/simple';
const hasMirror =
  hasPython &&
  ['httplib2', 'jinja2', 'pyparsing', 'markupsafe'].every((p) => existsSync(path.join(MIRROR, p)));
if (!hasMirror)
  console.warn(`[pyaudit tests] skipping the pip mirror test: no ${MIRROR} with jinja2, httplib2`);

(hasMirror ? describe : describe.skip)(
  'real packages that pip installed from the local mirror',
  () => {
    it('pip install httplib2 jinja2: REQUESTED on both, and jinja2 is not "via httplib2 > pyparsing"', async () => {
      const { root, python } = newVenv();
      pip(root, python, [
        'install',
        '--quiet',
        '--index-url',
        `file://${MIRROR}`,
        'httplib2',
        'jinja2',
      ]);
      const site = execFileSync(
        python,
        ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
        {
          encoding: 'utf8',
        },
      ).trim();
      const infos = readdirSync(site).filter((d) => d.endsWith('.dist-info'));
      expect(
        infos.map((d) => [d.split('-')[0], existsSync(path.join(site, d, 'REQUESTED'))]).sort(),
      ).toEqual([
        ['httplib2', true],
        ['jinja2', true],
        ['markupsafe', false],
        ['pyparsing', false],
      ]);
      const result = await runCli(['--dry-run', '-f', 'json'], {
        cwd: root,
        env: { VIRTUAL_ENV: path.dirname(path.dirname(python)) },
      });
      expect(report(result.stdout).map((d) => [d.name, d.direct, d.via])).toEqual([
        ['httplib2', true, []],
        ['jinja2', true, []],
        ['markupsafe', false, ['jinja2']],
        ['pyparsing', false, ['httplib2']],
      ]);
    });
  },
);

/** What the venv tests copy into each virtual environment. */
const COPIED = [
  ['requests', '2.19.0'],
  ['urllib3', '1.23'],
];

withPython('virtual environments', () => {
  let venv: string;
  let systemVenv: string;
  beforeAll(() => {
    const root = tempDir('pyaudit-venv-');
    venv = path.join(root, '.venv');
    systemVenv = path.join(root, 'system-venv');
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    execFileSync('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', systemVenv]);
    for (const v of [venv, systemVenv]) {
      const lib = path.join(v, 'lib');
      const site = path.join(
        lib,
        readdirSync(lib).find((d) => d.startsWith('python'))!,
        'site-packages',
      );
      for (const entry of ['requests-2.19.0.dist-info', 'urllib3-1.23.dist-info'])
        cpSync(path.join(SITE, entry), path.join(site, entry), { recursive: true });
    }
  });

  it('an activated venv (VIRTUAL_ENV) is what gets audited', async () => {
    const result = await runCli(['--dry-run', '-f', 'json'], {
      cwd: tmpdir(),
      env: { VIRTUAL_ENV: venv },
    });
    expect(pairs(report(result.stdout))).toEqual(COPIED);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^pyaudit: auditing the virtual environment ${venv.replace(/[.]/g, '\\.')} \\(VIRTUAL_ENV\\) \\(Python 3\\.\\d+\\.\\d+\\)$`,
      ),
    );
  });

  it('a .venv in the working directory is found', async () => {
    const result = await runCli(['--dry-run', '-f', 'json'], { cwd: path.dirname(venv) });
    expect(pairs(report(result.stdout))).toEqual(COPIED);
    expect(result.stderr).toMatch(
      /^pyaudit: auditing the virtual environment .*\.venv \(found in /,
    );
  });

  it('-l/--local leaves out the system packages a venv can see', async () => {
    const all = report(
      (
        await runCli(['--dry-run', '-f', 'json'], {
          cwd: tmpdir(),
          env: { VIRTUAL_ENV: systemVenv },
        })
      ).stdout,
    );
    const local = report(
      (
        await runCli(['--dry-run', '-f', 'json', '-l'], {
          cwd: tmpdir(),
          env: { VIRTUAL_ENV: systemVenv },
        })
      ).stdout,
    );
    expect(pairs(local)).toEqual(COPIED);
    expect(all.length).toBeGreaterThan(local.length);
  });

  it('a venv whose interpreter cannot run here is read from its files', async () => {
    // Built from scratch (never a copy: writing through a copied symlink would reach the real
    // interpreter): pyvenv.cfg, lib/pythonX.Y/site-packages, and a bin/python that cannot run.
    const foreign = tempDir('pyaudit-foreign-');
    writeFileSync(
      path.join(foreign, 'pyvenv.cfg'),
      'home = /opt/python/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n',
    );
    const site = path.join(foreign, 'lib', 'python3.12', 'site-packages');
    mkdirSync(site, { recursive: true });
    for (const entry of ['requests-2.19.0.dist-info', 'urllib3-1.23.dist-info'])
      cpSync(path.join(SITE, entry), path.join(site, entry), { recursive: true });
    mkdirSync(path.join(foreign, 'bin'));
    writeFileSync(path.join(foreign, 'bin', 'python'), '#!/nonexistent/interpreter\n', {
      mode: 0o755,
    });
    const result = await runCli(['--dry-run', '-f', 'json'], {
      cwd: tmpdir(),
      env: { VIRTUAL_ENV: foreign },
    });
    expect(pairs(report(result.stdout))).toEqual(COPIED);
    expect(result.stderr.split('\n')[0]).toBe(
      `pyaudit: auditing the virtual environment ${foreign} (VIRTUAL_ENV; read from its files)`,
    );
  });

  it('--python audits that interpreter; a bad one or a bad VIRTUAL_ENV is one line, exit 2', async () => {
    const result = await runCli(
      ['--dry-run', '-f', 'json', '--python', path.join(venv, 'bin', 'python')],
      { cwd: tmpdir() },
    );
    expect(pairs(report(result.stdout))).toEqual(COPIED);
    expect(await runCli(['--python', '/no/such/python'], { cwd: tmpdir() })).toEqual({
      stdout: '',
      stderr:
        'pyaudit: error: /no/such/python: cannot ask this Python interpreter where its packages are: not found\n',
      code: 2,
    });
    expect(await runCli([], { cwd: tmpdir(), env: { VIRTUAL_ENV: tmpdir() } })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${tmpdir()}: VIRTUAL_ENV names a folder that is not a virtual environment (no pyvenv.cfg)\n`,
      code: 2,
    });
  });
});
