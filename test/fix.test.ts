/**
 * `--fix` end to end: the CLI against a real loopback OSV server (the PyPA records for jinja2
 * and werkzeug) and a real loopback PEP 691 index (test/fixtures/fix/index), on requirements
 * files with comments, continuations, markers, includes, constraints and hashes. Files are
 * compared whole, byte for byte.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../src/audit/audit.js';
import type { ResolvedDependency } from '../src/core/dependency.js';
import { planFixes } from '../src/fix/plan.js';
import { fixRequirements } from '../src/fix/requirements-fix.js';
import { applyChanges } from '../src/fix/transaction.js';
import { createHttpClient } from '../src/http/client.js';
import { createPackageIndex } from '../src/index/client.js';
import { collectRequirements } from '../src/sources/requirements/collect.js';
import { requirementsSource } from '../src/sources/requirements/index.js';
import { createLocalService } from '../src/vulns/local/service.js';
import { memoryStore } from '../src/vulns/store.js';
import { loadAdvisories } from './helpers/advisories.js';
import { FIXTURES_DIR } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { startIndexServer, type IndexTestServer } from './index-server.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

const FIX = path.join(FIXTURES_DIR, 'fix');
const files = (
  JSON.parse(readFileSync(path.join(FIX, 'index', 'index.json'), 'utf8')) as {
    projects: Record<string, Array<{ filename: string; sha256: string }>>;
  }
).projects;
/** `sha256:<hex>` of the fixture files of one release, sorted (what a fixed line gets). */
const hashes = (project: string, version: string): string[] =>
  (files[project] ?? [])
    .filter((f) => f.filename.split('-')[1] === version)
    .map((f) => `sha256:${f.sha256}`)
    .sort();
const hash = (project: string, version: string): string => hashes(project, version)[0] as string;

let osv: OsvTestServer;
let index: IndexTestServer;
beforeAll(async () => {
  osv = await startOsvServer(loadAdvisories(path.join(FIX, 'osv')));
  index = await startIndexServer(
    { kind: 'scenario', dir: path.join(FIX, 'index') },
    { format: 'json' },
  );
});
afterAll(async () => {
  await osv.close();
  await index.close();
});

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A project folder with these files; the environment keeps pip's configuration and caches inside it. */
function project(contents: Record<string, string>): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pyaudit-fix-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(contents)) writeFileSync(path.join(dir, name), text);
  return {
    dir,
    env: {
      HOME: dir,
      XDG_CACHE_HOME: path.join(dir, '.cache'),
      XDG_CONFIG_HOME: path.join(dir, '.config'),
      PIP_CONFIG_FILE: devNull,
      PIP_INDEX_URL: `${index.url}/simple`,
      PYAUDIT_OSV_URL: osv.url,
    },
  };
}
const read = (dir: string, name: string): string => readFileSync(path.join(dir, name), 'utf8');

