/**
 * HTTP/2 for the HTTP client: one TLS connection per https origin, with every request a
 * stream multiplexed on it, when the server offers `h2` by ALPN (api.osv.dev does). The first
 * request to an origin opens a TLS connection offering `h2` and `http/1.1`; a server that picks
 * HTTP/1.1 is remembered and served by the client's keep-alive pool from then on.
 *
 * A session that receives GOAWAY, fails or closes, or on which a stream timed out, is
 * forgotten at once, so the next attempt opens a new one; streams it refused or cut fail as a closed connection (`ECONNRESET`), which
 * the client's retry policy already retries. Sessions hold the event loop only while a stream
 * is open.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { isIP } from 'node:net';
import { http2, tls } from '../core/lazy-module.js';

export interface H2PoolOptions {
  /** Milliseconds to open the TLS connection before giving up. */
  readonly connectTimeoutMs: number;
  /** Certificates to trust instead of the default ones (the client adds the system's). */
  readonly ca?: readonly (string | Buffer)[];
}

export interface H2Request {
  readonly method: string;
  readonly target: URL;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** Milliseconds without progress on the stream before it is abandoned. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** Called when the request has been handed to the session. */
  readonly onSent?: () => void;
}

/** An answer as received: the body still encoded as the server sent it. */
export interface H2Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Errors that mean the stream or session ended under the request: safe to retry. */
const RESET_CODES = new Set([
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_ERROR',
  'ERR_HTTP2_SOCKET_UNBOUND',
  'ERR_HTTP2_OUT_OF_STREAMS',
]);

/** Flow-control windows: per stream, and for the whole connection. */
const STREAM_WINDOW = 16 * 1024 * 1024;
const SESSION_WINDOW = 64 * 1024 * 1024;

