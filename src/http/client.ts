/**
 * The one HTTP client every network source shares, on Node's own `http`/`https`/`http2` (no
 * module to load at start-up): HTTP/2 for https origins that offer it (every request a stream
 * on one connection per origin, see `h2.ts`), else keep-alive HTTP/1.1 connection pools with a
 * cap (always through a proxy, and for plain http://), per-request timeouts,
 * bounded retries for transient failures (connection resets, 429, 5xx), and proxies from
 * the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`; plain-HTTP targets go through
 * the proxy in absolute form, HTTPS targets through a `CONNECT` tunnel).
 *
 * Retries: a connection reset, a 429 / 5xx answer, and a request that gets no answer within
 * `--timeout` are retried (at most `attempts` tries, backing off 100 ms, 200 ms … or as
 * `Retry-After` says, capped at 5 s), for GET and for POSTs the caller marks idempotent
 * (OSV's read-only `querybatch`). Each attempt is bounded by the timeout, so the whole
 * request is bounded by `attempts × timeout` plus the back-off.
 *
 * Failures become `PyauditError`s of kind `service` naming the URL (credentials removed) and,
 * after retries, how many attempts were made, so the CLI can print one line and exit 2.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Agent as HttpsAgent } from 'node:https';
import { monotonicMs } from '../core/clock.js';
import { redactUrl, serviceError } from '../core/errors.js';
import { https, tls, zlib } from '../core/lazy-module.js';
import { H2Pool } from './h2.js';
import { proxyFor } from './proxy.js';

export interface HttpClientOptions {
  /** Seconds without progress before a request is abandoned (pip-audit's --timeout). */
  readonly timeoutSeconds?: number;
  /** Most connections open at once per origin. */
  readonly maxConnections?: number;
  /** Attempts for a transient failure, the first included. */
  readonly attempts?: number;
  /** Environment to read proxy settings from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly userAgent?: string;
  /**
   * Use HTTP/2 for https:// origins whose server offers it (default true); HTTP/1.1 otherwise,
   * and always through a proxy.
   */
  readonly http2?: boolean;
  /**
   * Extra certificate authorities (PEM) to trust besides the system's, as
   * `NODE_EXTRA_CA_CERTS` does for a whole process.
   */
  readonly ca?: string | Buffer;
  /** Called once per finished request (`-vv` logs them). */
  readonly onRequest?: (event: RequestEvent) => void;
}

/** One finished request, for logs and counters. */
export interface RequestEvent {
  readonly method: string;
  /** The URL with any credentials removed. */
  readonly url: string;
  /** The HTTP status, or the error code when no answer came. */
  readonly status: number | string;
  readonly attempt: number;
  readonly ms: number;
  readonly bytes: number;
}

