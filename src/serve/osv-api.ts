/**
 * An OSV-compatible HTTP API over a record store: `POST /v1/query`, `POST /v1/querybatch`
 * (both paginated with `page_token`) and `GET /v1/vulns/{id}`, answering like
 * https://api.osv.dev so that pip-audit (`--osv-url`), osv-scanner, uv and pyaudit can all
 * use one internal mirror. Only the PyPI ecosystem is served; a package's records come
 * sorted by id.
 *
 * Errors follow the API's shape, `{"code": N, "message": "…"}`, with the HTTP status that
 * fits: 400 for a malformed request, 404 for an unknown id or route, 405 for a wrong method,
 * 413 for a body over the limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monotonicMs } from '../core/clock.js';
import { canonicalizeName } from '../standards/pep503.js';
import { PYPI_ECOSYSTEM, type OsvRecord } from '../standards/osv.js';
import { affecting, type RecordStore } from '../vulns/store.js';

export interface OsvApiOptions {
  /** Most records (query) or ids (querybatch) per query and page. */
  readonly pageSize?: number;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Called once per answered request. */
  readonly onRequest?: (entry: RequestLogEntry) => void;
  /** What `GET /healthz` adds to `{"status": "ok", "records": N}` (the database's build time). */
  readonly health?: () => Record<string, unknown>;
}

export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  /** For querybatch: how many queries the request held. */
  readonly queries?: number;
}

interface Query {
  readonly package?: {
    readonly name?: unknown;
    readonly ecosystem?: unknown;
    readonly purl?: unknown;
  };
  readonly version?: unknown;
  readonly commit?: unknown;
  readonly page_token?: unknown;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BATCH = 1000;

/** `pkg:pypi/name@version` → name and version. */
function fromPurl(purl: string): { name: string; version?: string } | null {
  const m = /^pkg:pypi\/([^@?#]+)(?:@([^?#]+))?/i.exec(purl);
  if (!m) return null;
  return {
    name: decodeURIComponent(m[1] as string),
    ...(m[2] !== undefined && { version: decodeURIComponent(m[2]) }),
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(`pyaudit:${offset}`).toString('base64url');
}

function decodeToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  const text = typeof token === 'string' ? Buffer.from(token, 'base64url').toString() : '';
  const m = /^pyaudit:(\d+)$/.exec(text);
  if (!m) throw new RequestError(400, 'Invalid page token.');
  return Number(m[1]);
}

/** The records one query matches, as OSV's API decides them. */
function matching(store: RecordStore, query: Query): OsvRecord[] {
  if (query === null || typeof query !== 'object')
    throw new RequestError(400, 'Each query must be an object.');
  if (query.commit !== undefined) return []; // commit queries are about GIT ranges, not served here
  let name = query.package?.name;
  let version = query.version;
  const ecosystem = query.package?.ecosystem;
  if (typeof query.package?.purl === 'string') {
    const purl = fromPurl(query.package.purl);
    if (!purl) return [];
    if (purl.version !== undefined && version !== undefined) {
      throw new RequestError(400, 'version specified in params and purl query');
    }
    name = purl.name;
    version ??= purl.version;
  } else if (ecosystem !== PYPI_ECOSYSTEM) {
    if (typeof ecosystem !== 'string')
      throw new RequestError(400, 'package.ecosystem is required.');
    return [];
  }
  if (typeof name !== 'string' || name === '')
    throw new RequestError(400, 'package.name is required.');
  if (version === undefined)
    return store.recordsFor(canonicalizeName(name)).filter((r) => !r.withdrawn);
  if (typeof version !== 'string') throw new RequestError(400, 'version must be a string.');
  return affecting(store, name, version);
}

function page<T>(items: readonly T[], token: unknown, size: number): { items: T[]; next?: string } {
  const offset = decodeToken(token);
  const next = offset + size;
  return next < items.length
    ? { items: items.slice(offset, next), next: encodeToken(next) }
    : { items: items.slice(offset) };
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new RequestError(413, `Request body larger than ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestError(413, `Request body larger than ${limit} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new RequestError(400, 'The request body is not valid JSON.');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A `node:http` request listener serving the OSV API from `store`. */
export function osvApiHandler(store: RecordStore, options: OsvApiOptions = {}) {
  const pageSize = options.pageSize ?? 1000;
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = monotonicMs();
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      send(res, 400, { code: 3, message: 'Invalid request target.' });
      options.onRequest?.({ method, path: '?', status: 400, ms: monotonicMs() - started });
      return;
    }
    let status = 200;
    let queries: number | undefined;
    try {
      if (url.pathname === '/v1/query' || url.pathname === '/v1/querybatch') {
        if (method !== 'POST') throw new RequestError(405, `Use POST for ${url.pathname}.`);
        const body = await readJson(req, maxBody);
        if (url.pathname === '/v1/query') {
          const query = body as Query;
          const { items, next } = page(matching(store, query), query?.page_token, pageSize);
          send(res, 200, {
            ...(items.length > 0 && { vulns: items }),
            ...(next && { next_page_token: next }),
          });
        } else {
          const list = (body as { queries?: unknown } | null)?.queries;
          if (!Array.isArray(list)) throw new RequestError(400, 'queries must be a list.');
          if (list.length > MAX_BATCH)
            throw new RequestError(400, `Too many queries (at most ${MAX_BATCH}).`);
          queries = list.length;
          const results = (list as Query[]).map((q) => {
            const { items, next } = page(matching(store, q), q?.page_token, pageSize);
            const vulns = items.map((r) => ({ id: r.id, modified: r.modified }));
            return { ...(vulns.length > 0 && { vulns }), ...(next && { next_page_token: next }) };
          });
          send(res, 200, { results });
        }
      } else if (url.pathname.startsWith('/v1/vulns/')) {
        if (method !== 'GET' && method !== 'HEAD')
          throw new RequestError(405, 'Use GET for /v1/vulns/{id}.');
        let id: string;
        try {
          id = decodeURIComponent(url.pathname.slice('/v1/vulns/'.length));
        } catch {
          throw new RequestError(400, 'Invalid id.');
        }
        // Ids are looked up in the store, never used as paths: `..` or `%2F` only miss.
        const record = store.record(id);
        if (!record) throw new RequestError(404, 'Bug not found.');
        send(res, 200, record);
      } else if (url.pathname === '/healthz') {
        if (method !== 'GET' && method !== 'HEAD')
          throw new RequestError(405, 'Use GET for /healthz.');
        send(res, 200, { status: 'ok', records: store.size, ...options.health?.() });
      } else {
        throw new RequestError(404, 'Not Found.');
      }
    } catch (error) {
      status = error instanceof RequestError ? error.status : 500;
      const message = error instanceof RequestError ? error.message : 'Internal error.';
      if (!res.headersSent)
        send(res, status, { code: status === 404 ? 5 : status === 500 ? 13 : 3, message });
      else res.destroy();
    }
    options.onRequest?.({
      method,
      path: url.pathname,
      status,
      ms: monotonicMs() - started,
      ...(queries !== undefined && { queries }),
    });
  };
}
