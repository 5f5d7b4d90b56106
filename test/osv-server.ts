/**
 * A real OSV v1 API server for tests and benchmarks, on 127.0.0.1 and an ephemeral port:
 * `POST /v1/query` and `POST /v1/querybatch` (both paginated), `GET /v1/vulns/{id}`, over a
 * set of OSV records. It answers a package's records sorted by id as a string (as the server
 * behind `../shared/pip-audit-conformance` did), can add latency and inject failures, and
 * counts requests and the peak number in flight.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalizeName } from '../src/standards/pep503.js';
import { isAffected, type OsvRecord } from '../src/standards/osv.js';

export interface OsvServerOptions {
  /** Milliseconds added before every response. */
  latencyMs?: number;
  /** Most ids per query in one page; more yields a `next_page_token`. */
  pageSize?: number;
  /**
   * Decides a failure for a request: an HTTP status to answer with, `'drop'` to destroy the
   * socket, or undefined to serve normally.
   */
  fail?: (request: { method: string; path: string; count: number }) => number | 'drop' | undefined;
}

export interface OsvServerStats {
  requests: number;
  byRoute: Record<'query' | 'querybatch' | 'vulns' | 'other', number>;
  inFlight: number;
  peakInFlight: number;
  /** Number of queries received across all querybatch requests. */
  batchQueries: number;
}

export interface OsvTestServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly stats: OsvServerStats;
  options: OsvServerOptions;
  resetStats(): void;
  close(): Promise<void>;
}

interface Query {
  package?: { name?: string; ecosystem?: string; purl?: string };
  version?: string;
  page_token?: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startOsvServer(
  records: readonly OsvRecord[],
  options: OsvServerOptions = {},
): Promise<OsvTestServer> {
  const byId = new Map<string, OsvRecord>();
  const byPackage = new Map<string, OsvRecord[]>();
  for (const record of records) {
    byId.set(record.id, record);
    const names = new Set(
      (record.affected ?? [])
        .filter((a) => a.package?.ecosystem === 'PyPI')
        .map((a) => canonicalizeName(a.package!.name)),
    );
    for (const name of names) byPackage.set(name, [...(byPackage.get(name) ?? []), record]);
  }
  for (const list of byPackage.values())
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const stats: OsvServerStats = {
    requests: 0,
    byRoute: { query: 0, querybatch: 0, vulns: 0, other: 0 },
    inFlight: 0,
    peakInFlight: 0,
    batchQueries: 0,
  };

  /** The matching records of one query, one page of them, and the token for the next. */
  function answer(query: Query, pageSize: number): { vulns: OsvRecord[]; next?: string } {
    const name = query.package?.name;
    if (!name || query.package?.ecosystem !== 'PyPI' || !query.version) return { vulns: [] };
    const matching = (byPackage.get(canonicalizeName(name)) ?? []).filter((r) =>
      isAffected(r, name, query.version!),
    );
    const offset = query.page_token
      ? Number(Buffer.from(query.page_token, 'base64url').toString())
      : 0;
    const page = matching.slice(offset, offset + pageSize);
    const nextOffset = offset + pageSize;
    return nextOffset < matching.length
      ? { vulns: page, next: Buffer.from(String(nextOffset)).toString('base64url') }
      : { vulns: page };
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      stats.requests++;
      stats.inFlight++;
      stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const method = req.method ?? 'GET';
        const body = method === 'POST' ? await readBody(req) : '';
        if (handle.options.latencyMs)
          await new Promise((r) => setTimeout(r, handle.options.latencyMs));
        const failure = handle.options.fail?.({
          method,
          path: url.pathname,
          count: stats.requests,
        });
        if (failure === 'drop') {
          req.socket.destroy();
          return;
        }
        if (failure !== undefined) {
          send(res, failure, { code: failure, message: 'injected failure' });
          return;
        }
        const pageSize = handle.options.pageSize ?? 1000;
        if (method === 'POST' && url.pathname === '/v1/query') {
          stats.byRoute.query++;
          const { vulns, next } = answer(JSON.parse(body) as Query, pageSize);
          send(
            res,
            200,
            next ? { vulns, next_page_token: next } : vulns.length > 0 ? { vulns } : {},
          );
        } else if (method === 'POST' && url.pathname === '/v1/querybatch') {
          stats.byRoute.querybatch++;
          const parsed = JSON.parse(body) as { queries?: Query[] };
          if (!Array.isArray(parsed.queries)) {
            send(res, 400, { code: 3, message: 'queries is required' });
            return;
          }
          if (parsed.queries.length > 1000) {
            send(res, 400, { code: 3, message: 'Too many queries.' });
            return;
          }
          stats.batchQueries += parsed.queries.length;
          const results = parsed.queries.map((q) => {
            const { vulns, next } = answer(q, pageSize);
            const ids = vulns.map((v) => ({ id: v.id, modified: v.modified }));
            return next
              ? { vulns: ids, next_page_token: next }
              : ids.length > 0
                ? { vulns: ids }
                : {};
          });
          send(res, 200, { results });
        } else if (method === 'GET' && url.pathname.startsWith('/v1/vulns/')) {
          stats.byRoute.vulns++;
          const record = byId.get(decodeURIComponent(url.pathname.slice('/v1/vulns/'.length)));
          if (record) send(res, 200, record);
          else send(res, 404, { code: 5, message: 'Bug not found.' });
        } else {
          stats.byRoute.other++;
          send(res, 404, { code: 5, message: 'Not Found' });
        }
      } catch (error) {
        send(res, 400, { code: 3, message: (error as Error).message });
      } finally {
        stats.inFlight--;
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const handle: OsvTestServer = {
    url: `http://127.0.0.1:${port}`,
    stats,
    options,
    resetStats() {
      Object.assign(stats, {
        requests: 0,
        byRoute: { query: 0, querybatch: 0, vulns: 0, other: 0 },
        inFlight: 0,
        peakInFlight: 0,
        batchQueries: 0,
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
  return handle;
}
