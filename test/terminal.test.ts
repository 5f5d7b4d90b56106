/**
 * What a terminal sees: colours (--color, NO_COLOR, FORCE_COLOR, per stream), OSC 8 links,
 * -q, -v, the spinner's phases and --help. The pseudo-terminal tests run the installed bin
 * under util-linux `script`, so stdout and stderr are a real terminal.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

let server: OsvTestServer;
let dir: string;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
  dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-terminal-'));
  await writeFile(path.join(dir, 'requirements.txt'), 'demo-pkg==1.0.5\nunpinned-pkg>=1\n');
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (
  args: string[],
  options: { env?: Record<string, string>; stdoutIsTTY?: boolean } = {},
) =>
  runCli(['--osv-url', server.url, '-r', 'requirements.txt', '--no-deps', '--no-config', ...args], {
    cwd: dir,
    ...options,
  });

const bold = (s: string): string => `\u001b[1m${s}\u001b[22m`;
const red = (s: string): string => `\u001b[31m${s}\u001b[39m`;
const green = (s: string): string => `\u001b[32m${s}\u001b[39m`;
const yellow = (s: string): string => `\u001b[33m${s}\u001b[39m`;
const link = (url: string, s: string): string => `\u001b]8;;${url}\u001b\\${s}\u001b]8;;\u001b\\`;

const SKIP_REASON = 'requirement is not pinned to an exact version: unpinned-pkg>=1';
const PLAIN =
  'Name     Version ID           Fix Versions\n' +
  '-------- ------- ------------ ------------\n' +
  'demo-pkg 1.0.5   OSV-2099-7\n' +
  'demo-pkg 1.0.5   PYSEC-2099-1 1.2.0,2.0.3\n' +
  'demo-pkg 1.0.5   PYSEC-2099-2\n' +
  '\n' +
  'Name         Skip Reason\n' +
  `------------ ${'-'.repeat(SKIP_REASON.length)}\n` +
  `unpinned-pkg ${SKIP_REASON}\n`;
const COLOURED =
  `${bold('Name')}     ${bold('Version')} ${bold('ID')}           ${bold('Fix Versions')}\n` +
  '-------- ------- ------------ ------------\n' +
  `demo-pkg 1.0.5   ${red('OSV-2099-7')}\n` +
  `demo-pkg 1.0.5   ${red('PYSEC-2099-1')} ${green('1.2.0,2.0.3')}\n` +
  `demo-pkg 1.0.5   ${red('PYSEC-2099-2')}\n` +
  '\n' +
  `${bold('Name')}         ${bold('Skip Reason')}\n` +
  `------------ ${'-'.repeat(SKIP_REASON.length)}\n` +
  `unpinned-pkg ${SKIP_REASON}\n`;
const WARNING =
  '1 of 2 dependencies was not audited (see Skip Reason); --strict makes that an error';
const SUMMARY = 'Found 3 known vulnerabilities in 1 package';

describe('colours', () => {
  it('none in a pipe: the output is pip-audit’s', async () => {
    expect(await run([])).toEqual({
      stdout: PLAIN,
      stderr: `pyaudit: warning: ${WARNING}\n${SUMMARY}\n`,
      code: 1,
    });
  });

  it('FORCE_COLOR colours a pipe (but never links it)', async () => {
    expect(await run([], { env: { FORCE_COLOR: '1' } })).toEqual({
      stdout: COLOURED,
      stderr: `pyaudit: ${yellow('warning:')} ${WARNING}\n${red(SUMMARY)}\n`,
      code: 1,
    });
    expect((await run([], { env: { FORCE_COLOR: '0' } })).stdout).toBe(PLAIN);
  });

  it('NO_COLOR turns colours off on a terminal; the links stay', async () => {
    const result = await run([], { env: { NO_COLOR: '1' }, stdoutIsTTY: true });
    expect(result.stdout.split('\n')[3]).toBe(
      `${link('https://pypi.org/project/demo-pkg/', 'demo-pkg')} 1.0.5   ${link('https://osv.dev/vulnerability/PYSEC-2099-1', 'PYSEC-2099-1')} 1.2.0,2.0.3`,
    );
    expect(result.stdout.includes('\u001b[')).toBe(false);
  });

  it('--color always beats NO_COLOR; --color never beats FORCE_COLOR', async () => {
    expect((await run(['--color', 'always'], { env: { NO_COLOR: '1' } })).stdout).toBe(COLOURED);
    expect(await run(['--color', 'never'], { env: { FORCE_COLOR: '1' } })).toEqual({
      stdout: PLAIN,
      stderr: `pyaudit: warning: ${WARNING}\n${SUMMARY}\n`,
      code: 1,
    });
    expect(await run(['--color', 'sometimes'])).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: argument --color: invalid choice: 'sometimes' (choose from auto, always, never)\n",
      code: 2,
    });
  });

  it('never colours json or markdown, nor a report written with -o', async () => {
    const json = await run(['-f', 'json'], { env: { FORCE_COLOR: '1' } });
    expect(json.stdout.includes('\u001b')).toBe(false);
    expect(json.stderr).toBe(`pyaudit: ${yellow('warning:')} ${WARNING}\n${red(SUMMARY)}\n`);
    const markdown = await run(['-f', 'markdown'], { env: { FORCE_COLOR: '1' } });
    expect(markdown.stdout.includes('\u001b')).toBe(false);
    await run(['-o', 'report.txt'], { env: { FORCE_COLOR: '1' }, stdoutIsTTY: true });
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path.join(dir, 'report.txt'), 'utf8')).toBe(PLAIN);
  });
});

describe('-q and -v', () => {
  it('-q prints the report and nothing else; the exit code is unchanged', async () => {
    expect(await run(['-q'])).toEqual({ stdout: PLAIN, stderr: '', code: 1 });
    expect(await run(['--quiet', '--timeout', 'x'])).toEqual({
      stdout: '',
      stderr:
        "pyaudit: error: argument --timeout: invalid value: 'x' (a positive number of seconds)\n",
      code: 2,
    });
  });

  it('-v adds debug lines but leaves the report alone (the Via column is --show-paths)', async () => {
    const verbose = await run(['-v']);
    expect(verbose.stdout).toBe(PLAIN);
    expect(verbose.stderr).toMatch(/^pyaudit: debug: configuration file: none\n/);
    expect((await run(['--show-paths'])).stdout.split('\n')[0]).toBe(
      'Name     Version ID           Fix Versions Via',
    );
  });
});

describe('--help', () => {
  it('lists the commands, exit codes, environment variables and each default', async () => {
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    const lines = help.stdout.split('\n');
    const line = (flag: string): string =>
      (lines.find((l) => l.trim().startsWith(flag.trim())) ?? '').replace(/\s+/g, ' ').trim();
    expect(line('-f, --format')).toBe(
      '-f, --format <FORMAT> the report format (choices: columns, json, markdown, cyclonedx-json, cyclonedx-xml, sarif, html) (default: columns)',
    );
    expect(line('-s, --vulnerability-service')).toBe(
      '-s, --vulnerability-service <SERVICE> the vulnerability service (choices: osv, pypi, local, esms; repeatable or comma-separated) (default: osv)',
    );
    expect(line('--timeout')).toBe(
      '--timeout <TIMEOUT> seconds to wait for a service response (default: 15)',
    );
    expect(line('--fix')).toBe(
      '--fix upgrade vulnerable dependencies: rewrite requirements files and manifests in place (all or nothing), print the commands that update lock files, pip install in an environment',
    );
    expect(help.stdout).not.toContain('(default: [])');
    expect(help.stdout).not.toContain('(default: false)');
    expect(help.stdout).toContain(
      '\nCommands:\n  pyaudit db update|import|status|serve   the offline vulnerability database (pyaudit db --help)\n' +
        '  pyaudit config show [OPTIONS]           the effective configuration and where each value comes from\n' +
        "  pyaudit cache dir|clean                 the record cache's folder; remove the cached records\n",
    );
    expect(help.stdout).toContain(
      '\nExit codes:\n  0  no known vulnerabilities (apart from ignored ones)\n  1  vulnerabilities found\n  2  error',
    );
    expect(line('PYAUDIT_FORMAT, PIP_AUDIT_FORMAT')).toBe(
      'PYAUDIT_FORMAT, PIP_AUDIT_FORMAT --format',
    );
    expect(line('  NO_COLOR ')).toBe('NO_COLOR no colours (unless --color always)');
  });
});

/** Runs the bin in a pseudo-terminal; resolves to everything the terminal received. */
function inTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ output: string; code: number }> {
  const bin = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, bin, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          XDG_CACHE_HOME: dir,
          TERM: 'xterm-256color',
          // No resolution is meant here; an index on a closed port makes sure of it.
          PIP_CONFIG_FILE: '/dev/null',
          PIP_INDEX_URL: 'http://127.0.0.1:9/simple/',
          ...env,
        },
      },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ output: stdout, code: error ? (error.code as number) : 0 });
      },
    );
    child.stdin?.end();
  });
}

