/**
 * A package index for tests and benchmarks on 127.0.0.1 and an ephemeral port, speaking the
 * real protocols: the simple API as PEP 691 JSON or PEP 503 HTML (or chosen by the client's
 * `Accept`, as PyPI does), PEP 658 `.metadata` files, files with or without HTTP range
 * support, ETag revalidation, Basic auth, and added latency. It serves either a fixture
 * scenario (`test/fixtures/index/<name>/index.json` + `files/`) or a folder laid out as a
 * PEP 503 static index (such as a local mirror: `simple/<project>/index.html` + files).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface IndexServerOptions {
  /** `json`, `html`, or `negotiate` (by the Accept header). */
  format?: 'json' | 'html' | 'negotiate';
  /** Serve PEP 658 `.metadata` files and advertise them. */
  metadata?: boolean;
  /** Answer Range requests with 206. */
  ranges?: boolean;
  latencyMs?: number;
  /** Require these Basic credentials. */
  auth?: { user: string; password: string };
  /** `Cache-Control` for project pages. */
  cacheControl?: string;
  /** Validate pages by `Last-Modified` instead of `ETag`. */
  lastModified?: boolean;
  /** Advertise this sha256 for every file instead of the real one (a tampered download). */
  wrongHash?: boolean;
  /** PEP 792 project status by project name. */
  statuses?: Record<string, string>;
  /** Answer project pages for these names with this status (e.g. 500). */
  failProjects?: Record<string, number>;
}

export interface IndexServerStats {
  requests: number;
  pages: number;
  notModified: number;
  metadata: number;
  ranges: number;
  downloads: number;
  inFlight: number;
  peakInFlight: number;
  /** Authorization headers seen. */
  authorizations: string[];
}

export interface IndexTestServer {
  readonly url: string;
  readonly stats: IndexServerStats;
  options: IndexServerOptions;
  resetStats(): void;
  close(): Promise<void>;
}

interface ScenarioFile {
  filename: string;
  sha256: string;
  requires_python: string | null;
  yanked: string | null;
  metadata_sha256: string | null;
}

/** Where pages and files come from. */
export type IndexSource =
  | { kind: 'scenario'; dir: string }
  | { kind: 'static'; roots: Array<{ prefix: string; dir: string }> };