describe('--fix on requirements files', () => {
  const hashed = (): Record<string, string> => ({
    'requirements.txt': [
      '# Application pins',
      '-r base.txt  # shared with the worker',
      '',
      'Jinja2[i18n] == 2.10 ; python_version >= "3.6" \\',
      `    --hash=${hash('jinja2', '2.10')}`,
      '',
    ].join('\n'),
    'base.txt': [
      '# base',
      `werkzeug==3.0.0 --hash=${hash('werkzeug', '3.0.0')}  # patched below`,
      'MarkupSafe==2.0.1 \\',
      `  --hash=${hash('markupsafe', '2.0.1')}`,
    ].join('\r\n'),
  });

  it('changes exactly the vulnerable versions and their hashes, in the file that declares each; the audit after is clean', async () => {
    const { dir, env } = project(hashed());
    const result = await runCli(
      ['-r', 'requirements.txt', '--fix', '-f', 'json', '--progress-spinner', 'off'],
      {
        cwd: dir,
        env,
      },
    );
    expect(read(dir, 'requirements.txt')).toBe(
      [
        '# Application pins',
        '-r base.txt  # shared with the worker',
        '',
        'Jinja2[i18n] == 2.11.3 ; python_version >= "3.6" \\',
        `    --hash=${hashes('jinja2', '2.11.3')[0]} --hash=${hashes('jinja2', '2.11.3')[1]}`,
        '',
      ].join('\n'),
    );
    expect(read(dir, 'base.txt')).toBe(
      [
        '# base',
        `werkzeug==3.0.1 --hash=${hashes('werkzeug', '3.0.1')[0]} --hash=${hashes('werkzeug', '3.0.1')[1]}  # patched below`,
        'MarkupSafe==2.0.1 \\',
        `  --hash=${hash('markupsafe', '2.0.1')}`,
      ].join('\r\n'),
    );
    const json = JSON.parse(result.stdout) as {
      fixes: unknown[];
      dependencies: Array<{ name: string; vulns: Array<{ id: string }> }>;
    };
    expect(json.fixes).toEqual([
      { name: 'werkzeug', old_version: '3.0.0', new_version: '3.0.1' },
      { name: 'jinja2', old_version: '2.10', new_version: '2.11.3' },
    ]);
    expect(json.dependencies.map((d) => [d.name, d.vulns.map((v) => v.id)])).toEqual([
      ['werkzeug', ['PYSEC-2023-221']],
      ['markupsafe', []],
      ['jinja2', ['PYSEC-2019-217', 'PYSEC-2021-66']],
    ]);
    expect(result.stderr).toBe(
      [
        'Upgrading werkzeug 3.0.0 => 3.0.1',
        'Upgrading jinja2 2.10 => 2.11.3',
        'Changed base.txt',
        'Changed requirements.txt',
        'Found 3 known vulnerabilities in 2 packages',
        'After the fixes: No known vulnerabilities found',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
    // And a second audit of the files agrees.
    const again = await runCli(['-r', 'requirements.txt', '--progress-spinner', 'off'], {
      cwd: dir,
      env,
    });
    expect(again).toEqual({ stdout: '', stderr: 'No known vulnerabilities found\n', code: 0 });
  });

  it('--fix --dry-run prints a unified diff per file, changes nothing, and exits 1', async () => {
    const contents = hashed();
    const { dir, env } = project(contents);
    const result = await runCli(
      ['-r', 'requirements.txt', '--fix', '--dry-run', '--progress-spinner', 'off'],
      {
        cwd: dir,
        env,
      },
    );
    expect(read(dir, 'requirements.txt')).toBe(contents['requirements.txt']);
    expect(read(dir, 'base.txt')).toBe(contents['base.txt']);
    const [w0, w1] = hashes('werkzeug', '3.0.1');
    const [j0, j1] = hashes('jinja2', '2.11.3');
    expect(result.stderr).toBe(
      [
        'Would upgrade werkzeug 3.0.0 => 3.0.1',
        'Would upgrade jinja2 2.10 => 2.11.3',
        '--- a/base.txt',
        '+++ b/base.txt',
        '@@ -1,4 +1,4 @@',
        ' # base\r',
        `-werkzeug==3.0.0 --hash=${hash('werkzeug', '3.0.0')}  # patched below\r`,
        `+werkzeug==3.0.1 --hash=${w0} --hash=${w1}  # patched below\r`,
        ' MarkupSafe==2.0.1 \\\r',
        `   --hash=${hash('markupsafe', '2.0.1')}`,
        '\\ No newline at end of file',
        '--- a/requirements.txt',
        '+++ b/requirements.txt',
        '@@ -1,5 +1,5 @@',
        ' # Application pins',
        ' -r base.txt  # shared with the worker',
        ' ',
        '-Jinja2[i18n] == 2.10 ; python_version >= "3.6" \\',
        `-    --hash=${hash('jinja2', '2.10')}`,
        '+Jinja2[i18n] == 2.11.3 ; python_version >= "3.6" \\',
        `+    --hash=${j0} --hash=${j1}`,
        'Found 3 known vulnerabilities in 2 packages',
        'After the fixes (not applied: --dry-run): No known vulnerabilities found',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
  });

  it('keeps comments, continuations, markers and constraints files; a fix a parent forbids is skipped with the reason; exit 1', async () => {
    const { dir, env } = project({
      'requirements.txt':
        [
          'flask==1.0            # web',
          'werkzeug==2.0.3       # flask 1.0 needs <2.1',
          'jinja2 \\',
          '    ==2.10 ; sys_platform != "win32"   # split over two lines',
          '-c constraints.txt',
          'markupsafe',
        ].join('\n') + '\n',
      'constraints.txt': 'markupsafe==2.0.1\nJinja2<3  # stay on 2.x\n',
    });
    const result = await runCli(['-r', 'requirements.txt', '--fix', '--progress-spinner', 'off'], {
      cwd: dir,
      env,
    });
    expect(read(dir, 'requirements.txt')).toBe(
      [
        'flask==1.0            # web',
        'werkzeug==2.0.3       # flask 1.0 needs <2.1',
        'jinja2 \\',
        '    ==2.11.3 ; sys_platform != "win32"   # split over two lines',
        '-c constraints.txt',
        'markupsafe',
      ].join('\n') + '\n',
    );
    expect(read(dir, 'constraints.txt')).toBe('markupsafe==2.0.1\nJinja2<3  # stay on 2.x\n');
    expect(result.stderr).toBe(
      [
        'Cannot fix werkzeug 2.0.3: flask 1.0 requires werkzeug>=0.14,<2.1; upgrade flask too',
        'Upgrading jinja2 2.10 => 2.11.3',
        'Changed requirements.txt',
        'Found 6 known vulnerabilities in 2 packages',
        'After the fixes: Found 4 known vulnerabilities in 1 package',
        '',
      ].join('\n'),
    );
    expect(result.stdout).toContain('Applied Fix');
    expect(result.stdout).toContain('Successfully upgraded jinja2 (2.10 => 2.11.3)');
    expect(result.stdout).toContain(
      'Failed to fix werkzeug (2.0.3): flask 1.0 requires werkzeug>=0.14,<2.1; upgrade flask too',
    );
    expect(result.code).toBe(1);
  });

  it('after the fixes, the exit code is the policy decision on what remains (--fail-on)', async () => {
    const { dir, env } = project({
      'requirements.txt': 'flask==1.0\nwerkzeug==2.0.3\njinja2==2.10\nmarkupsafe==2.0.1\n',
    });
    const fix = (extra: string[]) =>
      runCli(['-r', 'requirements.txt', '--fix', '--progress-spinner', 'off', ...extra], {
        cwd: dir,
        env,
      });
    // werkzeug cannot be fixed (flask 1.0 forbids it): its findings remain and fail the run…
    const failing = await fix([]);
    expect(failing.stderr.trimEnd().split('\n').pop()).toBe(
      'After the fixes: Found 4 known vulnerabilities in 1 package',
    );
    expect(failing.code).toBe(1);
    // …unless the policy says they do not.
    const passing = await fix(['--fail-on', 'malicious']);
    expect(passing.stderr.trimEnd().split('\n').pop()).toBe(
      'After the fixes: Found 4 known vulnerabilities in 1 package',
    );
    expect(passing.code).toBe(0);
  });

  it("takes the index from the file's own --index-url; standard input is never rewritten", async () => {
    const text = `--index-url ${index.url}/simple\nwerkzeug==3.0.0\n`;
    const { dir, env } = project({ 'requirements.txt': text });
    // The configured index knows no project: only the file's own index can give the fix.
    const elsewhere = { ...env, PIP_INDEX_URL: `${index.url}/nowhere` };
    const fromFile = await runCli(
      ['-r', 'requirements.txt', '--fix', '--progress-spinner', 'off'],
      {
        cwd: dir,
        env: elsewhere,
      },
    );
    expect(read(dir, 'requirements.txt')).toBe(text.replace('3.0.0', '3.0.1'));
    expect(fromFile.code).toBe(0);
    const stdin = await runCli(['-r', '-', '--fix', '--progress-spinner', 'off', '-f', 'json'], {
      cwd: dir,
      env,
      stdin: 'werkzeug==3.0.0\n',
    });
    expect((JSON.parse(stdin.stdout) as { fixes: unknown }).fixes).toEqual([
      {
        name: 'werkzeug',
        version: '3.0.0',
        skip_reason: 'standard input cannot be rewritten (fixed in 3.0.1)',
      },
    ]);
    expect(stdin.code).toBe(1);
  });

  it('a folder that cannot be written in the middle of the fix: exit 2, every file as it was', async () => {
    const contents = {
      'requirements.txt': 'jinja2==2.10  # first\n-r sub/base.txt\n',
      'sub/base.txt': 'werkzeug==3.0.0\n',
    };
    const { dir, env } = project({});
    mkdirSync(path.join(dir, 'sub'));
    for (const [name, text] of Object.entries(contents)) writeFileSync(path.join(dir, name), text);
    // requirements.txt is replaced first; then sub/ refuses the temporary file. As root only
    // the immutable attribute stops a write; otherwise the folder is made read-only.
    const sub = path.join(dir, 'sub');
    let immutable = false;
    try {
      execFileSync('chattr', ['+i', sub], { stdio: 'ignore' });
      immutable = true;
    } catch {
      chmodSync(sub, 0o555);
    }
    try {
      const result = await runCli(
        ['-r', 'requirements.txt', '--fix', '--progress-spinner', 'off'],
        {
          cwd: dir,
          env,
        },
      );
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `\\npyaudit: error: --fix failed: cannot write ${path.join(sub, 'base.txt').replace(/[.]/g, '\\.')}: (EPERM|EACCES); every file is as it was\\n$`,
        ),
      );
      expect(result.code).toBe(2);
      for (const [name, text] of Object.entries(contents)) expect(read(dir, name)).toBe(text);
      // No temporary file is left behind.
      expect(readdirSync(dir).filter((n) => n.includes('.pyaudit-'))).toEqual([]);
      expect(readdirSync(sub)).toEqual(['base.txt']);
    } finally {
      if (immutable) execFileSync('chattr', ['-i', sub]);
      else chmodSync(sub, 0o755);
    }
  });

  it('a vulnerable transitive dependency is appended as a pinned line, with hashes in a hashed file, under a comment', async () => {
    const text = `flask==2.3.3 --hash=${hash('flask', '2.3.3')}\n`;
    const { dir } = project({ 'requirements.txt': text });
    const root = path.join(dir, 'requirements.txt');
    const readFile = (f: string): Promise<Uint8Array> =>
      Promise.resolve(readFileSync(path.resolve(dir, f)));
    const options = { readFile, markerEnvironment: {} };
    // As a resolved set would give it: werkzeug comes in through flask and no line pins it.
    const werkzeug: ResolvedDependency = {
      kind: 'resolved',
      name: 'werkzeug',
      displayName: 'Werkzeug',
      version: '3.0.0',
      origin: { file: root },
      graph: { direct: false, via: ['flask'] },
    };
    const services = [createLocalService(memoryStore(loadAdvisories(path.join(FIX, 'osv'))))];
    const http = createHttpClient({ timeoutSeconds: 10 });
    try {
      const packageIndex = createPackageIndex({
        http,
        indexUrls: [`${index.url}/simple`],
        netrc: null,
      });
      const outcome = await fixRequirements({
        vulnerable: [werkzeug],
        located: (await collectRequirements([root], options)).requirements,
        roots: [root],
        resolve: (f) => path.resolve(dir, f),
        readFile,
        plan: (deps, constraints) =>
          planFixes(deps, { index: packageIndex, services, pinned: [werkzeug], constraints }),
      });
      expect(outcome.fixes).toEqual([{ name: 'werkzeug', version: '3.0.0', newVersion: '3.0.1' }]);
      await applyChanges(outcome.changes);
      const [w0, w1] = hashes('werkzeug', '3.0.1');
      expect(read(dir, 'requirements.txt')).toBe(
        `${text}# pyaudit: a vulnerable dependency (via flask) pinned to a fixed version\nwerkzeug==3.0.1 \\\n    --hash=${w0} \\\n    --hash=${w1}\n`,
      );
      // pip's hash-checking mode accepts the file as written.
      expect((await collectRequirements([root], options)).dependencies.map((d) => d.name)).toEqual([
        'flask',
        'werkzeug',
      ]);
    } finally {
      await http.close();
    }
  });

  it('a failure in the middle of a multi-file fix leaves every file as it was', async () => {
    const contents = hashed();
    const { dir } = project(contents);
    const readFile = (f: string): Promise<Uint8Array> =>
      Promise.resolve(readFileSync(path.resolve(dir, f)));
    const options = { readFile, markerEnvironment: {} };
    const root = path.join(dir, 'requirements.txt');
    const services = [createLocalService(memoryStore(loadAdvisories(path.join(FIX, 'osv'))))];
    const report = await audit({ sources: [requirementsSource([root], options)], services });
    const vulnerable = report.results.flatMap((r) =>
      r.findings.length > 0 ? [r.dependency as ResolvedDependency] : [],
    );
    const http = createHttpClient({ timeoutSeconds: 10 });
    try {
      const packageIndex = createPackageIndex({
        http,
        indexUrls: [`${index.url}/simple`],
        netrc: null,
      });
      const outcome = await fixRequirements({
        vulnerable,
        located: (await collectRequirements([root], options)).requirements,
        roots: [root],
        resolve: (f) => path.resolve(dir, f),
        readFile,
        plan: (deps, constraints) =>
          planFixes(deps, { index: packageIndex, services, pinned: vulnerable, constraints }),
      });
      expect(outcome.changes.map((c) => path.basename(c.file))).toEqual([
        'base.txt',
        'requirements.txt',
      ]);
      // After base.txt was replaced, requirements.txt is edited by someone else.
      const edited = `${contents['requirements.txt']}flask==2.3.3\n`;
      await expect(
        applyChanges(outcome.changes, {
          beforeStep: (step) => {
            if (step === 1) writeFileSync(root, edited);
          },
        }),
      ).rejects.toThrow(`${root} changed on disk since it was read; it was not overwritten`);
      expect(read(dir, 'base.txt')).toBe(contents['base.txt']);
      expect(read(dir, 'requirements.txt')).toBe(edited);
    } finally {
      await http.close();
    }
  });
});

describe('--fix on manifests and lock files', () => {
  const PYPROJECT = `# Our service.
[project]
name = "service"
version = "0.3.0"
requires-python = ">=3.8"
dependencies = [
    "Jinja2 == 2.10",         # templates
    "markupsafe==2.0.1",
]

[dependency-groups]
# the web layer, kept separate
web = ["werkzeug==3.0.0 ; python_version >= '3.8'"]

[tool.uv]
default-groups = ["web"]
`;

  it('pyproject.toml: each pin changes in place, every comment and the key order kept; the audit after is clean', async () => {
    const { dir, env } = project({ 'pyproject.toml': PYPROJECT });
    const result = await runCli(['.', '--fix', '--progress-spinner', 'off', '-f', 'json'], {
      cwd: dir,
      env,
    });
    expect(read(dir, 'pyproject.toml')).toBe(`# Our service.
[project]
name = "service"
version = "0.3.0"
requires-python = ">=3.8"
dependencies = [
    "Jinja2 == 2.11.3",         # templates
    "markupsafe==2.0.1",
]

[dependency-groups]
# the web layer, kept separate
web = ["werkzeug==3.0.1 ; python_version >= '3.8'"]

[tool.uv]
default-groups = ["web"]
`);
    expect((JSON.parse(result.stdout) as { fixes: unknown }).fixes).toEqual([
      { name: 'jinja2', old_version: '2.10', new_version: '2.11.3' },
      { name: 'werkzeug', old_version: '3.0.0', new_version: '3.0.1' },
    ]);
    expect(result.stderr.split('\n').slice(-3)).toEqual([
      'Found 3 known vulnerabilities in 2 packages',
      'After the fixes: No known vulnerabilities found',
      '',
    ]);
    expect(result.code).toBe(0);
  });

  it("a fix must still support the lowest Python the project's requires-python admits", async () => {
    const manifest =
      '[project]\nname = "old"\nversion = "1"\nrequires-python = ">=3.7"\ndependencies = ["werkzeug==2.2.3"]\n';
    const { dir, env } = project({ 'pyproject.toml': manifest });
    const result = await runCli(['.', '--fix', '--progress-spinner', 'off'], { cwd: dir, env });
    expect(read(dir, 'pyproject.toml')).toBe(manifest);
    expect(result.stderr).toContain(
      'Cannot fix werkzeug 2.2.3: werkzeug 2.3.8 requires Python >=3.8 (the target is 3.7)\n',
    );
    expect(result.code).toBe(1);
    // With a target of 3.11 the project's floor does not apply.
    const newer = await runCli(
      ['.', '--fix', '--python-version', '3.11', '--progress-spinner', 'off'],
      {
        cwd: dir,
        env,
      },
    );
    expect(read(dir, 'pyproject.toml')).toBe(manifest.replace('2.2.3', '2.3.8'));
    expect(newer.code).toBe(0);
  });

  it('Pipfile: the version strings change in place, every other byte kept', async () => {
    const pipfile = `[[source]]
url = "${index.url}/simple"
verify_ssl = false
name = "fixtures"

[packages]
jinja2 = "==2.10"   # templates
flask = "*"

[dev-packages]
werkzeug = { version = "==3.0.0", markers = "python_version >= '3.8'" }
`;
    const { dir, env } = project({ Pipfile: pipfile });
    const result = await runCli(
      [
        'Pipfile',
        '--no-deps',
        '--group',
        'dev-packages',
        '--fix',
        '--progress-spinner',
        'off',
        '-f',
        'json',
      ],
      {
        cwd: dir,
        env,
      },
    );
    expect(read(dir, 'Pipfile')).toBe(
      pipfile.replace('jinja2 = "==2.10"', 'jinja2 = "==2.11.3"').replace('"==3.0.0"', '"==3.0.1"'),
    );
    expect((JSON.parse(result.stdout) as { fixes: unknown }).fixes).toEqual([
      { name: 'jinja2', old_version: '2.10', new_version: '2.11.3' },
      { name: 'werkzeug', old_version: '3.0.0', new_version: '3.0.1' },
    ]);
    expect(result.code).toBe(0);
  });

  it('uv.lock is never rewritten: the command per package, and the manifest change a constraint needs', async () => {
    const lock = `version = 1
revision = 2
requires-python = ">=3.8"

[[package]]
name = "service"
version = "0.3.0"
source = { virtual = "." }
dependencies = [
    { name = "jinja2" },
]

[[package]]
name = "jinja2"
version = "2.10"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "markupsafe" },
]

[[package]]
name = "markupsafe"
version = "2.0.1"
source = { registry = "https://pypi.org/simple" }
`;
    const manifest = `[project]
name = "service"
version = "0.3.0"
dependencies = [
    "jinja2>=2.10,<2.11",  # held back
]
`;
    const { dir, env } = project({ 'uv.lock': lock, 'pyproject.toml': manifest });
    const result = await runCli(['.', '--fix', '--progress-spinner', 'off'], { cwd: dir, env });
    expect(read(dir, 'uv.lock')).toBe(lock);
    expect(read(dir, 'pyproject.toml')).toBe(manifest);
    expect(result.stderr).toBe(
      [
        'pyaudit: auditing uv.lock (found in .)',
        'pyaudit: uv.lock: all 3 locked packages selected: all groups, extras and platforms',
        'Cannot fix jinja2 2.10: uv.lock is not rewritten; run: uv lock --upgrade-package jinja2==2.11.3 (fixed in 2.11.3)',
        'pyproject.toml:5: the constraint "jinja2>=2.10,<2.11" of jinja2 does not admit 2.11.3; change it first',
        'pyaudit: 1 of 3 dependencies left out on purpose (not selected, not for the target environment, or excluded); -f json lists them',
        'Found 2 known vulnerabilities in 1 package',
        'After the fixes: Found 2 known vulnerabilities in 1 package',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
  });
});

/** The environment test needs python3 with pip (its venv borrows the machine's pip, read-only). */
const hasPip = ((): boolean => {
  try {
    execFileSync('python3', ['-c', 'import pip'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasPip)
  console.warn('[pyaudit tests] skipping the --fix environment test: no python3 with pip');

(hasPip ? describe : describe.skip)('--fix on an environment', () => {
  it('runs that python -m pip install NAME==V in a venv built here, from the loopback index; never for --path', async () => {
    const { dir, env } = project({});
    const venv = path.join(dir, 'venv');
    // A venv made from scratch; its python runs the machine's pip (system site-packages) but
    // installs into the venv, with pip's configuration and caches kept in the test folder.
    execFileSync('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', venv]);
    const python = path.join(venv, 'bin', 'python');
    const pipEnv = {
      ...env,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PIP_NO_CACHE_DIR: '1',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    };
    // Asynchronously: the index server answers from this same process.
    await promisify(execFile)(
      python,
      ['-m', 'pip', 'install', '--quiet', 'werkzeug==3.0.0', 'markupsafe==2.0.1'],
      { env: pipEnv },
    );
    const site = execFileSync(
      python,
      ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))'],
      {
        encoding: 'utf8',
      },
    ).trim();

    const viaPath = await runCli(['--path', site, '--fix', '--progress-spinner', 'off'], {
      cwd: dir,
      env: pipEnv,
    });
    expect(viaPath.stderr).toContain(
      'Cannot fix werkzeug 3.0.0: --path folders are never changed; install the fix with the tool that manages them\n',
    );
    expect(viaPath.code).toBe(1);

    const result = await runCli(['-l', '--fix', '--progress-spinner', 'off', '-f', 'json'], {
      cwd: dir,
      env: { ...pipEnv, VIRTUAL_ENV: venv },
    });
    expect(result.stderr.split('\n').filter((l) => !l.startsWith('pyaudit: auditing'))).toEqual([
      'Upgrading werkzeug 3.0.0 => 3.0.1',
      `Running: ${python} -m pip install werkzeug==3.0.1`,
      'Found 1 known vulnerability in 1 package',
      'After the fixes: No known vulnerabilities found',
      '',
    ]);
    expect((JSON.parse(result.stdout) as { fixes: unknown }).fixes).toEqual([
      { name: 'werkzeug', old_version: '3.0.0', new_version: '3.0.1' },
    ]);
    expect(result.code).toBe(0);
    const listed = JSON.parse(
      execFileSync(python, ['-m', 'pip', 'list', '--local', '--format', 'json'], {
        env: pipEnv,
        encoding: 'utf8',
      }),
    ) as Array<{ name: string; version: string }>;
    expect(listed.map((p) => `${p.name.toLowerCase()}==${p.version}`).sort()).toEqual([
      'markupsafe==2.0.1',
      'werkzeug==3.0.1',
    ]);
  }, 120_000);
});

describe('--fix on an environment whose interpreter cannot run here', () => {
  it('is skipped with the reason; nothing runs', async () => {
    const { dir, env } = project({});
    const venv = path.join(dir, 'foreign');
    const site = path.join(venv, 'lib', 'python3.12', 'site-packages', 'werkzeug-3.0.0.dist-info');
    mkdirSync(site, { recursive: true });
    writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /opt/python/bin\nversion = 3.12.1\n');
    writeFileSync(
      path.join(site, 'METADATA'),
      'Metadata-Version: 2.1\nName: Werkzeug\nVersion: 3.0.0\n',
    );
    mkdirSync(path.join(venv, 'bin'));
    writeFileSync(path.join(venv, 'bin', 'python'), '#!/nonexistent/interpreter\n', {
      mode: 0o755,
    });
    const result = await runCli(['--fix', '--progress-spinner', 'off'], {
      cwd: dir,
      env: { ...env, VIRTUAL_ENV: venv },
    });
    expect(result.stderr.split('\n').filter((l) => !l.startsWith('pyaudit: auditing'))).toEqual([
      'Cannot fix werkzeug 3.0.0: no interpreter of this environment can run here, so pip cannot install into it',
      'Found 1 known vulnerability in 1 package',
      'After the fixes: Found 1 known vulnerability in 1 package',
      '',
    ]);
    expect(result.code).toBe(1);
  });
});

describe('--fix with nothing vulnerable', () => {
  it('changes nothing and reads like a plain audit', async () => {
    const { dir, env } = project({ 'requirements.txt': 'markupsafe==2.0.1\n' });
    const result = await runCli(['-r', 'requirements.txt', '--fix', '--progress-spinner', 'off'], {
      cwd: dir,
      env,
    });
    expect(result).toEqual({ stdout: '', stderr: 'No known vulnerabilities found\n', code: 0 });
    expect(read(dir, 'requirements.txt')).toBe('markupsafe==2.0.1\n');
  });
});