export interface PostOptions {
  /** Safe to send again when no answer came (a read-only query). */
  readonly idempotent?: boolean;
  /**
   * Called when the request has been handed to the connection (at each attempt): work that
   * would keep the event loop busy can start then without delaying the request.
   */
  readonly onSent?: () => void;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Called as a body arrives: bytes so far, and the announced total when there is one. */
export type DownloadProgress = (received: number, total: number | undefined) => void;

export interface HttpClient {
  get(
    url: string,
    headers?: Record<string, string>,
    onProgress?: DownloadProgress,
  ): Promise<HttpResponse>;
  postJson(url: string, payload: unknown, options?: PostOptions): Promise<HttpResponse>;
  /** Parses a JSON body, failing with a service error that names the URL. */
  json<T>(response: HttpResponse, url: string): T;
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN']);
/** Retried only when sending the request again is harmless. */
const RETRYABLE_IF_IDEMPOTENT = new Set(['ETIMEDOUT']);

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

function describeNetworkError(error: unknown, timeoutSeconds: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'cannot connect (connection refused)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'cannot resolve the host name';
    case 'ETIMEDOUT':
      return `no response within ${timeoutSeconds} s (--timeout)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection was closed by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'cannot reach the host (no route; check the network)';
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_HTTP_REQUEST':
      return 'the TLS handshake failed: the server does not speak HTTPS on this port (try http://)';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate problem (${code}); a private CA can be added with NODE_EXTRA_CA_CERTS=ca.pem`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
    case 'HPE_HEADER_OVERFLOW':
      return 'the server did not answer with valid HTTP';
    case 'ERR_INVALID_URL':
      return 'not a valid URL';
    case 'ERR_INVALID_PROTOCOL':
      return 'only http:// and https:// URLs are supported';
    case 'ERR_TOO_LARGE':
    case 'ERR_PYAUDIT_BODY':
      return (error as Error).message;
    default:
      if (
        code === 'EPROTO' &&
        /wrong version number|packet length too long|http request/i.test((error as Error).message)
      )
        return 'the TLS handshake failed: the server does not speak HTTPS on this port (try http://)';
      if (code !== undefined && /^(ERR_SSL_|ERR_TLS_|EPROTO$)/.test(code))
        return `the TLS handshake failed (${code})`;
      // Node's own wording can carry OpenSSL internals: keep the first clause only.
      return `request failed (${code ?? (error as Error).message.split(/[:\n]/)[0]})`;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The largest response body accepted (a record is a few KiB; OSV's whole PyPI dump ~100 MiB). */
export const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutSeconds = options.timeoutSeconds ?? 15;
  const timeoutMs = Math.max(1, Math.round(timeoutSeconds * 1000));
  const attempts = Math.max(1, options.attempts ?? 3);
  const env = options.env ?? process.env;
  const userAgent = options.userAgent ?? 'pyaudit';
  const maxResponseBytes = MAX_RESPONSE_BYTES;
  const ca = options.ca === undefined ? undefined : [...tls().rootCertificates, options.ca];
  const poolOptions = {
    keepAlive: true,
    maxSockets: options.maxConnections ?? 64,
    scheduling: 'fifo' as const,
    ...(ca && { ca }),
  };
  const h2 = options.http2 === false ? undefined : new H2Pool({ connectTimeoutMs: timeoutMs, ca });
  const httpAgent = new http.Agent(poolOptions);
  let httpsPool: HttpsAgent | undefined;
  const httpsAgent = (): HttpsAgent => (httpsPool ??= new (https().Agent)(poolOptions));
  /** Tunnels through an HTTPS proxy, one keep-alive agent per proxy. */
  const tunnelAgents = new Map<string, HttpsAgent>();

  function tunnelAgent(proxy: URL): HttpsAgent {
    const key = proxy.href;
    let agent = tunnelAgents.get(key);
    if (!agent) {
      agent = new (https().Agent)(poolOptions);
      // Open each connection with CONNECT through the proxy, then TLS to the target.
      agent.createConnection = (opts, callback) => {
        const target = `${opts.host}:${opts.port}`;
        const connect = (proxy.protocol === 'https:' ? https() : http).request({
          host: proxy.hostname,
          port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
          method: 'CONNECT',
          path: target,
          headers: { host: target, ...proxyAuthorization(proxy) },
          timeout: timeoutMs,
        });
        connect.once('connect', (res, socket: Socket) => {
          if (res.statusCode !== 200) {
            socket.destroy();
            callback?.(
              new Error(
                `the proxy ${proxy.host} refused CONNECT ${target} (HTTP ${res.statusCode})`,
              ),
              undefined as never,
            );
            return;
          }
          const secure = tls().connect({
            socket,
            servername: String(opts.servername ?? opts.host),
            ...(ca && { ca }),
          });
          callback?.(null, secure);
        });
        connect.once('timeout', () => connect.destroy(new TimeoutError('proxy timeout')));
        connect.once('error', (e) => callback?.(e, undefined as never));
        connect.end();
        return undefined as never;
      };
      tunnelAgents.set(key, agent);
    }
    return agent;
  }

  /** One attempt: over HTTP/2 when the origin offers it (never through a proxy), else HTTP/1.1. */
  async function once(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Buffer,
    onProgress?: DownloadProgress,
    onSent?: () => void,
  ): Promise<HttpResponse> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw Object.assign(new Error('unsupported scheme'), { code: 'ERR_INVALID_PROTOCOL' });
    const proxy = proxyFor(target, env);
    const allHeaders: Record<string, string> = {
      'user-agent': userAgent,
      'accept-encoding': 'gzip, br, deflate',
      ...headers,
      ...(body && { 'content-length': String(body.length) }),
    };
    if (h2 && target.protocol === 'https:' && !proxy) {
      const session = await h2.session(target);
      if (session) {
        const response = await h2.request(session, {
          method,
          target,
          headers: allHeaders,
          body,
          timeoutMs,
          maxBytes: maxResponseBytes,
          onProgress,
          onSent,
        });
        return {
          status: response.status,
          headers: response.headers,
          body: decodeBody(response.body, response.headers['content-encoding'], maxResponseBytes),
        };
      }
    }
    return onceHttp1(method, target, proxy, allHeaders, body, onProgress, onSent);
  }

  function onceHttp1(
    method: string,
    target: URL,
    proxy: URL | null,
    allHeaders: Record<string, string>,
    body?: Buffer,
    onProgress?: DownloadProgress,
    onSent?: () => void,
  ): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const secure = target.protocol === 'https:';
      let request: http.ClientRequest;
      if (proxy && !secure) {
        // Plain HTTP through a proxy: the absolute URL goes to the proxy.
        request = (proxy.protocol === 'https:' ? https() : http).request({
          host: proxy.hostname,
          port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
          method,
          path: target.href,
          headers: { ...allHeaders, host: target.host, ...proxyAuthorization(proxy) },
          agent: proxy.protocol === 'https:' ? httpsAgent() : httpAgent,
        });
      } else {
        request = (secure ? https() : http).request(target, {
          method,
          headers: allHeaders,
          agent: secure ? (proxy ? tunnelAgent(proxy) : httpsAgent()) : httpAgent,
        });
      }
      request.setTimeout(timeoutMs, () => request.destroy(new TimeoutError('timeout')));
      request.once('error', reject);
      // Written to the socket, which waits for its connection.
      if (onSent) request.once('finish', onSent);
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        const total = Number(response.headers['content-length']);
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (received > maxResponseBytes) {
            request.destroy(
              Object.assign(
                new Error(`the response is larger than ${maxResponseBytes} bytes; refused`),
                { code: 'ERR_TOO_LARGE' },
              ),
            );
            return;
          }
          onProgress?.(received, Number.isFinite(total) ? total : undefined);
        });
        response.once('error', reject);
        response.once('aborted', () =>
          reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })),
        );
        response.once('end', () => {
          let decoded: Buffer;
          try {
            decoded = decodeBody(
              Buffer.concat(chunks),
              response.headers['content-encoding'],
              maxResponseBytes,
            );
          } catch (e) {
            reject(e);
            return;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: decoded });
        });
      });
      request.end(body);
    });
  }

  async function send(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body?: Buffer,
    onProgress?: DownloadProgress,
    idempotent = method === 'GET',
    onSent?: () => void,
  ): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      const started = monotonicMs();
      try {
        const response = await once(method, url, headers, body, onProgress, onSent);
        options.onRequest?.({
          method,
          url: redactUrl(url),
          status: response.status,
          attempt,
          ms: monotonicMs() - started,
          bytes: response.body.length,
        });
        if (RETRYABLE_STATUS.has(response.status) && attempt < attempts) {
          const retryAfter = Number(response.headers['retry-after']);
          await sleep(
            Number.isFinite(retryAfter)
              ? Math.min(retryAfter * 1000, 5000)
              : 100 * 2 ** (attempt - 1),
          );
          continue;
        }
        return response;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        options.onRequest?.({
          method,
          url: redactUrl(url),
          status: code ?? 'error',
          attempt,
          ms: monotonicMs() - started,
          bytes: 0,
        });
        const retryable =
          code !== undefined &&
          (RETRYABLE_CODES.has(code) || (idempotent && RETRYABLE_IF_IDEMPOTENT.has(code)));
        if (attempt < attempts && retryable) {
          await sleep(100 * 2 ** (attempt - 1));
          continue;
        }
        const tries = retryable && attempt > 1 ? ` (${attempt} attempts)` : '';
        throw serviceError(`${describeNetworkError(error, timeoutSeconds)}${tries}`, url, error);
      }
    }
  }

  return {
    get: (url, headers = {}, onProgress) =>
      send('GET', url, { accept: 'application/json', ...headers }, undefined, onProgress),
    postJson: (url, payload, postOptions) =>
      send(
        'POST',
        url,
        { 'content-type': 'application/json', accept: 'application/json' },
        Buffer.from(JSON.stringify(payload)),
        undefined,
        postOptions?.idempotent === true,
        postOptions?.onSent,
      ),
    json<T>(response: HttpResponse, url: string): T {
      try {
        return JSON.parse(response.body.toString('utf8')) as T;
      } catch {
        throw serviceError(`the response is not valid JSON (HTTP ${response.status})`, url);
      }
    },
    async close() {
      h2?.close();
      httpAgent.destroy();
      httpsPool?.destroy();
      for (const agent of tunnelAgents.values()) agent.destroy();
    },
  };
}

/**
 * A body as the server encoded it (`Content-Encoding: gzip`, `br`, `deflate`), decoded with
 * the same size cap as a plain body, so a small compressed answer cannot expand without bound.
 */
function decodeBody(body: Buffer, encoding: string | undefined, max: number): Buffer {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  try {
    if (name === 'gzip' || name === 'x-gzip')
      return zlib().gunzipSync(body, { maxOutputLength: max });
    if (name === 'br') return zlib().brotliDecompressSync(body, { maxOutputLength: max });
    if (name === 'deflate') return zlib().inflateSync(body, { maxOutputLength: max });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw Object.assign(
      new Error(
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `the response inflates to more than ${max} bytes; refused`
          : `the ${name}-encoded response is corrupt`,
      ),
      { code: 'ERR_PYAUDIT_BODY' },
    );
  }
  throw Object.assign(new Error(`the response uses an unknown encoding '${name}'`), {
    code: 'ERR_PYAUDIT_BODY',
  });
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}