function freshStats(): IndexServerStats {
  return {
    requests: 0,
    pages: 0,
    notModified: 0,
    metadata: 0,
    ranges: 0,
    downloads: 0,
    inFlight: 0,
    peakInFlight: 0,
    authorizations: [],
  };
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function scenarioPage(
  files: ScenarioFile[],
  format: 'json' | 'html',
  metadata: boolean,
  name: string,
  status?: string,
): { body: string; type: string } {
  if (format === 'json') {
    return {
      type: 'application/vnd.pypi.simple.v1+json',
      body: JSON.stringify({
        meta: { 'api-version': '1.1' },
        name,
        files: files.map((f) => ({
          filename: f.filename,
          url: `../../files/${encodeURIComponent(f.filename)}`,
          hashes: { sha256: f.sha256 },
          ...(f.requires_python !== null && { 'requires-python': f.requires_python }),
          ...(f.yanked !== null && { yanked: f.yanked === '' ? true : f.yanked }),
          ...(metadata &&
            f.metadata_sha256 !== null && { 'core-metadata': { sha256: f.metadata_sha256 } }),
        })),
        versions: [],
        ...(status !== undefined && { 'project-status': { status } }),
      }),
    };
  }
  const anchors = files.map((f) => {
    let attrs = '';
    if (f.requires_python !== null) attrs += ` data-requires-python="${escape(f.requires_python)}"`;
    if (f.yanked !== null) attrs += ` data-yanked="${escape(f.yanked)}"`;
    if (metadata && f.metadata_sha256 !== null)
      attrs += ` data-core-metadata="sha256=${f.metadata_sha256}"`;
    return `<a href="../../files/${encodeURIComponent(f.filename)}#sha256=${f.sha256}"${attrs}>${escape(f.filename)}</a>`;
  });
  return {
    type: 'application/vnd.pypi.simple.v1+html',
    body: `<!DOCTYPE html><html><head>${status !== undefined ? `<meta name="pypi:project-status" content="${status}">` : ''}</head><body>\n${anchors.join('<br/>\n')}\n</body></html>\n`,
  };
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  ranges: boolean,
  stats: IndexServerStats,
): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    res.writeHead(404).end('not found');
    return;
  }
  const range = req.headers.range;
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range) : null;
  if (ranges && m) {
    stats.ranges++;
    let start: number;
    let end: number;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    // Only the bytes asked for are read: mirrors hold wheels of hundreds of megabytes.
    const data = Buffer.alloc(end - start + 1);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, data, 0, data.length, start);
    } finally {
      closeSync(fd);
    }
    res
      .writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${start}-${end}/${size}`,
        'accept-ranges': 'bytes',
      })
      .end(data);
    return;
  }
  if (!file.endsWith('.metadata')) stats.downloads++;
  res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
}

export async function startIndexServer(
  source: IndexSource,
  initial: IndexServerOptions = {},
): Promise<IndexTestServer> {
  let stats = freshStats();
  const state = { options: initial };
  const scenarioDir = source.kind === 'scenario' ? source.dir : '';
  const scenario =
    source.kind === 'scenario'
      ? (JSON.parse(readFileSync(path.join(source.dir, 'index.json'), 'utf8')) as {
          projects: Record<string, ScenarioFile[]>;
        })
      : null;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const o = state.options;
    if (o.latencyMs) await new Promise((r) => setTimeout(r, o.latencyMs));
    if (req.headers.authorization) stats.authorizations.push(req.headers.authorization);
    if (o.auth) {
      const expected = `Basic ${Buffer.from(`${o.auth.user}:${o.auth.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="index"' }).end('unauthorized');
        return;
      }
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pathname = decodeURIComponent(url.pathname);
    const page = /^\/simple\/([^/]+)\/$/.exec(pathname);
    if (scenario && page) {
      const name = page[1] as string;
      stats.pages++;
      const failing = o.failProjects?.[name];
      if (failing) {
        res.writeHead(failing).end('failing');
        return;
      }
      const files = scenario.projects[name];
      if (!files) {
        res.writeHead(404).end('no such project');
        return;
      }
      const format =
        o.format === 'json' || o.format === 'html'
          ? o.format
          : /application\/vnd\.pypi\.simple\.v1\+json/.test(req.headers.accept ?? '')
            ? 'json'
            : 'html';
      const { body, type } = scenarioPage(
        o.wrongHash ? files.map((f) => ({ ...f, sha256: 'f'.repeat(64) })) : files,
        format,
        o.metadata ?? true,
        name,
        o.statuses?.[name],
      );
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      const modified = 'Wed, 01 Jan 2025 00:00:00 GMT';
      if (
        o.lastModified
          ? req.headers['if-modified-since'] === modified
          : req.headers['if-none-match'] === etag
      ) {
        stats.notModified++;
        res.writeHead(304, o.lastModified ? { 'last-modified': modified } : { etag }).end();
        return;
      }
      res
        .writeHead(200, {
          'content-type': type,
          ...(o.lastModified ? { 'last-modified': modified } : { etag }),
          ...(o.cacheControl && { 'cache-control': o.cacheControl }),
        })
        .end(body);
      return;
    }
    if (scenario && pathname.startsWith('/files/')) {
      const name = pathname.slice('/files/'.length);
      if (name.endsWith('.metadata')) {
        stats.metadata++;
        if (!(o.metadata ?? true)) {
          res.writeHead(404).end();
          return;
        }
      }
      sendFile(
        req,
        res,
        path.join(scenarioDir, 'files', path.basename(name)),
        o.ranges ?? true,
        stats,
      );
      return;
    }
    if (source.kind === 'static') {
      for (const root of source.roots) {
        if (!pathname.startsWith(root.prefix)) continue;
        const file = path.join(root.dir, pathname.slice(root.prefix.length));
        if (!file.startsWith(root.dir)) break;
        let isDir = false;
        try {
          isDir = statSync(file).isDirectory();
        } catch {
          res.writeHead(404, { ...(o.cacheControl && { 'cache-control': o.cacheControl }) }).end();
          return;
        }
        if (isDir) {
          stats.pages++;
          try {
            const body = readFileSync(path.join(file, 'index.html'));
            res
              .writeHead(200, {
                'content-type': 'text/html',
                ...(o.cacheControl && { 'cache-control': o.cacheControl }),
              })
              .end(body);
          } catch {
            res.writeHead(404).end();
          }
          return;
        }
        sendFile(req, res, file, o.ranges ?? true, stats);
        return;
      }
    }
    res.writeHead(404).end('not found');
  }

  const server: Server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    res.once('close', () => stats.inFlight--);
    handle(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get stats() {
      return stats;
    },
    get options() {
      return state.options;
    },
    set options(value) {
      state.options = value;
    },
    resetStats() {
      stats = freshStats();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
