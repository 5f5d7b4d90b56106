/**
 * `db serve` as a shared service (issue 11): `GET /healthz`, ids that cannot escape the
 * database, slow clients that cannot hold a connection, and a database replaced by
 * `db import` while serving, picked up without a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOsvApi, type RunningServer } from '../src/serve/server.js';
import { memoryStore } from '../src/vulns/store.js';
import { demoRecords } from './helpers/fixtures.js';
import { runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/shared.js';

const BIN = path.join(REPO_ROOT, 'bin', 'pyaudit.js');

describe('the OSV API server', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await serveOsvApi(memoryStore(demoRecords()), {
      port: 0,
      headersTimeoutMs: 300,
      health: () => ({ built: '2099-01-01T00:00:00.000Z' }),
    });
  });
  afterAll(() => running.stop());

  it('GET /healthz answers with the record count', async () => {
    const response = await fetch(`${running.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      records: demoRecords().length,
      built: '2099-01-01T00:00:00.000Z',
    });
  });

  it.each([
    ['/v1/vulns/..', 404],
    ['/v1/vulns/../../etc/passwd', 404],
    ['/v1/vulns/%2e%2e%2f%2e%2e%2fosv-pypi.db', 404],
    ['/v1/vulns/PYSEC-2099-1%2F..', 404],
    ['/v1/vulns/%E0%A4%A', 400],
  ])('%s cannot escape the database: %i', async (target, status) => {
    // A raw request, so that no client normalizes the path first.
    const answer = await new Promise<string>((resolve, reject) => {
      const url = new URL(running.url);
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe(
      `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}`,
    );
  });

  it('a client that never finishes its headers is disconnected', async () => {
    const url = new URL(running.url);
    const started = performance.now();
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'),
      );
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(closed.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('db serve while the database is replaced', () => {
  let child: ChildProcess | undefined;
  let temp: string | undefined;
  afterAll(async () => {
    // The server's folder is removed once the server has stopped.
    const server = child;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  });

  it('keeps answering and picks up the new database', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pyaudit-reload-'));
    temp = dir;
    const record = (id: string) =>
      JSON.stringify({
        id,
        modified: '2099-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'PyPI', name: 'demo-pkg' }, versions: ['1.0'] }],
      });
    await writeFile(path.join(dir, 'one.json'), record('PYSEC-2099-1'));
    await writeFile(path.join(dir, 'two.json'), record('PYSEC-2099-2'));
    expect((await runCli(['db', 'import', 'one.json', '--db-dir', 'db'], { cwd: dir })).code).toBe(
      0,
    );
    const proc = spawn(
      process.execPath,
      [BIN, 'db', 'serve', '--port', '0', '--db-dir', 'db', '-q'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = proc;
    let log = '';
    const url = await new Promise<string>((resolve, reject) => {
      proc.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /at (http:\/\/\S+)/.exec(log);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`db serve exited ${code}: ${log}`)));
    });
    expect((await fetch(`${url}/v1/vulns/PYSEC-2099-2`)).status).toBe(404);
    expect((await runCli(['db', 'import', 'two.json', '--db-dir', 'db'], { cwd: dir })).code).toBe(
      0,
    );
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await fetch(`${url}/v1/vulns/PYSEC-2099-2`)).status;
      // The old records are served throughout.
      expect((await fetch(`${url}/v1/vulns/PYSEC-2099-1`)).status).toBe(200);
    }
    expect(status).toBe(200);
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({
      status: 'ok',
      records: 2,
    });
    expect(log).toMatch(/Reloaded .*osv-pypi\.db: 2 records/);
  }, 20_000);
});
