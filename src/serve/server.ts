/**
 * Runs the OSV-compatible API as a server: bind address and port, one log line per request,
 * and a graceful stop (no new connections, in-flight requests finish) on SIGTERM / SIGINT.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordStore } from '../vulns/store.js';
import { osvApiHandler, type OsvApiOptions } from './osv-api.js';

export interface ServeOptions extends OsvApiOptions {
  readonly host?: string;
  readonly port?: number;
  /** A client must send its request headers within this (default 10 s). */
  readonly headersTimeoutMs?: number;
  /** … and its whole request within this (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this (default 30 s). */
  readonly idleTimeoutMs?: number;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  stop(): Promise<void>;
}

export async function serveOsvApi(
  store: RecordStore,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const handler = osvApiHandler(store, options);
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  // Slow clients cannot hold a connection: headers, whole requests and idle sockets are timed,
  // and the timers are checked often enough to matter for the short ones.
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(headersTimeout, options.requestTimeoutMs ?? 30_000),
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => void handler(req, res),
  );
  server.keepAliveTimeout = options.idleTimeoutMs ?? 30_000;
  server.timeout = options.idleTimeoutMs ?? 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
