/**
 * The OSV API for tests and benchmarks: the product's own OSV-compatible server
 * (`src/serve/osv-api.ts`, what `pyaudit db serve` runs) on 127.0.0.1 and an ephemeral
 * port, over a set of records, wrapped so that tests can add latency, inject failures, and
 * count requests and the peak number in flight.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { osvApiHandler } from '../src/serve/osv-api.js';
import type { OsvRecord } from '../src/standards/osv.js';
import { memoryStore, type RecordStore } from '../src/vulns/store.js';

export interface OsvServerOptions {
  /** Milliseconds added before every response. */
  latencyMs?: number;
  /** Most ids per query in one page; more yields a `next_page_token`. */
  pageSize?: number;
  /**
   * Decides a failure for a request: an HTTP status to answer with, `'drop'` to destroy the
   * socket, `{ delayMs }` to answer normally but that much later, or undefined to serve
   * normally.
   */
  fail?: (request: {
    method: string;
    path: string;
    count: number;
  }) => number | 'drop' | { delayMs: number } | undefined;
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

function freshStats(): OsvServerStats {
  return {
    requests: 0,
    byRoute: { query: 0, querybatch: 0, vulns: 0, other: 0 },
    inFlight: 0,
    peakInFlight: 0,
    batchQueries: 0,
  };
}

function route(path: string): keyof OsvServerStats['byRoute'] {
  if (path === '/v1/query') return 'query';
  if (path === '/v1/querybatch') return 'querybatch';
  if (path.startsWith('/v1/vulns/')) return 'vulns';
  return 'other';
}

export async function startOsvServer(
  records: readonly OsvRecord[] | RecordStore,
  options: OsvServerOptions = {},
): Promise<OsvTestServer> {
  const store = Array.isArray(records) ? memoryStore(records) : (records as RecordStore);
  const stats = freshStats();
  const handlers = new Map<number, ReturnType<typeof osvApiHandler>>();
  const handlerFor = (pageSize: number) => {
    let h = handlers.get(pageSize);
    if (!h) {
      h = osvApiHandler(store, {
        pageSize,
        onRequest: (entry) => (stats.batchQueries += entry.queries ?? 0),
      });
      handlers.set(pageSize, h);
    }
    return h;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      stats.requests++;
      stats.inFlight++;
      stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      stats.byRoute[route(path)]++;
      try {
        if (handle.options.latencyMs)
          await new Promise((r) => setTimeout(r, handle.options.latencyMs));
        const failure = handle.options.fail?.({
          method: req.method ?? 'GET',
          path,
          count: stats.requests,
        });
        if (failure === 'drop') {
          req.socket.destroy();
          return;
        }
        if (typeof failure === 'object') {
          await new Promise((r) => setTimeout(r, failure.delayMs));
          if (req.socket.destroyed) return;
        } else if (failure !== undefined) {
          req.resume();
          res.writeHead(failure, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: failure, message: 'injected failure' }));
          return;
        }
        await handlerFor(handle.options.pageSize ?? 1000)(req, res);
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
      Object.assign(stats, freshStats());
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
  return handle;
}
