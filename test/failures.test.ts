/**
 * Issue 11, "every failure is a sentence": what a user or the environment can get wrong
 * (reports that cannot be written, unreadable folders and files, ports in use, unknown hosts,
 * odd interpreters, a PyPI mirror without vulnerability data, huge inputs) is one line naming
 * where, and exit code 2 — never "internal error", never Node's or OpenSSL's own text.
 * Permission cases run the CLI as an unprivileged user when the tests run as root (root reads
 * everything).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdvisoryServer, type AdvisoryServer } from './advisory-servers.js';
import { demoRecords } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

const BIN = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
/** Linux's always-full device; elsewhere those two cases are skipped. */
const HAS_DEV_FULL = existsSync('/dev/full');
const RECORD = JSON.stringify({
  id: 'PYSEC-2099-1',
  modified: '2099-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'demo-pkg' }, versions: ['1.0.5'] }],
});
let server: OsvTestServer;
let dir: string;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
  dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-failures-'));
  // Readable by the unprivileged user the permission cases run as.
  await chmod(dir, 0o755);
  await writeFile(path.join(dir, 'requirements.txt'), 'demo-pkg==1.0.5\n');
  await writeFile(path.join(dir, 'record.json'), RECORD);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a separate process; `stdoutFd` replaces its standard output. */
function spawnCli(
  args: string[],
  options: { unprivileged?: boolean; stdoutFd?: number; cwd?: string } = {},
): Promise<Run> {
  const asNobody = options.unprivileged === true && process.getuid?.() === 0;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? dir,
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache') },
      stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'],
      ...(asNobody && { uid: 65534, gid: 65534 }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a report that cannot be written', () => {
  const args = ['--osv-url', '', '-r', 'requirements.txt', '-f', 'json'];
  const withServer = (): string[] => args.map((a) => (a === '' ? server.url : a));

  it.skipIf(!HAS_DEV_FULL)(
    '-o /dev/full: one line, exit 2, and the device is still a device',
    async () => {
      expect(await runCli([...withServer(), '-o', '/dev/full'], { cwd: dir })).toEqual({
        stdout: '',
        stderr:
          'pyaudit: error: /dev/full: cannot write the report: no space left on the device (ENOSPC)\n',
        code: 2,
      });
      expect((await stat('/dev/full')).isCharacterDevice()).toBe(true);
    },
  );

  it.skipIf(!HAS_DEV_FULL)('standard output on /dev/full: one line, exit 2', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      expect(await spawnCli(withServer(), { stdoutFd: fd })).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'pyaudit: error: standard output: cannot write the report: no space left on the device (ENOSPC)\n',
      });
    } finally {
      closeSync(fd);
    }
  });

  it('-o into a folder that does not exist', async () => {
    expect(await runCli([...withServer(), '-o', 'missing/report.json'], { cwd: dir })).toEqual({
      stdout: '',
      stderr:
        'pyaudit: error: missing/report.json: cannot write the report: the folder missing does not exist (ENOENT)\n',
      code: 2,
    });
  });

  it('-o onto a folder', async () => {
    await mkdir(path.join(dir, 'a-folder'), { recursive: true });
    expect(await runCli([...withServer(), '-o', 'a-folder'], { cwd: dir })).toEqual({
      stdout: '',
      stderr:
        'pyaudit: error: a-folder: cannot write the report: this is a folder, not a file (EISDIR)\n',
      code: 2,
    });
  });

  it('-o a file is replaced whole, and the exit code is still the findings', async () => {
    await writeFile(
      path.join(dir, 'report.json'),
      'old report that is much longer than the new one',
    );
    const result = await runCli([...withServer(), '-o', 'report.json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(await readFile(path.join(dir, 'report.json'), 'utf8')).toMatch(
      /^\{"dependencies": \[\{"name": "demo-pkg".*\}\n$/,
    );
  });
});

describe('permissions', () => {
  it('an unreadable project folder', async () => {
    const project = path.join(dir, 'locked-project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'pyproject.toml'), '[project]\nname = "x"\n');
    await chmod(project, 0o000);
    expect(await spawnCli(['locked-project', '--dry-run'], { unprivileged: true })).toEqual({
      code: 2,
      stdout: '',
      stderr: `pyaudit: error: ${project}: permission denied; check the permissions or choose another path (EACCES)\n`,
    });
  });

  it('an unreadable lock file', async () => {
    const project = path.join(dir, 'unreadable-lock');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(project, 'uv.lock'), 'version = 1\n');
    await chmod(project, 0o755);
    await chmod(path.join(project, 'uv.lock'), 0o000);
    expect(
      await spawnCli(['unreadable-lock/uv.lock', '--dry-run'], { unprivileged: true }),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'pyaudit: auditing unreadable-lock/uv.lock (uv-lock)\n' +
        'pyaudit: error: unreadable-lock/uv.lock: permission denied; check the permissions or choose another path (EACCES)\n',
    });
  });

  it('an unreadable requirements file', async () => {
    await writeFile(path.join(dir, 'secret.txt'), 'demo-pkg==1.0.5\n');
    await chmod(path.join(dir, 'secret.txt'), 0o000);
    expect(await spawnCli(['-r', 'secret.txt', '--dry-run'], { unprivileged: true })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'pyaudit: error: secret.txt: permission denied; check the permissions or choose another path (EACCES)\n',
    });
  });

  it('db import into a folder that cannot be written', async () => {
    const readOnly = path.join(dir, 'read-only');
    await mkdir(readOnly, { recursive: true });
    await chmod(readOnly, 0o555);
    expect(
      await spawnCli(['db', 'import', 'record.json', '--db-dir', 'read-only/db'], {
        unprivileged: true,
      }),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr: `pyaudit: error: ${readOnly}/db: cannot write the database: permission denied; check the permissions or choose another path (EACCES)\n`,
    });
  });
});

