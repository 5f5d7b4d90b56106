/**
 * The command line end to end against the test OSV server and the project's own fixtures:
 * flags, environment variables, streams and exit codes.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

let server: OsvTestServer;
let dir: string;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
  dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-cli-'));
  await writeFile(
    path.join(dir, 'requirements.txt'),
    'demo-pkg==1.0.5\nother-pkg==0.7\nunpinned-pkg>=1\n',
  );
  await writeFile(path.join(dir, 'clean.txt'), 'other-pkg==0.7\n');
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

// These cases are about reports and flags: requirements are audited as pinned, without
// resolving (resolution has its own tests in resolve-cli.test.ts).
const run = (
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; stdoutIsTTY?: boolean } = {},
) =>
  runCli(['--osv-url', server.url, ...args, ...(args.includes('-r') ? ['--no-deps'] : [])], {
    cwd: dir,
    ...options,
  });

const COLUMNS =
  'Name     Version ID           Fix Versions\n' +
  '-------- ------- ------------ ------------\n' +
  'demo-pkg 1.0.5   OSV-2099-7\n' +
  'demo-pkg 1.0.5   PYSEC-2099-1 1.2.0,2.0.3\n' +
  'demo-pkg 1.0.5   PYSEC-2099-2\n' +
  '\n' +
  'Name         Skip Reason\n' +
  `------------ ${'-'.repeat('requirement is not pinned to an exact version: unpinned-pkg>=1'.length)}\n` +
  'unpinned-pkg requirement is not pinned to an exact version: unpinned-pkg>=1\n';

describe('pyaudit CLI', () => {
  it('prints the columns report, merged aliases and the summary; exit 1 on findings', async () => {
    const result = await run(['-r', 'requirements.txt']);
    expect(result).toEqual({
      stdout: COLUMNS,
      stderr:
        'pyaudit: warning: 1 of 3 dependencies was not audited (see Skip Reason); --strict makes that an error\n' +
        'Found 3 known vulnerabilities in 1 package\n',
      code: 1,
    });
  });

  it('exit 0 and nothing on stdout when clean', async () => {
    expect(await run(['-r', 'clean.txt'])).toEqual({
      stdout: '',
      stderr: 'No known vulnerabilities found\n',
      code: 0,
    });
  });

  it('json carries aliases and descriptions by default; --desc off / --aliases off remove them', async () => {
    const full = await run(['-r', 'clean.txt', '-r', 'requirements.txt', '-f', 'json']);
    const parsed = JSON.parse(full.stdout) as {
      dependencies: Array<{ name: string; vulns?: Array<Record<string, unknown>> }>;
    };
    expect(parsed.dependencies.map((d) => d.name)).toEqual([
      'other-pkg',
      'demo-pkg',
      'unpinned-pkg',
    ]);
    expect(parsed.dependencies[1]!.vulns![1]).toEqual({
      id: 'PYSEC-2099-1',
      fix_versions: ['1.2.0', '2.0.3'],
      aliases: ['CVE-2099-0001', 'GHSA-aaaa-bbbb-cccc'],
      description: 'Demo flaw one. Second line.',
    });
    const bare = await run([
      '-r',
      'requirements.txt',
      '-f',
      'json',
      '--desc',
      'off',
      '--aliases=off',
    ]);
    expect((JSON.parse(bare.stdout) as typeof parsed).dependencies[0]!.vulns![1]).toEqual({
      id: 'PYSEC-2099-1',
      fix_versions: ['1.2.0', '2.0.3'],
    });
  });

  it('--desc and --aliases without a value mean on', async () => {
    const result = await run(['-r', 'requirements.txt', '--desc', '--aliases', '-f', 'markdown']);
    expect(result.stdout.split('\n')[1]).toBe(
      'Name | Version | ID | Fix Versions | Aliases | Description',
    );
    expect(result.stdout).toContain(
      '[demo-pkg](https://pypi.org/project/demo-pkg/) | 1.0.5 | [PYSEC-2099-1](https://osv.dev/vulnerability/PYSEC-2099-1) | 1.2.0,2.0.3 | [CVE-2099-0001](https://osv.dev/vulnerability/CVE-2099-0001), [GHSA-aaaa-bbbb-cccc](https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc) | Demo flaw one. Second line.\n',
    );
  });

  it('--ignore-vuln matches an alias and is counted in the summary', async () => {
    const result = await run([
      '-r',
      'requirements.txt',
      '--ignore-vuln',
      'GHSA-aaaa-bbbb-cccc',
      '--ignore-vuln',
      'OSV-2099-7',
    ]);
    expect(result.stderr.trimEnd().split('\n').pop()).toBe(
      'Found 1 known vulnerability, ignored 2 in 1 package',
    );
    expect(result.code).toBe(1);
  });

  it('reads PIP_AUDIT_* defaults, PYAUDIT_* twins win, flags win over both', async () => {
    const env = {
      PIP_AUDIT_FORMAT: 'markdown',
      PIP_AUDIT_DESC: 'on',
      PIP_AUDIT_PROGRESS_SPINNER: 'off',
    };
    expect((await run(['-r', 'clean.txt'], { env: { PIP_AUDIT_FORMAT: 'json' } })).stdout).toBe(
      '{"dependencies": [{"name": "other-pkg", "version": "0.7", "vulns": []}], "fixes": []}\n',
    );
    expect((await run(['-r', 'requirements.txt'], { env })).stdout.split('\n')[1]).toBe(
      'Name | Version | ID | Fix Versions | Description',
    );
    expect(
      (await run(['-r', 'clean.txt'], { env: { ...env, PYAUDIT_FORMAT: 'json' } })).stdout,
    ).toMatch(/^\{"dependencies"/);
    expect(
      (await run(['-r', 'clean.txt', '-f', 'columns'], { env: { ...env, PYAUDIT_FORMAT: 'json' } }))
        .stdout,
    ).toBe('');
    expect(
      await run(['-r', 'clean.txt'], { env: { PIP_AUDIT_VULNERABILITY_SERVICE: 'nope' } }),
    ).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: environment variable PIP_AUDIT_VULNERABILITY_SERVICE: invalid choice: 'nope' (choose from osv, pypi, local, esms)\n",
      code: 2,
    });
  });

  it('-o / PIP_AUDIT_OUTPUT writes the report to a file; the summary stays on stderr', async () => {
    const result = await run(['-r', 'requirements.txt', '-o', 'report.json', '-f', 'json']);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'))).toHaveProperty(
      'dependencies',
    );
    await run(['-r', 'clean.txt'], {
      env: { PIP_AUDIT_OUTPUT: 'env-report.txt', PIP_AUDIT_FORMAT: 'json' },
    });
    expect(await readFile(path.join(dir, 'env-report.txt'), 'utf8')).toMatch(
      /^\{"dependencies": \[\{"name": "other-pkg"/,
    );
  });

  it('reads requirements from standard input with -r -', async () => {
    const result = await run(['-r', '-', '-f', 'json', '--desc', 'off', '--aliases', 'off'], {
      stdin: 'other-pkg==0.5\n',
    });
    expect(result.stdout).toBe(
      '{"dependencies": [{"name": "other-pkg", "version": "0.5", "vulns": [{"id": "PYSEC-2099-4", "fix_versions": []}]}], "fixes": []}\n',
    );
  });

  it('--dry-run lists dependencies without querying anything', async () => {
    server.resetStats();
    const result = await run(['-r', 'requirements.txt', '--dry-run', '-f', 'json']);
    expect(server.stats.requests).toBe(0);
    expect(result).toEqual({
      stdout:
        '{"dependencies": [{"name": "demo-pkg", "version": "1.0.5", "vulns": []}, {"name": "other-pkg", "version": "0.7", "vulns": []}, ' +
        '{"name": "unpinned-pkg", "skip_reason": "requirement is not pinned to an exact version: unpinned-pkg>=1"}], "fixes": []}\n',
      stderr: 'Dry run: collected 3 dependencies (2 auditable); nothing was audited\n',
      code: 0,
    });
  });

  it('links names and ids with OSC 8 when stdout is a terminal', async () => {
    const result = await run(['-r', 'clean.txt', '-r', 'requirements.txt'], {
      stdoutIsTTY: true,
      env: { NO_COLOR: '1' },
    });
    expect(result.stdout.split('\n')[2]).toBe(
      '\u001b]8;;https://pypi.org/project/demo-pkg/\u001b\\demo-pkg\u001b]8;;\u001b\\ 1.0.5   \u001b]8;;https://osv.dev/vulnerability/OSV-2099-7\u001b\\OSV-2099-7\u001b]8;;\u001b\\',
    );
  });

  it('draws a spinner on a terminal and clears it before the summary', async () => {
    let stderr = '';
    const { main } = await import('../src/cli/main.js');
    const { Readable } = await import('node:stream');
    server.options = { latencyMs: 150 };
    try {
      const code = await main(
        ['--osv-url', server.url, '-r', 'requirements.txt', '--no-deps', '-f', 'json'],
        {
          stdout: { isTTY: false, write: (_s: string, done?: () => void) => (done?.(), true) },
          stderr: { isTTY: true, write: (s: string) => (stderr += s) },
          stdin: Readable.from([]),
          env: { NO_COLOR: '1', XDG_CACHE_HOME: path.join(dir, 'cache') },
          cwd: dir,
        },
      );
      expect(code).toBe(1);
    } finally {
      server.options = {};
    }
    expect(stderr.startsWith('\r\u001b[2K')).toBe(true);
    expect('⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏').toContain(stderr.charAt(5));
    expect(
      stderr.endsWith(
        '\r\u001b[2Kpyaudit: warning: 1 of 3 dependencies was not audited (see Skip Reason); --strict makes that an error\n' +
          'Found 3 known vulnerabilities in 1 package\n',
      ),
    ).toBe(true);
  });

  it('a requirements file keeps the host platform when only --python-version is given', async () => {
    await writeFile(
      path.join(dir, 'markers.txt'),
      'winonly==1.0 ; sys_platform == "win32"\nold==1.0 ; python_version < "3.8"\n',
    );
    const result = await run([
      '-r',
      'markers.txt',
      '--python-version',
      '3.12',
      '--dry-run',
      '-f',
      'json',
    ]);
    expect(JSON.parse(result.stdout)).toEqual({
      dependencies: [
        {
          name: 'winonly',
          skip_reason: 'not installed in the target environment (marker: sys_platform == "win32")',
          version: '1.0',
          marker: 'sys_platform == "win32"',
        },
        {
          name: 'old',
          skip_reason: 'not installed in the target environment (marker: python_version < "3.8")',
          version: '1.0',
          marker: 'python_version < "3.8"',
        },
      ],
      fixes: [],
    });
  });

  it('a requirement whose marker is unknown here is audited, and its JSON entry carries the marker', async () => {
    await writeFile(
      path.join(dir, 'unknown-marker.txt'),
      'demo-pkg==1.0.5 ; python_version < "3.8"\n',
    );
    const result = await run(['-r', 'unknown-marker.txt', '--dry-run', '-f', 'json']);
    expect(JSON.parse(result.stdout)).toEqual({
      dependencies: [
        { name: 'demo-pkg', version: '1.0.5', marker: 'python_version < "3.8"', vulns: [] },
      ],
      fixes: [],
    });
  });

  it('never draws a spinner when stderr is not a terminal', async () => {
    const result = await run(['-r', 'requirements.txt', '--progress-spinner', 'on']);
    expect(result.stderr.includes('\u001b') || result.stderr.includes('\r')).toBe(false);
  });

  it('-v adds debug lines on stderr: cache, files read, requests, timings', async () => {
    const result = await run(['-r', 'clean.txt', '-v']);
    expect(result.stderr).toMatch(
      new RegExp(
        '^pyaudit: debug: configuration file: none\\n' +
          'pyaudit: debug: record cache: .+/pyaudit\\n' +
          'pyaudit: debug: read clean.txt: 1 dependency\\n' +
          'pyaudit: debug: 1 request \\(0 failed, 16 bytes, \\d+ ms in total\\)\\n' +
          'pyaudit: debug: record cache: 0 hits, 0 misses\\n' +
          'pyaudit: debug: 1 dependency \\(1 audited, 0 skipped\\) in \\d+ ms\\n' +
          'pyaudit: debug: report written in \\d+ ms\\n' +
          'No known vulnerabilities found\\n$',
      ),
    );
  });

  it('-vv adds one line per request', async () => {
    const result = await run(['-r', 'clean.txt', '-vv']);
    expect(result.stderr).toMatch(
      new RegExp(
        `pyaudit: debug: POST ${server.url}/v1/querybatch → 200 in \\d+ ms \\(16 bytes\\)\\n`,
      ),
    );
  });

  it.each([
    [
      ['--timeout', 'soon'],
      "pyaudit: error: argument --timeout: invalid value: 'soon' (a positive number of seconds)\n",
    ],
    [
      ['--progress-spinner', 'maybe'],
      "pyaudit: error: argument --progress-spinner: invalid choice: 'maybe' (choose from on, off)\n",
    ],
    [
      ['--desc', 'sometimes'],
      "pyaudit: error: argument --desc: invalid choice: 'sometimes' (choose from on, off, auto)\n",
    ],
    [['--frobnicate'], "pyaudit: error: unknown option '--frobnicate'\n"],
    [
      ['--exclude', 'pip'],
      'pyaudit: error: argument --exclude: only for environment audits (not with -r or project_path)\n',
    ],
    [
      ['--python', 'python3'],
      'pyaudit: error: argument --python: not allowed with -r/--requirement, --path or project_path\n',
    ],
  ])('usage error %j: one line, exit 2', async (extra, stderr) => {
    expect(await run(['-r', 'clean.txt', ...extra])).toEqual({ stdout: '', stderr, code: 2 });
  });

  it('a project directory or a lock file as PATH; --locked reads pylock files only', async () => {
    const project = path.join(dir, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'requirements.txt'), 'demo-pkg==1.0.5\n');
    const viaDir = await run(['project', '-f', 'json', '--aliases', 'off', '--desc', 'off']);
    expect(viaDir.stderr.split('\n')[0]).toBe(
      'pyaudit: auditing requirements.txt (found in project)',
    );
    expect(viaDir.code).toBe(1);
    await writeFile(
      path.join(project, 'pylock.toml'),
      'lock-version = "1.0"\ncreated-by = "t"\n[[packages]]\nname = "other-pkg"\nversion = "0.5"\n',
    );
    const viaLock = await run([
      'project',
      '--locked',
      '-f',
      'json',
      '--aliases',
      'off',
      '--desc',
      'off',
    ]);
    expect(viaLock).toEqual({
      stdout:
        '{"dependencies": [{"name": "other-pkg", "version": "0.5", "vulns": [{"id": "PYSEC-2099-4", "fix_versions": []}]}], "fixes": []}\n',
      stderr:
        'pyaudit: auditing pylock.toml (found in project, --locked)\n' +
        'pyaudit: project/pylock.toml: 1 locked package selected: all groups, extras and platforms\n' +
        'Found 1 known vulnerability in 1 package\n',
      code: 1,
    });
    const forced = await run([
      path.join('project', 'requirements.txt'),
      '--input-type',
      'requirements',
      '--dry-run',
    ]);
    expect(forced.code).toBe(0);
    expect(await run(['-r', 'clean.txt', '--input-type', 'pylock'])).toMatchObject({ code: 2 });
  });

  it('-V and --help', async () => {
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(await runCli(['-V'], { cwd: dir })).toEqual({
      stdout: `pyaudit ${pkg.version}\n`,
      stderr: '',
      code: 0,
    });
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    for (const flag of [
      '--requirement',
      '--format',
      '--osv-url',
      '--ignore-vuln',
      '--require-hashes',
      '--strict',
      '--dry-run',
      '--cache-dir',
    ]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('reads process substitution (-r <(...)) like any file', async () => {
    const exec = promisify(execFile);
    const bin = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
    const { stdout } = await exec(
      'bash',
      ['-c', `"${process.execPath}" "${bin}" -r <(printf 'other-pkg==0.7\\n') --dry-run -f json`],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') },
      },
    );
    expect(stdout).toBe(
      '{"dependencies": [{"name": "other-pkg", "version": "0.7", "vulns": []}], "fixes": []}\n',
    );
  });

  it('the installed bin runs as a separate process', async () => {
    const exec = promisify(execFile);
    const bin = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
    const failing = await exec(
      process.execPath,
      [bin, '--osv-url', server.url, '-r', 'requirements.txt', '--no-deps', '-f', 'json'],
      { cwd: dir, env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') } },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect('code' in failing ? failing.code : 0).toBe(1);
    expect(failing.stdout).toMatch(/^\{"dependencies": \[\{"name": "demo-pkg"/);
    expect(failing.stderr.trimEnd().split('\n').pop()).toBe(
      'Found 3 known vulnerabilities in 1 package',
    );
  });
});