/** Headers HTTP/2 forbids (connection-specific) or sets itself (`host` is `:authority`). */
const DROPPED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function failure(message: string, code: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

function normalize(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && RESET_CODES.has(code)
    ? failure('the HTTP/2 stream was closed by the server', 'ECONNRESET', error)
    : error;
}

export class H2Pool {
  private readonly connectTimeoutMs: number;
  private readonly ca: readonly (string | Buffer)[] | undefined;
  /** Per origin: the live session, or `'h1'` when the server did not offer HTTP/2. */
  private readonly live = new Map<string, ClientHttp2Session | 'h1'>();
  /** Per origin: the connection being opened, shared by the requests that wait for it. */
  private readonly pending = new Map<string, Promise<ClientHttp2Session | 'h1'>>();
  private readonly open = new Set<ClientHttp2Session>();
  private readonly streams = new Map<ClientHttp2Session, number>();
  private closed = false;

  constructor(options: H2PoolOptions) {
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.ca = options.ca;
  }

  /** The session for an https origin, or `null` when its server speaks HTTP/1.1 only. */
  async session(target: URL): Promise<ClientHttp2Session | null> {
    const origin = target.origin;
    const known = this.live.get(origin);
    if (known === 'h1') return null;
    if (known && !known.closed && !known.destroyed) return known;
    let opening = this.pending.get(origin);
    if (!opening) {
      opening = this.connect(target).finally(() => this.pending.delete(origin));
      this.pending.set(origin, opening);
    }
    const result = await opening;
    return result === 'h1' ? null : result;
  }

  private connect(target: URL): Promise<ClientHttp2Session | 'h1'> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(failure('the HTTP client is closed', 'ERR_HTTP2_INVALID_SESSION'));
        return;
      }
      const origin = target.origin;
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const socket = tls().connect({
        host,
        port: Number(target.port || 443),
        // SNI carries host names only (RFC 6066).
        ...(isIP(host) === 0 && { servername: host }),
        ALPNProtocols: ['h2', 'http/1.1'],
        ...(this.ca && { ca: [...this.ca] }),
      });
      socket.setTimeout(this.connectTimeoutMs, () =>
        socket.destroy(failure('connect timeout', 'ETIMEDOUT')),
      );
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.setTimeout(0);
        socket.removeListener('error', reject);
        if (socket.alpnProtocol !== 'h2' || this.closed) {
          socket.destroy();
          if (this.closed)
            reject(failure('the HTTP client is closed', 'ERR_HTTP2_INVALID_SESSION'));
          else {
            this.live.set(origin, 'h1');
            resolve('h1');
          }
          return;
        }
        // Windows far above HTTP/2's 64 KiB default, so that a large download (`db update`)
        // is not held to one window per round trip.
        const session = http2().connect(origin, {
          createConnection: () => socket,
          settings: { initialWindowSize: STREAM_WINDOW },
        });
        session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
        const forget = (): void => {
          if (this.live.get(origin) === session) this.live.delete(origin);
        };
        session.on('goaway', forget);
        session.on('error', forget);
        session.once('close', () => {
          forget();
          this.open.delete(session);
          this.streams.delete(session);
        });
        // Idle sessions do not keep the process alive; open streams do (see `request`).
        session.unref();
        this.open.add(session);
        this.live.set(origin, session);
        resolve(session);
      });
    });
  }

  /** Sends one request as a stream on `session`. */
  request(session: ClientHttp2Session, request: H2Request): Promise<H2Response> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        ':method': request.method,
        ':path': `${request.target.pathname}${request.target.search}`,
      };
      for (const [name, value] of Object.entries(request.headers)) {
        const lower = name.toLowerCase();
        if (!DROPPED_HEADERS.has(lower)) headers[lower] = value;
      }
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: request.body === undefined });
      } catch (error) {
        reject(normalize(error));
        return;
      }
      this.hold(session, +1);
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(error);
        if (!stream.closed) stream.close(http2().constants.NGHTTP2_CANCEL);
      };
      let status: number | undefined;
      let responseHeaders: IncomingHttpHeaders = {};
      let total: number | undefined;
      const chunks: Buffer[] = [];
      let received = 0;
      stream.setTimeout(request.timeoutMs, () => {
        fail(failure('timeout', 'ETIMEDOUT'));
        // The connection itself may be what stalled: the retry goes on a new one, as it does
        // over HTTP/1.1, while the other streams here finish.
        this.retire(session);
      });
      stream.on('error', (error) => fail(normalize(error)));
      stream.once('close', () => {
        this.hold(session, -1);
        fail(failure('the HTTP/2 stream was closed by the server', 'ECONNRESET'));
      });
      stream.once('response', (raw) => {
        status = Number(raw[':status']);
        const plain: Record<string, string | string[] | undefined> = {};
        for (const [name, value] of Object.entries(raw))
          if (!name.startsWith(':')) plain[name] = value;
        responseHeaders = plain as IncomingHttpHeaders;
        const length = Number(responseHeaders['content-length']);
        total = Number.isFinite(length) ? length : undefined;
      });
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        chunks.push(chunk);
        received += chunk.length;
        if (received > request.maxBytes) {
          fail(
            failure(
              `the response is larger than ${request.maxBytes} bytes; refused`,
              'ERR_TOO_LARGE',
            ),
          );
          return;
        }
        request.onProgress?.(received, total);
      });
      stream.once('end', () => {
        if (settled) return;
        if (status === undefined) {
          fail(failure('the HTTP/2 stream ended without a response', 'ECONNRESET'));
          return;
        }
        settled = true;
        resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks) });
      });
      if (request.body !== undefined) stream.end(request.body, () => request.onSent?.());
      else request.onSent?.();
    });
  }

  /** Sends no new request on `session`; it closes once its open streams end. */
  private retire(session: ClientHttp2Session): void {
    for (const [origin, known] of this.live) if (known === session) this.live.delete(origin);
    if (!session.closed && !session.destroyed) session.close();
  }

  /** Keeps the session's socket referenced while any of its streams is open. */
  private hold(session: ClientHttp2Session, change: 1 | -1): void {
    if (session.destroyed) {
      this.streams.delete(session);
      return;
    }
    const count = (this.streams.get(session) ?? 0) + change;
    this.streams.set(session, count);
    if (count > 0) session.ref();
    else session.unref();
  }

  /** Closes every session (open streams are cut). */
  close(): void {
    this.closed = true;
    for (const session of this.open) session.destroy();
    this.open.clear();
    this.live.clear();
  }
}