describe('db serve', () => {
  let busy: Server;
  beforeAll(async () => {
    await runCli(['db', 'import', 'record.json', '--db-dir', 'serve-db'], { cwd: dir });
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('on a port in use', async () => {
    const port = (busy.address() as AddressInfo).port;
    expect(
      await runCli(['db', 'serve', '--db-dir', 'serve-db', '--port', String(port)], { cwd: dir }),
    ).toEqual({
      stdout: '',
      stderr: `pyaudit: error: 127.0.0.1:${port}: cannot listen: the address is already in use; choose another --port or stop what holds it (EADDRINUSE)\n`,
      code: 2,
    });
  });

  it('on a host that does not resolve', async () => {
    expect(
      await runCli(['db', 'serve', '--db-dir', 'serve-db', '--host', 'no-such-host.invalid'], {
        cwd: dir,
      }),
    ).toEqual({
      stdout: '',
      stderr: `pyaudit: error: no-such-host.invalid:8080: cannot listen: cannot resolve the host name (ENOTFOUND)\n`,
      code: 2,
    });
  });

  it('db update from a file:// URL is refused when the flags are read', async () => {
    expect(
      await runCli(['db', 'update', '--db-dir', 'serve-db', '--url', 'file:///tmp/all.zip'], {
        cwd: dir,
      }),
    ).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: argument --url: unsupported scheme 'file' (only http:// and https:// URLs; use db import for a local file)\n",
      code: 2,
    });
  });
});

describe('--python that is not a Python interpreter', () => {
  it.each([
    ['/bin/false', 'it exited with status 1 and printed no reason; is it a Python interpreter?'],
    ['/bin/echo', "it did not answer as a Python interpreter does (it printed '-c ')"],
    ['/no/such/python', 'not found'],
  ])('%s', async (python, why) => {
    expect(await runCli(['--python', python], { cwd: dir })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${python}: cannot ask this Python interpreter where its packages are: ${why}\n`,
      code: 2,
    });
  });
});

describe('a PyPI mirror without vulnerability data', () => {
  let mirror: AdvisoryServer;
  beforeAll(async () => {
    mirror = await startAdvisoryServer(demoRecords(), { withoutVulnerabilities: true });
  });
  afterAll(() => mirror.close());

  it('is an error naming the URL, never "clean"', async () => {
    expect(
      await runCli(['-s', 'pypi', '--pypi-url', mirror.url, '-r', 'requirements.txt'], {
        cwd: dir,
      }),
    ).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${mirror.url}/pypi/demo-pkg/1.0.5/json: the answer has no "vulnerabilities" list, so this index cannot say whether the package is vulnerable (a mirror without vulnerability data?); use --pypi-url https://pypi.org or -s osv\n`,
      code: 2,
    });
  });
});

describe('inputs at scale', () => {
  it('130,000 requirement lines: no stack overflow', async () => {
    const lines = Array.from({ length: 130_000 }, (_, i) => `pkg-${i}==1.0.${i % 10}`);
    await writeFile(path.join(dir, 'huge.txt'), `${lines.join('\n')}\n`);
    const result = await runCli(['-r', 'huge.txt', '--dry-run'], { cwd: dir });
    expect(result).toEqual({
      stdout: '',
      stderr: 'Dry run: collected 130000 dependencies (130000 auditable); nothing was audited\n',
      code: 0,
    });
  }, 60_000);
});
