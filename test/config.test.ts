/**
 * The configuration file end to end: discovery (`.pyaudit.toml`, `[tool.pyaudit]` in
 * pyproject.toml, up to the repository root), precedence (flag > environment > file >
 * default), ignore rules with reasons, expiry and packages, errors with file:line, and
 * `pyaudit config show`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

let server: OsvTestServer;
beforeAll(async () => {
  server = await startOsvServer(demoRecords());
});
afterAll(() => server.close());
const tempDir = tempDirs();

/** A project folder with a requirements file (demo-pkg has OSV-2099-7, PYSEC-2099-1 and -2). */
async function project(files: Record<string, string>): Promise<string> {
  const dir = tempDir('pyaudit-config-');
  await mkdir(path.join(dir, '.git'));
  await writeFile(path.join(dir, 'requirements.txt'), 'demo-pkg==1.0.5\n');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const audit = (
  cwd: string,
  args: string[] = [],
  options: { env?: Record<string, string>; stdoutIsTTY?: boolean } = {},
) => runCli(['--osv-url', server.url, ...args], { cwd, ...options });

const JSON_BARE = ['-f', 'json', '--desc', 'off', '--aliases', 'off'];

describe('configuration file', () => {
  it('flags win over environment variables, which win over the file', async () => {
    const dir = await project({
      '.pyaudit.toml': 'requirement = ["requirements.txt"]\nformat = "markdown"\naliases = false\n',
    });
    const fromFile = await audit(dir);
    expect(fromFile.stdout).toBe(
      '\nName | Version | ID | Fix Versions\n--- | --- | --- | ---\n' +
        '[demo-pkg](https://pypi.org/project/demo-pkg/) | 1.0.5 | [OSV-2099-7](https://osv.dev/vulnerability/OSV-2099-7) | \n' +
        '[demo-pkg](https://pypi.org/project/demo-pkg/) | 1.0.5 | [PYSEC-2099-1](https://osv.dev/vulnerability/PYSEC-2099-1) | 1.2.0,2.0.3\n' +
        '[demo-pkg](https://pypi.org/project/demo-pkg/) | 1.0.5 | [PYSEC-2099-2](https://osv.dev/vulnerability/PYSEC-2099-2) | \n',
    );
    expect(fromFile.code).toBe(1);
    const fromEnv = await audit(dir, ['--desc', 'off'], { env: { PIP_AUDIT_FORMAT: 'json' } });
    expect(fromEnv.stdout).toBe(
      '{"dependencies": [{"name": "demo-pkg", "version": "1.0.5", "vulns": [' +
        '{"id": "OSV-2099-7", "fix_versions": []}, ' +
        '{"id": "PYSEC-2099-1", "fix_versions": ["1.2.0", "2.0.3"]}, ' +
        '{"id": "PYSEC-2099-2", "fix_versions": []}]}], "fixes": []}\n',
    );
    const fromFlag = await audit(dir, ['-f', 'columns'], { env: { PIP_AUDIT_FORMAT: 'json' } });
    expect(fromFlag.stdout.split('\n')[0]).toBe('Name     Version ID           Fix Versions');
  });

  it('is found walking up to the repository root, and not above it', async () => {
    const dir = await project({
      'pyproject.toml': '[project]\nname = "x"\n\n[tool.pyaudit]\nformat = "json"\n',
      'sub/deeper/.keep': '',
    });
    const nested = await audit(path.join(dir, 'sub', 'deeper'), ['-r', '../../requirements.txt']);
    expect(nested.stdout).toMatch(/^\{"dependencies": \[\{"name": "demo-pkg"/);
    // A folder with its own .git is a repository root: the parent's file does not apply.
    await mkdir(path.join(dir, 'sub', 'repo', '.git'), { recursive: true });
    const below = await audit(path.join(dir, 'sub', 'repo'), ['-r', '../../requirements.txt']);
    expect(below.stdout.split('\n')[0]).toBe('Name     Version ID           Fix Versions');
  });

  it('.pyaudit.toml wins over pyproject.toml; --config picks a file; --no-config reads none', async () => {
    const dir = await project({
      'pyproject.toml': '[tool.pyaudit]\nformat = "markdown"\n',
      '.pyaudit.toml': 'format = "json"\n',
      'other.toml': 'format = "columns"\nrequirement = ["requirements.txt"]\n',
    });
    expect((await audit(dir, ['-r', 'requirements.txt'])).stdout).toMatch(/^\{"dependencies"/);
    expect((await audit(dir, ['--config', 'other.toml'])).stdout.split('\n')[0]).toBe(
      'Name     Version ID           Fix Versions',
    );
    expect(
      (await audit(dir, ['--config', 'pyproject.toml', '-r', 'requirements.txt'])).stdout,
    ).toMatch(/^\nName \| Version/);
    expect(
      (await audit(dir, ['--no-config', '-r', 'requirements.txt'])).stdout.split('\n')[0],
    ).toBe('Name     Version ID           Fix Versions');
    expect(await audit(dir, ['--config', 'missing.toml'])).toEqual({
      stdout: '',
      stderr: 'pyaudit: error: missing.toml: cannot read the configuration file (ENOENT)\n',
      code: 2,
    });
  });

  it('what to audit, given on the command line, replaces the file’s', async () => {
    const dir = await project({
      '.pyaudit.toml': 'requirement = ["missing.txt"]\nformat = "json"\n',
      'other/requirements.txt': 'other-pkg==0.7\n',
    });
    const expected = {
      stdout:
        '{"dependencies": [{"name": "other-pkg", "version": "0.7", "vulns": []}], "fixes": []}\n',
      code: 0,
    };
    expect(await audit(dir, ['-r', 'other/requirements.txt'])).toMatchObject(expected);
    expect(await audit(dir, ['other'])).toMatchObject(expected);
    expect(await audit(dir)).toEqual({
      stdout: '',
      stderr: 'pyaudit: error: missing.txt: no such file\n',
      code: 2,
    });
  });

  it('paths in a file are relative to the file', async () => {
    const dir = await project({
      '.pyaudit.toml':
        'requirement = ["requirements.txt"]\noutput = "out/report.json"\nformat = "json"\n',
      'out/.keep': '',
      'sub/.keep': '',
    });
    const result = await audit(path.join(dir, 'sub'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(dir, 'out', 'report.json'), 'utf8')).toMatch(
      /^\{"dependencies": \[\{"name": "demo-pkg", "version": "1.0.5"/,
    );
  });

  it('ignore rules with a reason stay visible in JSON as ignored', async () => {
    const dir = await project({
      '.pyaudit.toml': [
        'requirement = ["requirements.txt"]',
        '',
        '[[ignore]]',
        'id = "GHSA-aaaa-bbbb-cccc"',
        'reason = "only reachable through the admin UI"',
        'expires = 2999-12-31',
        '',
        '[[ignore]]',
        'id = "OSV-2099-7"',
        'package = "Demo_Pkg"',
        '',
      ].join('\n'),
    });
    const result = await audit(dir, JSON_BARE);
    expect(result).toEqual({
      stdout:
        '{"dependencies": [{"name": "demo-pkg", "version": "1.0.5", "vulns": [{"id": "PYSEC-2099-2", "fix_versions": []}], ' +
        '"ignored_vulns": [{"id": "OSV-2099-7", "fix_versions": [], "ignore_rule": ".pyaudit.toml:8"}, ' +
        '{"id": "PYSEC-2099-1", "fix_versions": ["1.2.0", "2.0.3"], "reason": "only reachable through the admin UI", "expires": "2999-12-31", "ignore_rule": ".pyaudit.toml:3"}]}], ' +
        '"fixes": []}\n',
      stderr: 'Found 1 known vulnerability, ignored 2 in 1 package\n',
      code: 1,
    });
  });

  it('an expired rule no longer applies and says so: exit 1', async () => {
    const dir = await project({
      'pyproject.toml': [
        '[project]',
        'name = "app"',
        '',
        '[tool.pyaudit]',
        'requirement = ["requirements.txt"]',
        'ignore = [',
        '  { id = "OSV-2099-7", reason = "no fix yet" },',
        '  { id = "PYSEC-2099-1", reason = "upgrade planned", expires = 2020-01-31 },',
        '  { id = "PYSEC-2099-2", expires = "2999-01-01" },',
        ']',
        '',
      ].join('\n'),
    });
    expect(await audit(dir, JSON_BARE.slice(0, 2))).toMatchObject({
      stderr:
        'pyaudit: warning: pyproject.toml:8: the ignore rule for PYSEC-2099-1 expired on 2020-01-31; it no longer applies\n' +
        'Found 1 known vulnerability, ignored 2 in 1 package\n',
      code: 1,
    });
  });

  it('a rule that matched nothing warns; the exit code is the audit’s', async () => {
    const dir = await project({
      '.pyaudit.toml':
        'requirement = ["requirements.txt"]\nignore-vuln = ["OSV-2099-7", "PYSEC-2099-1", "PYSEC-2099-2"]\n' +
        'ignore = [{ id = "GHSA-gone-gone-gone", reason = "fixed upstream" }]\n',
    });
    expect(await audit(dir)).toEqual({
      stdout: '',
      stderr:
        'pyaudit: warning: .pyaudit.toml:3: the ignore rule for GHSA-gone-gone-gone matched no finding\n' +
        'No known vulnerabilities found, 3 ignored\n',
      code: 0,
    });
  });

  it('--ignore-until-fixed ignores a finding only while it has no fix', async () => {
    const dir = await project({});
    expect(
      await audit(dir, [
        '-r',
        'requirements.txt',
        '--ignore-until-fixed',
        'PYSEC-2099-2',
        '--ignore-until-fixed',
        'CVE-2099-0001',
        ...JSON_BARE,
      ]),
    ).toEqual({
      stdout:
        '{"dependencies": [{"name": "demo-pkg", "version": "1.0.5", "vulns": [{"id": "OSV-2099-7", "fix_versions": []}, {"id": "PYSEC-2099-1", "fix_versions": ["1.2.0", "2.0.3"]}], ' +
        '"ignored_vulns": [{"id": "PYSEC-2099-2", "fix_versions": [], "ignore_rule": "--ignore-until-fixed"}]}], "fixes": []}\n',
      stderr:
        'pyaudit: warning: --ignore-until-fixed: CVE-2099-0001 has a fix now (1.2.0, 2.0.3); it is reported again\n' +
        'Found 2 known vulnerabilities, ignored 1 in 1 package\n',
      code: 1,
    });
  });

  it.each([
    [
      'an unknown key',
      '.pyaudit.toml',
      'format = "json"\nfromat = "json"\n',
      ".pyaudit.toml:2: unknown key 'fromat' in .pyaudit.toml (did you mean 'format'?)",
    ],
    [
      'an unknown key in [tool.pyaudit]',
      'pyproject.toml',
      '[project]\nname = "x"\n\n[tool.pyaudit]\nstrict = true\nverbosity = 2\n',
      "pyproject.toml:6: unknown key 'verbosity' in [tool.pyaudit] (keys are pyaudit's long flags without the dashes, and 'ignore')",
    ],
    [
      'a switch that is not a boolean',
      'pyproject.toml',
      '[tool.pyaudit]\n# fail on skipped packages\nstrict = "yes"\n',
      "pyproject.toml:3: 'strict' must be true or false, not a string",
    ],
    [
      'a list that is a table',
      '.pyaudit.toml',
      '\n\n[requirement]\nfile = "r.txt"\n',
      "'requirement' must be an array of strings, not a table",
    ],
    [
      'a value the option refuses',
      '.pyaudit.toml',
      'requirement = ["requirements.txt"]\ntimeout = -3\n',
      ".pyaudit.toml:2: argument --timeout: invalid value: '-3' (a positive number of seconds)",
    ],
    [
      'an ignore rule with an unknown field',
      '.pyaudit.toml',
      'ignore = [\n  { id = "X-1" },\n  { id = "X-2", until = 2026-01-01 },\n]\n',
      ".pyaudit.toml:3: unknown field 'until' in ignore rule #2 (expected id, reason, expires, package)",
    ],
    [
      'an expiry that is not a date',
      '.pyaudit.toml',
      '[[ignore]]\nid = "X-1"\n\n[[ignore]]\nid = "X-2"\nexpires = "next year"\n',
      ".pyaudit.toml:4: 'expires' of ignore rule #2 must be a date such as 2026-12-31",
    ],
    [
      'a meta option',
      '.pyaudit.toml',
      'config = "other.toml"\n',
      ".pyaudit.toml:1: unknown key 'config' in .pyaudit.toml (keys are pyaudit's long flags without the dashes, and 'ignore')",
    ],
    [
      'invalid TOML',
      '.pyaudit.toml',
      'format = "json"\nstrict = \n',
      '.pyaudit.toml:2: invalid TOML',
    ],
  ])('%s is an error naming file and line, exit 2', async (_what, name, text, message) => {
    const dir = await project({ [name]: text });
    const result = await audit(dir, ['-r', 'requirements.txt']);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
    if (message.startsWith("'requirement'")) {
      expect(result.stderr).toBe(`pyaudit: error: .pyaudit.toml:3: ${message}\n`);
    } else {
      expect(result.stderr.startsWith(`pyaudit: error: ${message}`)).toBe(true);
    }
  });

  it('a value from an environment variable that the option refuses names the variable', async () => {
    const dir = await project({});
    expect(
      await audit(dir, ['-r', 'requirements.txt'], { env: { PYAUDIT_TIMEOUT: 'soon' } }),
    ).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: environment variable PYAUDIT_TIMEOUT: invalid value: 'soon' (a positive number of seconds)\n",
      code: 2,
    });
  });
});

describe('pyaudit config show', () => {
  /** Lines with the alignment padding collapsed. */
  const lines = (text: string): string[] => text.split('\n').map((l) => l.replace(/ {2,}#/, '  #'));

  it('prints every option with its value and where it came from', async () => {
    const dir = await project({
      '.pyaudit.toml': [
        '# shared settings',
        'format = "markdown"',
        'timeout = 30',
        'strict = true',
        'no-deps = true',
        'vulnerability-service = ["osv", "pypi"]',
        'requirement = ["requirements.txt"]',
        '',
        '[[ignore]]',
        'id = "PYSEC-2099-1"',
        'reason = "not reachable"',
        'expires = 2999-12-31',
        'package = "demo-pkg"',
      ].join('\n'),
    });
    const result = await runCli(['config', 'show', '-f', 'json', '--desc'], {
      cwd: dir,
      env: { PYAUDIT_TIMEOUT: '45', PIP_AUDIT_ALIASES: 'off' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const shown = lines(result.stdout);
    expect(shown[0]).toBe('# configuration file: .pyaudit.toml');
    expect(shown).toEqual(
      expect.arrayContaining([
        'format = "json"  # flag',
        'desc = true  # flag',
        'aliases = "off"  # PIP_AUDIT_ALIASES',
        'timeout = "45"  # PYAUDIT_TIMEOUT',
        'strict = true  # .pyaudit.toml:4',
        'no-deps = true  # .pyaudit.toml:5',
        'vulnerability-service = ["osv", "pypi"]  # .pyaudit.toml:6',
        'requirement = ["requirements.txt"]  # .pyaudit.toml:7',
        'dry-run = false  # default',
        'progress-spinner = "on"  # default',
        '# osv-url: https://api.osv.dev  # default',
        '# cache-dir (not set)  # default',
        'ignore = [',
        '  { id = "PYSEC-2099-1", reason = "not reachable", expires = 2999-12-31, package = "demo-pkg" },  # .pyaudit.toml:9',
        ']',
      ]),
    );
    // One line per option and nothing else: every flag of `pyaudit --help` is a key.
    const help = await runCli(['--help'], { cwd: dir });
    const longFlags = [...help.stdout.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)]
      .map((m) => m[1] as string)
      .filter((k) => !['version', 'help', 'config', 'no-config'].includes(k));
    const keys = shown
      .slice(1)
      .filter((l) => l !== ']' && !l.startsWith('ignore = ') && !l.startsWith('  {'))
      .filter((l) => l !== '')
      .map((l) => /^(?:# )?([\w-]+)/.exec(l)?.[1]);
    expect(keys).toEqual(longFlags);
  });

  it('names no file when there is none, and fails like an audit on a bad one', async () => {
    const dir = await project({});
    const none = await runCli(['config', 'show'], { cwd: dir });
    expect(lines(none.stdout)[0]).toBe('# configuration file: none');
    expect(lines(none.stdout)).toContain('format = "columns"  # default');
    await writeFile(path.join(dir, '.pyaudit.toml'), 'formats = "json"\n');
    expect(await runCli(['config', 'show'], { cwd: dir })).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: .pyaudit.toml:1: unknown key 'formats' in .pyaudit.toml (did you mean 'format'?)\n",
      code: 2,
    });
    expect(await runCli(['config'], { cwd: dir })).toEqual({
      stdout: '',
      stderr: 'pyaudit: error: config needs a command: show (see pyaudit config --help)\n',
      code: 2,
    });
  });
});
