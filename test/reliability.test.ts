/**
 * Issue 11, network and cache: a real OSV server on 127.0.0.1 that fails on purpose (slow
 * answers, corrupt cache entries, a plain-HTTP port asked for HTTPS), and the CLI run as a
 * user runs it. Each case checks the exact outcome: the same findings as without the fault,
 * or one line and exit 2.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

const BIN = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
let server: OsvTestServer;
let dir: string;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
  dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-reliability-'));
  await writeFile(path.join(dir, 'requirements.txt'), 'demo-pkg==1.0.5\nother-pkg==0.5\n');
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});
const tempDir = tempDirs();
afterEach(() => {
  server.options = {};
  server.resetStats();
});

const JSON_REPORT =
  '{"dependencies": [{"name": "demo-pkg", "version": "1.0.5", "vulns": [' +
  '{"id": "OSV-2099-7", "fix_versions": [], "aliases": ["CVE-2099-0007"], "description": "N/A"}, ' +
  '{"id": "PYSEC-2099-1", "fix_versions": ["1.2.0", "2.0.3"], "aliases": ["CVE-2099-0001", "GHSA-aaaa-bbbb-cccc"], "description": "Demo flaw one. Second line."}, ' +
  '{"id": "PYSEC-2099-2", "fix_versions": [], "aliases": [], "description": "Demo flaw two"}]}, ' +
  '{"name": "other-pkg", "version": "0.5", "vulns": [' +
  '{"id": "PYSEC-2099-4", "fix_versions": [], "aliases": [], "description": "Only enumerated versions"}]}], "fixes": []}\n';

const audit = (args: string[], env: Record<string, string> = {}) =>
  runCli(['--osv-url', server.url, '-r', 'requirements.txt', '-f', 'json', ...args], {
    cwd: dir,
    env,
  });

describe('retries within --timeout', () => {
  it('the reference audit, without faults', async () => {
    expect(await audit([])).toEqual({
      stdout: JSON_REPORT,
      stderr: 'Found 4 known vulnerabilities in 2 packages\n',
      code: 1,
    });
  });

  it('one record answer slower than --timeout: retried, the audit is complete and the same', async () => {
    let slowed = 0;
    server.options = {
      fail: ({ path: p }) =>
        p === '/v1/vulns/PYSEC-2099-1' && slowed++ === 0 ? { delayMs: 1500 } : undefined,
    };
    expect(await audit(['--timeout', '0.4'])).toEqual({
      stdout: JSON_REPORT,
      stderr: 'Found 4 known vulnerabilities in 2 packages\n',
      code: 1,
    });
    expect(slowed).toBe(2);
    expect(server.stats.byRoute.vulns).toBe(6);
  });

  it('a slow querybatch answer (read-only POST) is retried too', async () => {
    let slowed = 0;
    server.options = {
      fail: ({ path: p }) =>
        p === '/v1/querybatch' && slowed++ === 0 ? { delayMs: 1500 } : undefined,
    };
    const result = await audit(['--timeout', '0.4']);
    expect(result.stdout).toBe(JSON_REPORT);
    expect(server.stats.byRoute.querybatch).toBe(2);
  });

  it('a record that never comes in time: one line saying how many attempts were made, exit 2', async () => {
    server.options = {
      fail: ({ path: p }) => (p === '/v1/vulns/PYSEC-2099-4' ? { delayMs: 1000 } : undefined),
    };
    expect(await audit(['--timeout', '0.2'])).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${server.url}/v1/vulns/PYSEC-2099-4: no response within 0.2 s (--timeout) (3 attempts)\n`,
      code: 2,
    });
  });
});

describe('the record cache, on by default', () => {
  it('lives under $XDG_CACHE_HOME/pyaudit; a repeat audit with no flags asks for no cached record', async () => {
    const cache = tempDir('pyaudit-xdg-');
    const env = { XDG_CACHE_HOME: cache };
    expect((await audit([], env)).stdout).toBe(JSON_REPORT);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 5, other: 0 });
    expect((await readdir(path.join(cache, 'pyaudit', 'osv', 'vulns'))).sort()).toEqual([
      'GHSA-aaaa-bbbb-cccc.json',
      'OSV-2099-7.json',
      'PYSEC-2099-1.json',
      'PYSEC-2099-2.json',
      'PYSEC-2099-4.json',
    ]);
    server.resetStats();
    // Within --query-cache-ttl (300 s) the query answers are reused too: no request at all.
    const again = await audit(['-v'], env);
    expect(again.stdout).toBe(JSON_REPORT);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 0, vulns: 0, other: 0 });
    expect(again.stderr).toContain('pyaudit: debug: record cache: 5 hits, 0 misses\n');
    // Asking again every time: the batch query only, records from the cache.
    const asked = await audit(['--query-cache-ttl', '0'], env);
    expect(asked.stdout).toBe(JSON_REPORT);
    expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 0, other: 0 });
    expect((await runCli(['cache', 'dir'], { cwd: dir, env })).stdout).toBe(
      `${path.join(cache, 'pyaudit')}\n`,
    );
  });

  it('a corrupt or truncated entry is discarded and fetched again, never trusted', async () => {
    const cache = tempDir('pyaudit-xdg-');
    const env = { XDG_CACHE_HOME: cache };
    await audit([], env);
    // Without the summaries (next test), the records are read.
    await rm(path.join(cache, 'pyaudit', 'osv', 'summaries.json'));
    const entry = path.join(cache, 'pyaudit', 'osv', 'vulns', 'PYSEC-2099-1.json');
    const text = await readFile(entry, 'utf8');
    await writeFile(entry, text.slice(0, text.length >> 1));
    await writeFile(
      path.join(cache, 'pyaudit', 'osv', 'vulns', 'PYSEC-2099-2.json'),
      JSON.stringify({ id: 'PYSEC-2099-9', modified: '2099-01-01T00:00:00Z' }),
    );
    server.resetStats();
    const again = await audit(['-v'], env);
    expect(again.stdout).toBe(JSON_REPORT);
    expect(server.stats.byRoute.vulns).toBe(2);
    expect(again.stderr).toContain(
      'pyaudit: debug: record cache: 3 hits, 0 misses, 2 corrupt entries discarded\n',
    );
    expect(JSON.parse(await readFile(entry, 'utf8'))).toMatchObject({ id: 'PYSEC-2099-1' });
  });

  it('summaries: a damaged file, or a stale or malformed summary, is not trusted; the records are read', async () => {
    const cache = tempDir('pyaudit-xdg-');
    const env = { XDG_CACHE_HOME: cache };
    await audit([], env);
    const file = path.join(cache, 'pyaudit', 'osv', 'summaries.json');
    const good = await readFile(file, 'utf8');
    const { entries } = JSON.parse(good) as {
      entries: Record<string, { summary: { modified: string; fixVersions: unknown } }>;
    };
    expect(Object.keys(entries).sort()).toEqual([
      'GHSA-aaaa-bbbb-cccc\u0000demo-pkg',
      'OSV-2099-7\u0000demo-pkg',
      'PYSEC-2099-1\u0000demo-pkg',
      'PYSEC-2099-2\u0000demo-pkg',
      'PYSEC-2099-4\u0000other-pkg',
    ]);
    const again = async (summaries: string, debugLines: string[]) => {
      await writeFile(file, summaries);
      server.resetStats();
      const result = await audit(['-vv', '--query-cache-ttl', '0'], env);
      expect(result.stdout).toBe(JSON_REPORT);
      expect(server.stats.byRoute).toEqual({ query: 0, querybatch: 1, vulns: 0, other: 0 });
      for (const line of debugLines) expect(result.stderr).toContain(`pyaudit: debug: ${line}\n`);
    };
    // Truncated: every record is read from its file.
    await again(good.slice(0, good.length >> 1), [
      'cache hit: PYSEC-2099-1',
      'record cache: 5 hits, 0 misses',
    ]);
    // One summary made from an older record, one malformed: those two records are read.
    entries['PYSEC-2099-1\u0000demo-pkg']!.summary.modified = '2000-01-01T00:00:00Z';
    entries['PYSEC-2099-4\u0000other-pkg']!.summary.fixVersions = '1.0';
    await again(JSON.stringify({ format: 1, entries }), [
      'cache hit: PYSEC-2099-1',
      'cache hit: PYSEC-2099-4',
      'cache hit: PYSEC-2099-2 (summary)',
      'record cache: 5 hits, 0 misses',
    ]);
    // They were made again from the records, for the next run.
    const summariesOf = (text: string) =>
      Object.entries(
        (JSON.parse(text) as { entries: Record<string, { summary: unknown }> }).entries,
      )
        .map(([key, entry]) => [key, entry.summary])
        .sort();
    expect(summariesOf(await readFile(file, 'utf8'))).toEqual(summariesOf(good));
  });

  it('--no-cache reads and writes nothing; --cache-dir chooses the folder', async () => {
    const cache = tempDir('pyaudit-xdg-');
    await audit(['--no-cache'], { XDG_CACHE_HOME: cache });
    expect(await readdir(cache)).toEqual([]);
    const chosen = path.join(cache, 'chosen');
    await audit(['--cache-dir', chosen], { XDG_CACHE_HOME: cache });
    expect(await readdir(path.join(chosen, 'osv', 'vulns'))).toHaveLength(5);
    const cleaned = await runCli(['cache', 'clean', '--cache-dir', chosen], { cwd: dir });
    expect(cleaned).toEqual({
      stdout: '',
      stderr: `Removed 5 cached records from ${chosen}\n`,
      code: 0,
    });
    expect(await readdir(chosen)).toEqual([]);
  });

  it('an unwritable cache folder is a warning, once; the audit still completes', async () => {
    const file = path.join(dir, 'not-a-folder');
    await writeFile(file, '');
    const result = await audit(['--cache-dir', file]);
    expect(result).toEqual({
      stdout: JSON_REPORT,
      stderr:
        `pyaudit: warning: cannot write the record cache in ${file} (ENOTDIR); records are fetched again next time (--cache-dir DIR or --no-cache)\n` +
        'Found 4 known vulnerabilities in 2 packages\n',
      code: 1,
    });
  });

  it('8 processes sharing one cache at once all finish with the same report', async () => {
    const cache = tempDir('pyaudit-xdg-');
    server.options = { latencyMs: 20 };
    const runs = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(
              process.execPath,
              [BIN, '--osv-url', server.url, '-r', 'requirements.txt', '-f', 'json'],
              { cwd: dir, env: { PATH: process.env.PATH, XDG_CACHE_HOME: cache, HOME: cache } },
            );
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('close', (code) => resolve({ code, stdout, stderr }));
          }),
      ),
    );
    for (const run of runs) {
      expect(run).toEqual({
        code: 1,
        stdout: JSON_REPORT,
        stderr: 'Found 4 known vulnerabilities in 2 packages\n',
      });
    }
    const folder = path.join(cache, 'pyaudit', 'osv', 'vulns');
    const names = (await readdir(folder)).sort();
    expect(names).toHaveLength(5);
    for (const name of names) {
      const record = JSON.parse(await readFile(path.join(folder, name), 'utf8')) as { id: string };
      expect(`${record.id}.json`).toBe(name);
    }
    // The query answers and the summaries: one whole file each, no temporary file left behind.
    expect((await readdir(path.join(cache, 'pyaudit', 'osv'))).sort()).toEqual([
      'queries.json',
      'summaries.json',
      'vulns',
    ]);
    const queries = JSON.parse(
      await readFile(path.join(cache, 'pyaudit', 'osv', 'queries.json'), 'utf8'),
    ) as { entries: Record<string, unknown> };
    expect(Object.keys(queries.entries).sort()).toEqual([
      'demo-pkg\u00001.0.5',
      'other-pkg\u00000.5',
    ]);
    // The compiled code: one entry, however many wrote it.
    expect(await readdir(path.join(cache, 'pyaudit', 'code'))).toEqual([
      expect.stringMatching(/^main\.cjs-[0-9a-f]{24}\.v8$/),
    ]);
  }, 30_000);
});

describe('URLs and services that break the protocol', () => {
  it('https:// to a plain-HTTP port: one line without OpenSSL internals', async () => {
    const result = await runCli(
      ['--osv-url', server.url.replace('http:', 'https:'), '-r', 'requirements.txt'],
      { cwd: dir },
    );
    expect(result).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${server.url.replace('http:', 'https:')}/v1/querybatch: the TLS handshake failed: the server does not speak HTTPS on this port (try http://)\n`,
      code: 2,
    });
  });

  it.each([
    [
      ['--osv-url', 'notaurl'],
      {},
      "pyaudit: error: argument --osv-url: invalid value: 'notaurl' (expected an http:// or https:// URL)\n",
    ],
    [
      ['--osv-url', 'ftp://mirror.example/osv'],
      {},
      "pyaudit: error: argument --osv-url: unsupported scheme 'ftp' (only http:// and https:// URLs)\n",
    ],
    [
      ['--pypi-url', 'file:///srv/pypi', '-s', 'pypi'],
      {},
      "pyaudit: error: argument --pypi-url: unsupported scheme 'file' (only http:// and https:// URLs)\n",
    ],
    [
      [],
      { PIP_AUDIT_OSV_URL: 'file:///srv/osv' },
      "pyaudit: error: environment variable PIP_AUDIT_OSV_URL: unsupported scheme 'file' (only http:// and https:// URLs)\n",
    ],
    [
      [],
      { PIP_AUDIT_FORMAT: 'xml' },
      "pyaudit: error: environment variable PIP_AUDIT_FORMAT: invalid choice: 'xml' (choose from columns, json, markdown, cyclonedx-json, cyclonedx-xml, sarif, html)\n",
    ],
    [
      [],
      { PYAUDIT_TIMEOUT: 'soon' },
      "pyaudit: error: environment variable PYAUDIT_TIMEOUT: invalid value: 'soon' (a positive number of seconds)\n",
    ],
    [
      ['--offline', '--osv-url', 'http://127.0.0.1:1'],
      {},
      'pyaudit: error: argument --offline: not allowed with --osv-url (an offline audit asks no URL)\n',
    ],
  ])('%j %j: checked when read', async (args, env, stderr) => {
    const result = await runCli(['-r', 'requirements.txt', ...args], { cwd: dir, env });
    expect(result).toEqual({ stdout: '', stderr, code: 2 });
    expect(server.stats.requests).toBe(0);
  });

  it('PIP_AUDIT_VULNERABILITY_SERVICE=osv,pypi is accepted as -s osv,pypi is', async () => {
    const result = await runCli(['-r', 'requirements.txt', '--dry-run'], {
      cwd: dir,
      env: { PIP_AUDIT_VULNERABILITY_SERVICE: 'osv,pypi' },
    });
    expect(result).toEqual({
      stdout: '',
      stderr: 'Dry run: collected 2 dependencies (2 auditable); nothing was audited\n',
      code: 0,
    });
  });

  it('a URL with credentials never shows them in an error', async () => {
    const withCredentials = server.url.replace('http://', 'http://user:s3cret@');
    server.options = { fail: () => 500 };
    const result = await runCli(['--osv-url', withCredentials, '-r', 'requirements.txt', '-vv'], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr.trimEnd().split('\n').pop()).toBe(
      `pyaudit: error: ${server.url.replace('http://', 'http://***@')}/v1/querybatch: HTTP 500 from the OSV querybatch API`,
    );
  });

  it('an OSV record answer that is not the record asked for is an error, never "clean"', async () => {
    server.options = { fail: ({ path: p }) => (p.startsWith('/v1/vulns/') ? 200 : undefined) };
    const result = await audit(['--no-cache']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^pyaudit: error: http:\/\/127\.0\.0\.1:\d+\/v1\/vulns\/([\w-]+): asked for \1, the OSV API answered something else\n$/,
    );
  });
});

describe('compressed answers', () => {
  /** A real loopback server in front of the OSV server that compresses what it relays. */
  async function compressingProxy(
    encode: (path: string, body: Buffer) => { encoding: string; body: Buffer },
  ): Promise<{ url: string; close(): Promise<void> }> {
    const front = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void fetch(`${server.url}${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          ...(req.method === 'POST' && { body: Buffer.concat(chunks) }),
          headers: { 'content-type': 'application/json' },
        }).then(async (answer) => {
          const encoded = encode(req.url ?? '/', Buffer.from(await answer.arrayBuffer()));
          res.writeHead(answer.status, {
            'content-type': 'application/json',
            'content-encoding': encoded.encoding,
          });
          res.end(encoded.body);
        });
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
      close: () =>
        new Promise<void>((resolve) => {
          front.closeAllConnections();
          front.close(() => resolve());
        }),
    };
  }

  it('gzip and brotli answers are decoded: the same report', async () => {
    const front = await compressingProxy((p, body) =>
      p.startsWith('/v1/vulns/')
        ? { encoding: 'br', body: brotliCompressSync(body) }
        : { encoding: 'gzip', body: gzipSync(body) },
    );
    try {
      const result = await runCli(
        ['--osv-url', front.url, '-r', 'requirements.txt', '-f', 'json'],
        {
          cwd: dir,
        },
      );
      expect(result).toEqual({
        stdout: JSON_REPORT,
        stderr: 'Found 4 known vulnerabilities in 2 packages\n',
        code: 1,
      });
    } finally {
      await front.close();
    }
  });

  it('a corrupt compressed answer is one line naming the URL', async () => {
    const front = await compressingProxy((_p, body) => ({
      encoding: 'gzip',
      body: body.subarray(0, 8),
    }));
    try {
      expect(
        await runCli(['--osv-url', front.url, '-r', 'requirements.txt'], { cwd: dir }),
      ).toEqual({
        stdout: '',
        stderr: `pyaudit: error: ${front.url}/v1/querybatch: the gzip-encoded response is corrupt\n`,
        code: 2,
      });
    } finally {
      await front.close();
    }
  });

  it('a host name that does not resolve', async () => {
    const result = await runCli(
      ['--osv-url', 'http://no-such-host.invalid', '-r', 'requirements.txt'],
      { cwd: dir },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^pyaudit: error: http:\/\/no-such-host\.invalid\/v1\/querybatch: cannot resolve the host name( \(3 attempts\))?\n$/,
    );
  });
});

describe('cache command', () => {
  it('cache dir honours XDG_CACHE_HOME, else ~/.cache', async () => {
    const home = path.join(dir, 'home');
    await mkdir(home, { recursive: true });
    expect((await runCli(['cache', 'dir'], { cwd: dir, env: { HOME: home } })).stdout).toBe(
      `${path.join(home, '.cache', 'pyaudit')}\n`,
    );
    expect(
      (await runCli(['cache', 'dir'], { cwd: dir, env: { XDG_CACHE_HOME: '/xdg' } })).stdout,
    ).toBe('/xdg/pyaudit\n');
  });

  it('takes cache-dir from the configuration file the audit reads, after the flag and the variables', async () => {
    const project = path.join(dir, 'configured');
    await mkdir(path.join(project, 'sub'), { recursive: true });
    await writeFile(path.join(project, '.pyaudit.toml'), 'cache-dir = "my-cache"\n');
    const sub = path.join(project, 'sub');
    const env = { XDG_CACHE_HOME: '/xdg' };
    const dirOf = async (args: string[], extra: Record<string, string> = {}) =>
      (await runCli(['cache', 'dir', ...args], { cwd: sub, env: { ...env, ...extra } })).stdout;
    expect(await dirOf([])).toBe(`${path.join(project, 'my-cache')}\n`);
    expect(await dirOf(['--cache-dir', 'flag'])).toBe(`${path.join(sub, 'flag')}\n`);
    expect(await dirOf([], { PYAUDIT_CACHE_DIR: '/env' })).toBe('/env\n');
    expect(await dirOf(['--no-config'])).toBe('/xdg/pyaudit\n');
    await writeFile(path.join(dir, 'chosen.toml'), 'cache-dir = "chosen-cache"\n');
    expect(await dirOf(['--config', path.join(dir, 'chosen.toml')])).toBe(
      `${path.join(dir, 'chosen-cache')}\n`,
    );
    // The audit writes where `cache dir` says.
    await writeFile(path.join(sub, 'requirements.txt'), 'demo-pkg==1.0.5\n');
    await runCli(['--osv-url', server.url, '-r', 'requirements.txt'], { cwd: sub, env });
    expect((await readdir(path.join(project, 'my-cache', 'osv', 'vulns'))).length).toBe(4);
    await writeFile(path.join(project, '.pyaudit.toml'), 'cache-dri = "x"\n');
    const toml = path.join(project, '.pyaudit.toml');
    expect(await runCli(['cache', 'dir'], { cwd: sub, env })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${toml}:1: unknown key 'cache-dri' in ${toml} (did you mean 'cache-dir'?)\n`,
      code: 2,
    });
  });

  it('anything else is a usage error', async () => {
    expect(await runCli(['cache', 'purge'], { cwd: dir })).toEqual({
      stdout: '',
      stderr:
        'pyaudit: error: usage: pyaudit cache {dir,clean} [--cache-dir DIR] [--config FILE | --no-config]\n',
      code: 2,
    });
  });
});
