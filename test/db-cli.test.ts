/**
 * `pyaudit db …` end to end: import from zips, folders and files; conditional update over
 * HTTP; status; `db serve` as a separate process answering the OSV API and stopping cleanly
 * on SIGTERM; and a database that survives the importer being killed at any moment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, writeRecords } from '../src/vulns/local/database.js';
import { startAdvisoryServer, type AdvisoryServer } from './advisory-servers.js';
import { demoRecords, FIXTURES_DIR } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, REPO_ROOT, sharedPath } from './helpers/shared.js';
import { tempDirs } from './helpers/temp-dirs.js';

const BIN = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
const makeTemp = tempDirs();
const tempDir = () => makeTemp('pyaudit-dbcli-');
const zipOf = (files: Record<string, string>): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
const demoZip = (extra: Record<string, string> = {}) =>
  zipOf({
    ...Object.fromEntries(demoRecords().map((r) => [`${r.id}.json`, JSON.stringify(r)])),
    ...extra,
  });

describe('db import and status', () => {
  it('imports a zip, leaving other ecosystems out, and reports what it holds', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'all.zip');
    await writeFile(zip, demoZip());
    const imported = await runCli(['db', 'import', 'all.zip', '--db-dir', 'db'], { cwd: dir });
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(
      /^Imported 7 PyPI records from all\.zip \(1 record for other ecosystems left out\): 7 new or changed; the database holds 7 records for 2 packages \(\d+ ms\)\n$/,
    );
    const again = await runCli(['db', 'import', 'all.zip', '--db-dir', 'db'], { cwd: dir });
    expect(again.stderr).toMatch(/: 0 new or changed; the database holds 7 records/);
    const status = await runCli(['db', 'status', '--db-dir', 'db'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(
      status.stdout
        .split('\n')
        .map((l) =>
          l.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME').replace(/checksum \w+/, 'checksum X'),
        ),
    ).toEqual([
      `Database:  ${path.join(dir, 'db', 'osv-pypi.db')}`,
      'Format:    1 (checksum X verified)',
      'Size:      0.0 MiB',
      'Records:   7',
      'Packages:  2',
      'Built:     TIME (less than an hour old)',
      'Sources:',
      `  ${zip} (zip, 7 records, TIME)`,
      '',
    ]);
  });

  it('db status --json: the same facts as one JSON object', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'all.zip');
    await writeFile(zip, demoZip());
    await runCli(['db', 'import', 'all.zip', '--db-dir', 'db'], { cwd: dir });
    const status = await runCli(['db', 'status', '--db-dir', 'db', '--json'], { cwd: dir });
    expect(status.code).toBe(0);
    expect(status.stdout.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(parsed).toEqual({
      path: path.join(dir, 'db', 'osv-pypi.db'),
      format: 1,
      checksum: expect.stringMatching(/^[0-9a-f]+$/) as unknown,
      size: (await stat(path.join(dir, 'db', 'osv-pypi.db'))).size,
      records: 7,
      packages: 2,
      built: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) as unknown,
      age_days: expect.any(Number) as unknown,
      sources: [
        {
          location: zip,
          kind: 'zip',
          records: 7,
          imported_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/) as unknown,
        },
      ],
    });
    expect(parsed.age_days as number).toBeLessThan(1);
  });

  it('db --help names the program', async () => {
    const help = await runCli(['db', '--help'], { cwd: tempDir() });
    expect(help.code).toBe(0);
    expect(help.stdout.split('\n')[0]).toBe('Usage: pyaudit db [options] [command]');
    const status = await runCli(['db', 'status', '--help'], { cwd: tempDir() });
    expect(status.stdout.split('\n')[0]).toBe('Usage: pyaudit db status [options]');
  });

  it('uses PYAUDIT_DB_DIR and imports folders and single files', async () => {
    const dir = tempDir();
    const env = { PYAUDIT_DB_DIR: path.join(dir, 'db') };
    const folder = await runCli(['db', 'import', path.join(FIXTURES_DIR, 'osv')], {
      cwd: dir,
      env,
    });
    expect(folder.stderr).toMatch(
      /^Imported 7 PyPI records from .*osv \(1 record for other ecosystems left out\)/,
    );
    await writeFile(
      path.join(dir, 'one.json'),
      JSON.stringify({ ...demoRecords()[0], id: 'PYSEC-2099-99' }),
    );
    const file = await runCli(['db', 'import', 'one.json'], { cwd: dir, env });
    expect(file.stderr).toMatch(/: 1 new or changed; the database holds 8 records/);
  });

  it('takes db-dir from the configuration file, as the audit does: the database it manages is the one the audit reads', async () => {
    const dir = tempDir();
    const project = path.join(dir, 'project');
    await mkdir(path.join(project, 'sub'), { recursive: true });
    await writeFile(path.join(project, '.pyaudit.toml'), 'db-dir = "vulndb"\n');
    await writeFile(path.join(project, 'sub', 'r.txt'), 'demo-pkg==1.0.5\n');
    // From a subfolder: the file is found upwards, its path is relative to the file's folder.
    const sub = path.join(project, 'sub');
    const imported = await runCli(['db', 'import', path.join(FIXTURES_DIR, 'osv')], { cwd: sub });
    expect(imported.code).toBe(0);
    expect(openDatabase(path.join(project, 'vulndb')).header.records).toBe(7);
    const status = await runCli(['db', 'status', '--json'], { cwd: sub });
    expect(JSON.parse(status.stdout)).toMatchObject({
      path: path.join(project, 'vulndb', 'osv-pypi.db'),
      records: 7,
    });
    const audit = await runCli(['-r', 'r.txt', '--offline', '-f', 'json'], { cwd: sub });
    expect(audit.code).toBe(1);
    expect(audit.stderr).toMatch(/Found 3 known vulnerabilities in 1 package\n$/);
    // --db-dir and PYAUDIT_DB_DIR win over the file; --no-config and --config choose the file.
    const flag = await runCli(['db', 'status', '--db-dir', 'other'], { cwd: sub });
    expect(flag.stderr).toContain(path.join(sub, 'other', 'osv-pypi.db'));
    const env = await runCli(['db', 'status'], { cwd: sub, env: { PYAUDIT_DB_DIR: 'fromenv' } });
    expect(env.stderr).toContain(path.join(sub, 'fromenv', 'osv-pypi.db'));
    const none = await runCli(['db', 'status', '--no-config'], {
      cwd: sub,
      env: { XDG_CACHE_HOME: path.join(dir, 'xdg') },
    });
    expect(none.stderr).toContain(path.join(dir, 'xdg', 'pyaudit', 'db', 'osv-pypi.db'));
    await writeFile(path.join(dir, 'other.toml'), 'db-dir = "elsewhere"\n');
    const chosen = await runCli(['db', 'status', '--config', path.join(dir, 'other.toml')], {
      cwd: sub,
    });
    expect(chosen.stderr).toContain(path.join(dir, 'elsewhere', 'osv-pypi.db'));
    // A broken file is the same error as for the audit.
    const toml = path.join(project, '.pyaudit.toml');
    await writeFile(toml, 'db-dri = "x"\n');
    const broken = {
      stdout: '',
      stderr: `pyaudit: error: ${toml}:1: unknown key 'db-dri' in ${toml} (did you mean 'db-dir'?)\n`,
      code: 2,
    };
    expect(await runCli(['db', 'status'], { cwd: sub })).toEqual(broken);
    expect(await runCli(['-r', 'r.txt', '--offline'], { cwd: sub })).toEqual(broken);
  });

  it('a bad source fails the import with its name and leaves the database as it was', async () => {
    const dir = tempDir();
    await writeFile(path.join(dir, 'all.zip'), demoZip());
    await runCli(['db', 'import', 'all.zip', '--db-dir', 'db'], { cwd: dir });
    await writeFile(path.join(dir, 'bad.zip'), demoZip({ 'broken.json': '{"id": ' }));
    const bad = await runCli(['db', 'import', 'bad.zip', '--db-dir', 'db'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      new RegExp(
        `^pyaudit: error: ${path.join(dir, 'bad.zip')}:broken\\.json: not an OSV record: `,
      ),
    );
    expect(openDatabase(path.join(dir, 'db')).header.records).toBe(7);
    expect(await runCli(['db', 'import', 'missing', '--db-dir', 'db'], { cwd: dir })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${path.join(dir, 'missing')}: no such file or folder\n`,
      code: 2,
    });
  });

  it('an audit with no database says how to get one', async () => {
    const dir = tempDir();
    await writeFile(path.join(dir, 'r.txt'), 'demo-pkg==1.0\n');
    expect(await runCli(['-r', 'r.txt', '--offline', '--db-dir', 'none'], { cwd: dir })).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${path.join(dir, 'none', 'osv-pypi.db')}: no offline vulnerability database here; create one with \`pyaudit db update\` (downloads OSV's PyPI data) or \`pyaudit db import PATH\` (a zip or a folder of OSV records)\n`,
      code: 2,
    });
  });

  it('warns when the database is older than --max-db-age (default 7 days)', async () => {
    const dir = tempDir();
    const built = new Date(Date.now() - 10 * 86_400_000);
    await writeRecords(
      path.join(dir, 'db'),
      demoRecords(),
      { location: 'x', kind: 'folder', records: 8, importedAt: built.toISOString() },
      { now: built },
    );
    await writeFile(path.join(dir, 'r.txt'), 'other-pkg==0.7\n');
    const old = await runCli(['-r', 'r.txt', '--offline', '--db-dir', 'db'], { cwd: dir });
    expect(old).toEqual({
      stdout: '',
      stderr: `pyaudit: warning: the offline database is 10 days old (built ${built.toISOString()}); refresh it with \`pyaudit db update\` (--max-db-age 7)\nNo known vulnerabilities found\n`,
      code: 0,
    });
    for (const quiet of [
      ['--max-db-age', '30'],
      ['--max-db-age', '0'],
    ]) {
      expect(
        (await runCli(['-r', 'r.txt', '--offline', '--db-dir', 'db', ...quiet], { cwd: dir }))
          .stderr,
      ).toBe('No known vulnerabilities found\n');
    }
    expect(
      (
        await runCli(['-r', 'r.txt', '--offline', '--db-dir', 'db'], {
          cwd: dir,
          env: { PYAUDIT_MAX_DB_AGE: '11' },
        })
      ).stderr,
    ).toBe('No known vulnerabilities found\n');
  });
});

describe('db update', () => {
  let server: AdvisoryServer;
  beforeAll(async () => {
    server = await startAdvisoryServer([], { files: { '/PyPI/all.zip': demoZip() } });
  });
  afterAll(() => server.close());

  it('downloads, then skips an unchanged dump with a conditional request, then takes a changed one', async () => {
    const dir = tempDir();
    const url = `${server.url}/PyPI/all.zip`;
    const first = await runCli(['db', 'update', '--url', url, '--db-dir', dir], { cwd: dir });
    expect(first.stderr).toMatch(
      /^Downloaded 7 PyPI records \(0\.0 MiB\): 7 new or changed; the database holds 7 records\.\n$/,
    );
    const second = await runCli(['db', 'update', '--url', url, '--db-dir', dir], { cwd: dir });
    expect(second.stderr).toBe(
      `The database is up to date (${url} has not changed); checked now.\n`,
    );
    expect(server.requests.filter((r) => r === 'GET /PyPI/all.zip')).toHaveLength(2);
    server.options.files = {
      '/PyPI/all.zip': demoZip({
        'PYSEC-2099-77.json': JSON.stringify({ ...demoRecords()[2], id: 'PYSEC-2099-77' }),
      }),
    };
    const third = await runCli(['db', 'update', '--url', url, '--db-dir', dir], { cwd: dir });
    expect(third.stderr).toMatch(
      /^Downloaded 8 PyPI records .*: 1 new or changed; the database holds 8 records\.\n$/,
    );
  });

  it('an HTTP error or an unreachable host is an error naming the URL', async () => {
    const dir = tempDir();
    expect(
      await runCli(['db', 'update', '--url', `${server.url}/missing.zip`, '--db-dir', dir], {
        cwd: dir,
      }),
    ).toEqual({
      stdout: '',
      stderr: `pyaudit: error: ${server.url}/missing.zip: HTTP 404 while downloading the OSV dump\n`,
      code: 2,
    });
    expect(
      (
        await runCli(['db', 'update', '--url', 'http://127.0.0.1:9/all.zip', '--db-dir', dir], {
          cwd: dir,
        })
      ).stderr,
    ).toBe('pyaudit: error: http://127.0.0.1:9/all.zip: cannot connect (connection refused)\n');
  });
});

/** Starts `pyaudit db serve` as a process; resolves once it prints its URL. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(process.execPath, [BIN, 'db', 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /at (http:\/\/[^\s]+)/.exec(stderr);
      if (m) resolve({ child, url: m[1]!, log: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`db serve exited ${code}: ${stderr}`)));
  });
}

describe('db serve', () => {
  it('serves the OSV API from the database, logs requests, answers errors properly, and stops on SIGTERM', async () => {
    const dir = tempDir();
    await writeFile(path.join(dir, 'all.zip'), demoZip());
    await runCli(['db', 'import', 'all.zip', '--db-dir', 'db'], { cwd: dir });
    const { child, url, log } = await serve([
      '--db-dir',
      path.join(dir, 'db'),
      '--page-size',
      '2',
      '--max-body',
      '3000',
    ]);
    try {
      await writeFile(path.join(dir, 'r.txt'), 'demo-pkg==1.0.5\nother-pkg==0.5\n');
      const viaServe = await runCli(['-r', 'r.txt', '--osv-url', `${url}/v1/query`, '-f', 'json'], {
        cwd: dir,
      });
      const offline = await runCli(['-r', 'r.txt', '--offline', '--db-dir', 'db', '-f', 'json'], {
        cwd: dir,
      });
      expect(viaServe).toEqual(offline);
      expect(viaServe.code).toBe(1);

      const post = (p: string, body: string) =>
        fetch(`${url}${p}`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
      const query = await (
        await post(
          '/v1/query',
          JSON.stringify({ package: { name: 'Demo_Pkg', ecosystem: 'PyPI' }, version: '1.0.5' }),
        )
      ).json();
      expect(query).toMatchObject({
        vulns: [{ id: 'GHSA-aaaa-bbbb-cccc' }, { id: 'OSV-2099-7' }],
        next_page_token: expect.any(String) as unknown,
      });
      const purl = await (
        await post('/v1/query', JSON.stringify({ package: { purl: 'pkg:pypi/other-pkg@0.5' } }))
      ).json();
      expect(purl).toMatchObject({ vulns: [{ id: 'PYSEC-2099-4' }] });
      expect((await post('/v1/query', '{not json')).status).toBe(400);
      expect(await (await post('/v1/querybatch', '{"queries": 3}')).json()).toEqual({
        code: 3,
        message: 'queries must be a list.',
      });
      expect(
        (await post('/v1/querybatch', JSON.stringify({ queries: [], pad: 'x'.repeat(5000) })))
          .status,
      ).toBe(413);
      const tooMany = await post(
        '/v1/querybatch',
        JSON.stringify({ queries: Array(1001).fill(0) }),
      );
      expect(tooMany.status).toBe(400);
      expect((await fetch(`${url}/v1/vulns/NOPE-1`)).status).toBe(404);
      expect((await fetch(`${url}/v1/query`)).status).toBe(405);
      expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
      expect(log()).toMatch(/ POST \/v1\/querybatch 200 [\d.]+ ms \(2 queries\)\n/);
      expect(log()).toMatch(/ GET \/v1\/vulns\/NOPE-1 404 [\d.]+ ms\n/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(log()).toContain('SIGTERM: finishing requests in flight, then stopping\n');
  });

  it('refuses a bad port and a missing database with one line', async () => {
    const dir = tempDir();
    expect(await runCli(['db', 'serve', '--port', 'http', '--db-dir', dir], { cwd: dir })).toEqual({
      stdout: '',
      stderr: "pyaudit: error: argument --port: invalid value: 'http'\n",
      code: 2,
    });
    expect((await runCli(['db', 'serve', '--db-dir', dir], { cwd: dir })).stderr).toMatch(
      /^pyaudit: error: .*osv-pypi\.db: no offline vulnerability database here/,
    );
  });
});

describeShared('a killed import leaves a usable database', () => {
  it('kill -9 at any moment: the database opens and is the old or the new one', async () => {
    const dir = tempDir();
    await writeFile(path.join(dir, 'all.zip'), demoZip());
    await runCli(['db', 'import', 'all.zip', '--db-dir', 'db'], { cwd: dir });
    const outcomes = new Set<number>();
    for (const delay of [100, 400, 700, 1000, 1300, 1600, 6000]) {
      const child = spawn(
        process.execPath,
        [BIN, 'db', 'import', sharedPath('advisory-database'), '--db-dir', path.join(dir, 'db')],
        { stdio: 'ignore' },
      );
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      const { header } = openDatabase(path.join(dir, 'db'));
      expect([7, 2668]).toContain(header.records);
      outcomes.add(header.records);
      if (header.records === 2668) break;
    }
    // The kills landed both before and after the new database was in place.
    expect(outcomes.has(7)).toBe(true);
    // A later import cleans up what the killed ones left and completes.
    const done = await runCli(['db', 'import', sharedPath('advisory-database'), '--db-dir', 'db'], {
      cwd: dir,
    });
    expect(done.code).toBe(0);
    expect(openDatabase(path.join(dir, 'db')).header.records).toBe(2668);
  }, 120_000);
});
