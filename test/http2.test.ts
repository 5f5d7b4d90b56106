/**
 * The CLI against an OSV API that speaks HTTP/2 (as api.osv.dev does): the product's own OSV
 * server (`src/serve/osv-api.ts`) mounted on a `node:http2` secure server on 127.0.0.1 with
 * the test certificate, trusted through NODE_EXTRA_CA_CERTS in a separate pyaudit process.
 * The same audit against the same records over HTTPS/1.1 gives the same report; over HTTP/2
 * every request, the 85 record fetches included, shares one connection.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osvApiHandler } from '../src/serve/osv-api.js';
import type { OsvRecord } from '../src/standards/osv.js';
import { memoryStore } from '../src/vulns/store.js';
import { demoRecords, FIXTURES_DIR } from './helpers/fixtures.js';
import { REPO_ROOT } from './helpers/shared.js';
import { tempDirs } from './helpers/temp-dirs.js';

const exec = promisify(execFile);
const TLS = path.join(FIXTURES_DIR, 'tls');
const key = readFileSync(path.join(TLS, 'localhost.key'));
const cert = readFileSync(path.join(TLS, 'localhost.crt'));

/** 80 advisories for one package, each fixed in its own release: 80 record fetches. */
const MANY = Array.from({ length: 80 }, (_, i): OsvRecord => ({
  id: `PYSEC-2098-${i + 1}`,
  modified: '2098-01-01T00:00:00Z',
  summary: `Many-pkg flaw ${i + 1}`,
  details: `Flaw ${i + 1} of many-pkg.`,
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'many-pkg' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `2.${i}` }] }],
    },
  ],
}));

interface Stats {
  connections: number;
  sessions: number;
  versions: Set<string>;
  vulns: number;
  inFlight: number;
  peakInFlight: number;
  /** Destroy the HTTP/2 session (a dropped connection) at this record request. */
  dropAt?: number;
}

const servers: { close(): void }[] = [];
const h2Stats: Stats = fresh();
const h1Stats: Stats = fresh();
let h2Url = '';
let h1Url = '';

function fresh(): Stats {
  return {
    connections: 0,
    sessions: 0,
    versions: new Set(),
    vulns: 0,
    inFlight: 0,
    peakInFlight: 0,
  };
}

/** The OSV API, counting requests; record answers take 30 ms so that they overlap. */
function listener(stats: Stats) {
  const handler = osvApiHandler(memoryStore([...demoRecords(), ...MANY]));
  return (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    stats.versions.add(req.httpVersion);
    void (async () => {
      if (req.url?.startsWith('/v1/vulns/')) {
        stats.vulns++;
        if (stats.vulns === stats.dropAt) {
          (req as Http2ServerRequest).stream.session?.destroy();
          return;
        }
        stats.inFlight++;
        stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
        await new Promise((r) => setTimeout(r, 30));
        stats.inFlight--;
      }
      // The compatibility API of node:http2 serves a node:http listener.
      await handler(req as IncomingMessage, res as ServerResponse);
    })();
  };
}

beforeAll(async () => {
  const h2 = http2.createSecureServer({ key, cert }, listener(h2Stats));
  h2.on('session', () => h2Stats.sessions++);
  h2.on('secureConnection', () => h2Stats.connections++);
  const h1 = https.createServer({ key, cert }, listener(h1Stats));
  h1.on('secureConnection', () => h1Stats.connections++);
  const sockets = new Set<{ destroy(): void }>();
  for (const s of [h2, h1]) {
    s.on('secureConnection', (socket: { destroy(): void; on(e: 'close', f: () => void): void }) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => {
        for (const socket of sockets) socket.destroy();
        s.close();
      },
    });
  }
  h2Url = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  h1Url = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const s of servers) s.close();
});

const tempDir = tempDirs();
const dir = tempDir('pyaudit-h2-');
writeFileSync(
  path.join(dir, 'requirements.txt'),
  'demo-pkg==1.0.5\nother-pkg==0.5\nmany-pkg==1.0\n',
);

let reference = '';

const audit = (url: string) =>
  exec(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'pyaudit.js'),
      '-s',
      'osv',
      '--osv-url',
      url,
      '-r',
      'requirements.txt',
      '-f',
      'json',
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        // A fresh cache per run: every record is fetched.
        XDG_CACHE_HOME: tempDir('pyaudit-h2-cache-'),
        PIP_CONFIG_FILE: '/dev/null',
        NODE_EXTRA_CA_CERTS: path.join(TLS, 'localhost.crt'),
      },
    },
  ).catch((e: { code: number; stdout: string; stderr: string }) => e);

describe('an OSV API over HTTP/2', () => {
  it('one connection carries every request; the report is the one HTTPS/1.1 gives', async () => {
    const [overH2, overH1] = [await audit(h2Url), await audit(h1Url)];
    const report = JSON.parse(overH2.stdout) as {
      dependencies: { name: string; vulns: { id: string; fix_versions: string[] }[] }[];
    };
    const many = report.dependencies.find((d) => d.name === 'many-pkg');
    expect(new Set(many?.vulns.map((v) => v.id))).toEqual(new Set(MANY.map((r) => r.id)));
    expect(many?.vulns.find((v) => v.id === 'PYSEC-2098-80')?.fix_versions).toEqual(['2.79']);
    expect(report.dependencies.find((d) => d.name === 'other-pkg')?.vulns.map((v) => v.id)).toEqual(
      ['PYSEC-2099-4'],
    );
    expect((overH2 as { code?: number }).code).toBe(1);
    expect(overH2.stderr).toBe('Found 84 known vulnerabilities in 3 packages\n');
    expect({ stdout: overH1.stdout, stderr: overH1.stderr }).toEqual({
      stdout: overH2.stdout,
      stderr: overH2.stderr,
    });

    expect(h2Stats.versions).toEqual(new Set(['2.0']));
    expect(h2Stats.connections).toBe(1);
    expect(h2Stats.sessions).toBe(1);
    // The 84 findings' records, and the alias record the demo data deduplicates.
    expect(h2Stats.vulns).toBe(85);
    // The record fetches overlapped on that one connection (the client asks 64 at once).
    expect(h2Stats.peakInFlight).toBe(64);

    expect(h1Stats.versions).toEqual(new Set(['1.1']));
    expect(h1Stats.vulns).toBe(85);
    expect(h1Stats.connections).toBeGreaterThan(1);
    reference = overH1.stdout;
  });

  it('a connection dropped in the middle: the requests cut are retried, the report is the same', async () => {
    Object.assign(h2Stats, fresh(), { dropAt: 40 });
    const result = await audit(h2Url);
    expect(reference).not.toBe('');
    expect({ stdout: result.stdout, stderr: result.stderr }).toEqual({
      stdout: reference,
      stderr: 'Found 84 known vulnerabilities in 3 packages\n',
    });
    expect(h2Stats.sessions).toBe(2);
    // The 85 records, and the ones cut with the connection asked again.
    expect(h2Stats.vulns).toBeGreaterThan(85);
  });
});