describe('on a real terminal', () => {
  it('colours, links, and a spinner that names each phase', async () => {
    server.options = { latencyMs: 300 };
    let result;
    try {
      result = await inTerminal([
        '--osv-url',
        server.url,
        '-r',
        'requirements.txt',
        '--no-deps',
        '--no-config',
      ]);
    } finally {
      server.options = {};
    }
    expect(result.code).toBe(1);
    // The terminal turns \n into \r\n.
    const output = result.output.replace(/\r\n/g, '\n');
    /** A spinner frame: the line cleared, a braille dot, the text. */
    const frame = (text: string): RegExp => new RegExp(`\r\u001b\\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] ${text}`);
    expect(output).toMatch(frame('Querying osv for 1 package'));
    expect(output).toContain(
      `${link('https://pypi.org/project/demo-pkg/', 'demo-pkg')} 1.0.5   ${red(link('https://osv.dev/vulnerability/PYSEC-2099-1', 'PYSEC-2099-1'))} ${green('1.2.0,2.0.3')}\n`,
    );
    expect(output).toMatch(frame('Fetching vulnerability records \\d/4'));
    // The spinner's line is cleared before the report starts.
    expect(output).toContain(`\r\u001b[2K${bold('Name')}     ${bold('Version')}`);
    expect(
      output.endsWith(
        `unpinned-pkg ${SKIP_REASON}\npyaudit: ${yellow('warning:')} ${WARNING}\n${red(SUMMARY)}\n`,
      ),
    ).toBe(true);
  });

  it('NO_COLOR on a terminal: links and spinner, no colours', async () => {
    const result = await inTerminal(
      [
        '--osv-url',
        server.url,
        '-r',
        'requirements.txt',
        '--no-deps',
        '--no-config',
        '--progress-spinner',
        'off',
      ],
      { NO_COLOR: '1' },
    );
    const output = result.output.replace(/\r\n/g, '\n');
    expect(output).toBe(
      'Name     Version ID           Fix Versions\n' +
        '-------- ------- ------------ ------------\n' +
        `${link('https://pypi.org/project/demo-pkg/', 'demo-pkg')} 1.0.5   ${link('https://osv.dev/vulnerability/OSV-2099-7', 'OSV-2099-7')}\n` +
        `${link('https://pypi.org/project/demo-pkg/', 'demo-pkg')} 1.0.5   ${link('https://osv.dev/vulnerability/PYSEC-2099-1', 'PYSEC-2099-1')} 1.2.0,2.0.3\n` +
        `${link('https://pypi.org/project/demo-pkg/', 'demo-pkg')} 1.0.5   ${link('https://osv.dev/vulnerability/PYSEC-2099-2', 'PYSEC-2099-2')}\n` +
        '\n' +
        'Name         Skip Reason\n' +
        `------------ ${'-'.repeat(SKIP_REASON.length)}\n` +
        `unpinned-pkg ${SKIP_REASON}\n` +
        `pyaudit: warning: ${WARNING}\n${SUMMARY}\n`,
    );
    expect(result.code).toBe(1);
  });
});
