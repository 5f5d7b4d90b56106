/**
 * The error situations recorded from pip-audit in ../shared/pip-audit-conformance/errors,
 * replayed: pyaudit prints one line naming the cause (file:line or URL), prints nothing on
 * stdout, and exits 2 — never a traceback, never a clean report it could not check. Where
 * pyaudit deliberately does better than an error (it never runs pip, and it reports
 * unpinned requirements as skipped), the case says so.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAdvisories } from './helpers/advisories.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, sharedPath } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

let server: OsvTestServer;

async function replay(name: string) {
  const dir = sharedPath('pip-audit-conformance', 'errors', name);
  const args = readFileSync(`${dir}/args`, 'utf8')
    .trimEnd()
    .split('\n')
    .map((a) => a.replace('{OSV_URL}', `${server.url}/v1/query`).replace('{OSV_BASE}', server.url));
  return runCli(args, { cwd: dir });
}

const ERRORS: Array<[string, string]> = [
  [
    'arg-invalid-format',
    "pyaudit: error: argument -f/--format: invalid choice: 'xml' (choose from columns, json, markdown, cyclonedx-json, cyclonedx-xml, sarif, html)\n",
  ],
  [
    'arg-locked-without-project',
    'pyaudit: error: The --locked flag can only be used with a project path\n',
  ],
  [
    'arg-no-deps-without-requirement',
    'pyaudit: error: The --no-deps flag can only be used with --requirement (-r)\n',
  ],
  [
    'arg-require-hashes-without-requirement',
    'pyaudit: error: The --require-hashes flag can only be used with --requirement (-r)\n',
  ],
  [
    'arg-requirement-and-project',
    'pyaudit: error: argument project_path: not allowed with argument -r/--requirement\n',
  ],
  [
    'duplicate-conflict',
    'pyaudit: error: requirements.txt:2: package django has duplicate requirements: django==3.2.1 conflicts with django==3.2.0 (requirements.txt:1)\n',
  ],
  [
    'hash-missing',
    'pyaudit: error: requirements.txt:2: requirement jinja2==2.10 does not contain a hash (hash-checking mode is on because requirements.txt:1 has --hash)\n',
  ],
  [
    'malformed-line',
    "pyaudit: error: requirements.txt:2: invalid requirement 'this is not a requirement!!': Expected semicolon (after name with no version specifier) or end\n",
  ],
  ['missing-file', 'pyaudit: error: does-not-exist.txt: no such file\n'],
  [
    'service-unreachable',
    'pyaudit: error: http://127.0.0.1:9/v1/querybatch: cannot connect (connection refused)\n',
  ],
  [
    'strict-url-requirement',
    'pyaudit: error: requirements.txt:1: foo: URL requirements cannot be pinned to a specific package version (--strict)\n',
  ],
];

describeShared('pip-audit error cases: one line, exit 2', () => {
  beforeAll(async () => {
    server = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')));
  });
  afterAll(() => server?.close());

  it.each(ERRORS)('%s', async (name, stderr) => {
    const result = await replay(name);
    expect(result).toEqual({ stdout: '', stderr, code: 2 });
  });

  it('service-wrong-url: a 404 from the service names the URL', async () => {
    const result = await replay('service-wrong-url');
    expect(result).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${server.url}/v1/v1/querybatch: HTTP 404 from the OSV querybatch API\n`,
      code: 2,
    });
  });

  it.each([
    ['locked-no-lockfile', 'pyaudit: error: no lockfiles found in .\n'],
    ['project-without-pyproject', "pyaudit: error: couldn't find a supported project file in .\n"],
    [
      'pyproject-invalid-toml',
      'pyaudit: auditing pyproject.toml (found in .)\n' +
        'pyaudit: error: pyproject.toml:1: invalid TOML in pyproject.toml (Invalid TOML document: illegal character in key)\n',
    ],
  ])('%s: one line, exit 2', async (name, stderr) => {
    expect(await replay(name)).toEqual({ stdout: '', stderr, code: 2 });
  });

  it('disable-pip-without-no-deps: pyaudit never runs pip, so the pinned file is simply audited', async () => {
    const result = await replay('disable-pip-without-no-deps');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Found 25 known vulnerabilities in 1 package\n');
  });

  it('invalid-pin-wildcard: ==3.2.* is not a pin; it is skipped with the reason instead of a traceback, and a run that audits nothing fails', async () => {
    const result = await replay('invalid-pin-wildcard');
    expect(result).toEqual({
      stdout:
        'Name   Skip Reason\n' +
        `------ ${'-'.repeat(60)}\n` +
        'django requirement is not pinned to an exact version: django==3.2.*\n',
      stderr:
        'pyaudit: warning: 1 of 1 dependency was not audited (see Skip Reason); --strict makes that an error\n' +
        'pyaudit: error: nothing could be audited: 1 dependency was found, none with a version that can be checked (see Skip Reason)\n',
      code: 2,
    });
  });

  it('unpinned-bare: the pinned requirement is audited, the bare one listed as skipped', async () => {
    const result = await replay('unpinned-bare');
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').slice(-4)).toEqual([
      'Name     Skip Reason',
      `-------- ${'-'.repeat(35)}`,
      'requests requirement is not pinned: requests',
      '',
    ]);
    expect(result.stderr.trimEnd().split('\n').pop()).toBe(
      'Found 25 known vulnerabilities in 1 package',
    );
  });

  it('unpinned-range: skipped with the specifier in the reason; --strict makes it an error', async () => {
    const result = await replay('unpinned-range');
    // Nothing else in the file, so nothing was audited: exit 2, never a clean result.
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(
      'flask requirement is not pinned to an exact version: flask>=0.12\n',
    );
    const dir = sharedPath('pip-audit-conformance', 'errors', 'unpinned-range');
    const strict = await runCli(
      ['-r', 'requirements.txt', '--no-deps', '--osv-url', server.url, '--strict'],
      {
        cwd: dir,
      },
    );
    expect(strict).toEqual({
      stdout: '',
      stderr:
        'pyaudit: error: requirements.txt:1: flask: requirement is not pinned to an exact version: flask>=0.12 (--strict)\n',
      code: 2,
    });
  });
});
