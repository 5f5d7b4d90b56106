/**
 * The one HTTP client every network source shares: pooled keep-alive connections with a cap,
 * proxies from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), per-request timeouts,
 * and bounded retries for transient failures (connection resets, 429, 5xx).
 *
 * Failures become `PyauditError`s of kind `service` naming the URL, so the CLI can print
 * one line and exit 2.
 */
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { serviceError } from '../core/errors.js';

export interface HttpClientOptions {
  /** Seconds before a request without a response is abandoned (pip-audit's --timeout). */
  readonly timeoutSeconds?: number;
  /** Most connections open at once per origin. */
  readonly maxConnections?: number;
  /** Attempts for a transient failure, the first included. */
  readonly attempts?: number;
  /** Environment to read proxy settings from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly userAgent?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface HttpClient {
  get(url: string, headers?: Record<string, string>): Promise<HttpResponse>;
  postJson(url: string, payload: unknown): Promise<HttpResponse>;
  /** Parses a JSON body, failing with a service error that names the URL. */
  json<T>(response: HttpResponse, url: string): T;
  close(): Promise<void>;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'UND_ERR_CLOSED']);

function hasProxy(env: Readonly<Record<string, string | undefined>>): boolean {
  return ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some((k) => env[k]);
}

function describeNetworkError(error: unknown, timeoutSeconds: number): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code ?? e.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'cannot connect (connection refused)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'cannot resolve the host name';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no response within ${timeoutSeconds} s (--timeout)`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed by the server';
    default:
      return `request failed: ${e.cause?.message ?? e.message}`;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutSeconds = options.timeoutSeconds ?? 15;
  const timeoutMs = Math.max(1, Math.round(timeoutSeconds * 1000));
  const attempts = Math.max(1, options.attempts ?? 3);
  const env = options.env ?? process.env;
  const agentOptions = {
    connections: options.maxConnections ?? 32,
    keepAliveTimeout: 10_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  };
  const dispatcher: Dispatcher = hasProxy(env)
    ? new EnvHttpProxyAgent({
        ...agentOptions,
        httpProxy: env.HTTP_PROXY ?? env.http_proxy,
        httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
        noProxy: env.NO_PROXY ?? env.no_proxy,
      })
    : new Agent(agentOptions);
  const userAgent = options.userAgent ?? 'pyaudit';

  async function send(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<HttpResponse> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await request(url, {
          method,
          headers: { 'user-agent': userAgent, ...headers },
          ...(body !== undefined && { body }),
          dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const buffer = Buffer.from(await response.body.arrayBuffer());
        if (RETRYABLE_STATUS.has(response.statusCode) && attempt < attempts) {
          const retryAfter = Number(response.headers['retry-after']);
          await sleep(Number.isFinite(retryAfter) ? Math.min(retryAfter * 1000, 5000) : 100 * 2 ** (attempt - 1));
          continue;
        }
        return { status: response.statusCode, headers: response.headers, body: buffer };
      } catch (error) {
        lastError = error;
        const code = (error as NodeJS.ErrnoException).code;
        if (attempt < attempts && code !== undefined && RETRYABLE_CODES.has(code)) {
          await sleep(100 * 2 ** (attempt - 1));
          continue;
        }
        throw serviceError(describeNetworkError(error, timeoutSeconds), url, error);
      }
    }
    throw serviceError(describeNetworkError(lastError, timeoutSeconds), url, lastError);
  }

  return {
    get: (url, headers = {}) => send('GET', url, { accept: 'application/json', ...headers }),
    postJson: (url, payload) =>
      send('POST', url, { 'content-type': 'application/json', accept: 'application/json' }, JSON.stringify(payload)),
    json<T>(response: HttpResponse, url: string): T {
      try {
        return JSON.parse(response.body.toString('utf8')) as T;
      } catch {
        throw serviceError(`the response is not valid JSON (HTTP ${response.status})`, url);
      }
    },
    close: () => dispatcher.close(),
  };
}
