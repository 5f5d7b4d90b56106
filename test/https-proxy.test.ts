/**
 * HTTPS through an HTTP proxy (`HTTPS_PROXY`): the client opens a CONNECT tunnel and speaks
 * TLS to the OSV API inside it. A real proxy and a real HTTPS server on 127.0.0.1, with a
 * test certificate trusted through NODE_EXTRA_CA_CERTS in a separate pyaudit process.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osvApiHandler } from '../src/serve/osv-api.js';
import { memoryStore } from '../src/vulns/store.js';
import { demoRecords, FIXTURES_DIR } from './helpers/fixtures.js';
import { REPO_ROOT } from './helpers/shared.js';
import { tempDirs } from './helpers/temp-dirs.js';

const exec = promisify(execFile);
const TLS = path.join(FIXTURES_DIR, 'tls');
let https: Server;
let proxy: Server;
let httpsUrl = '';
let proxyUrl = '';
const tunnels: string[] = [];

beforeAll(async () => {
  const handler = osvApiHandler(memoryStore(demoRecords()));
  https = createHttpsServer(
    {
      key: readFileSync(path.join(TLS, 'localhost.key')),
      cert: readFileSync(path.join(TLS, 'localhost.crt')),
    },
    (req, res) => void handler(req, res),
  );
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await Promise.all(
    [https, proxy].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))),
  );
  httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [https, proxy]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('HTTPS through a proxy', () => {
  const tempDir = tempDirs();
  const dir = tempDir('pyaudit-tls-');
  writeFileSync(path.join(dir, 'r.txt'), 'other-pkg==0.5\n');
  const run = (env: Record<string, string>) =>
    exec(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'pyaudit.js'),
        '-r',
        'r.txt',
        '--osv-url',
        httpsUrl,
        '-f',
        'json',
        '--desc',
        'off',
        '--aliases',
        'off',
      ],
      {
        cwd: dir,
        // A fresh cache folder per run: a cached answer would hide the TLS failure.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          XDG_CACHE_HOME: tempDir('pyaudit-tls-cache-'),
          ...env,
        },
      },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);

  it('tunnels with CONNECT and verifies the server certificate', async () => {
    const result = await run({
      HTTPS_PROXY: proxyUrl,
      NODE_EXTRA_CA_CERTS: path.join(TLS, 'localhost.crt'),
    });
    expect(result.stdout).toBe(
      '{"dependencies": [{"name": "other-pkg", "version": "0.5", "vulns": [{"id": "PYSEC-2099-4", "fix_versions": []}]}], "fixes": []}\n',
    );
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([httpsUrl.slice('https://'.length)]));
  });

  it('an untrusted certificate is an error, not a silent downgrade', async () => {
    const result = (await run({ HTTPS_PROXY: proxyUrl })) as {
      code?: number;
      stderr: string;
      stdout: string;
    };
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `pyaudit: error: ${httpsUrl}/v1/querybatch: TLS certificate problem (DEPTH_ZERO_SELF_SIGNED_CERT); a private CA can be added with NODE_EXTRA_CA_CERTS=ca.pem\n`,
    );
  });
});
