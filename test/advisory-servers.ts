/**
 * Real HTTP peers for the PyPI JSON API and the ecosyste.ms advisories API, on 127.0.0.1 and
 * an ephemeral port, answering from OSV records (the PyPA advisory database in most tests)
 * in each service's own response format:
 *
 * - PyPI: `GET /pypi/{name}/{version}/json` → `{"info": …, "vulnerabilities": [...]}`; 404
 *   for a project or version PyPI would not know (`knownVersion` decides).
 * - ecosyste.ms: `GET /api/v1/advisories?ecosystem=pypi&package_name=…` → advisories whose
 *   `vulnerable_version_range`s are the records' ECOSYSTEM ranges and enumerated versions.
 * - a static file route (`files`) with ETag / If-None-Match, for `db update`.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalizeName } from '../src/standards/pep503.js';
import { fixVersions, type OsvEvent, type OsvRecord } from '../src/standards/osv.js';
import { affecting, memoryStore, type RecordStore } from '../src/vulns/store.js';

export interface AdvisoryServerOptions {
  /** Whether PyPI knows a (project, version); default: any project some record names. */
  knownVersion?: (name: string, version: string) => boolean;
  /** Static files served at their path (for `db update`), with ETags. */
  files?: Record<string, Buffer>;
  /** Status to answer on every API request instead of serving (failure injection). */
  failWith?: number;
  /** Answer PyPI's JSON API as a mirror without vulnerability data does (devpi): no key. */
  withoutVulnerabilities?: boolean;
  /** A body to answer every ecosyste.ms advisories request with (malformed answers). */
  esmsAnswer?: unknown;
}

export interface AdvisoryServer {
  readonly url: string;
  options: AdvisoryServerOptions;
  readonly requests: string[];
  close(): Promise<void>;
}

/** One ECOSYSTEM range as the comma-separated ranges ecosyste.ms publishes. */
function esmsRanges(events: readonly OsvEvent[]): Array<{ range: string; fixed?: string }> {
  const out: Array<{ range: string; fixed?: string }> = [];
  let introduced: string | undefined;
  for (const e of events) {
    if (e.introduced !== undefined) introduced = e.introduced;
    else if (e.fixed !== undefined || e.last_affected !== undefined || e.limit !== undefined) {
      const upper =
        e.last_affected !== undefined ? `<= ${e.last_affected}` : `< ${e.fixed ?? e.limit}`;
      const lower = introduced && introduced !== '0' ? `>= ${introduced}, ` : '';
      out.push({ range: `${lower}${upper}`, ...(e.fixed !== undefined && { fixed: e.fixed }) });
      introduced = undefined;
    }
  }
  if (introduced !== undefined)
    out.push({ range: introduced === '0' ? '>= 0' : `>= ${introduced}` });
  return out;
}

function esmsAdvisory(record: OsvRecord) {
  return {
    uuid: record.id,
    identifiers: [record.id, ...(record.aliases ?? [])],
    title: record.summary ?? '',
    description: record.details ?? '',
    withdrawn_at: record.withdrawn ?? null,
    published_at: record.published ?? null,
    // ecosyste.ms carries one CVSS vector, GitHub's level and the reference URLs.
    cvss_vector: record.severity?.[0]?.score ?? null,
    severity:
      typeof (record.database_specific as { severity?: unknown } | undefined)?.severity === 'string'
        ? (record.database_specific as { severity: string }).severity
        : null,
    references: (record.references ?? []).map((r) => r.url),
    packages: (record.affected ?? [])
      .filter((a) => a.package?.ecosystem === 'PyPI')
      .map((a) => ({
        ecosystem: 'pypi',
        package_name: canonicalizeName(a.package!.name),
        versions: [
          ...(a.ranges ?? [])
            .filter((r) => r.type === 'ECOSYSTEM')
            .flatMap((r) => esmsRanges(r.events))
            .map((r) => ({
              vulnerable_version_range: r.range,
              first_patched_version: r.fixed ?? null,
            })),
          ...(a.versions ?? []).map((v) => ({
            vulnerable_version_range: `= ${v}`,
            first_patched_version: null,
          })),
        ],
      })),
  };
}

export async function startAdvisoryServer(
  records: readonly OsvRecord[] | RecordStore,
  options: AdvisoryServerOptions = {},
): Promise<AdvisoryServer> {
  const store = Array.isArray(records) ? memoryStore(records) : (records as RecordStore);
  const requests: string[] = [];
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const file = handle.options.files?.[url.pathname];
    if (file) {
      const etag = `"${createHash('sha256').update(file).digest('hex').slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag });
        res.end();
        return;
      }
      res.writeHead(200, {
        etag,
        'content-type': 'application/zip',
        'content-length': file.length,
      });
      res.end(file);
      return;
    }
    if (handle.options.failWith)
      return json(res, handle.options.failWith, { message: 'injected failure' });
    const pypi = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(url.pathname);
    if (pypi) {
      const name = decodeURIComponent(pypi[1]!);
      const version = decodeURIComponent(pypi[2]!);
      const known = handle.options.knownVersion ?? ((n: string) => store.recordsFor(n).length > 0);
      if (!known(name, version)) return json(res, 404, { message: 'Not Found' });
      const vulnerabilities = affecting(store, name, version).map((r) => ({
        id: r.id,
        aliases: r.aliases ?? [],
        summary: r.summary ?? null,
        details: r.details ?? '',
        fixed_in: fixVersions(r, name),
        link: `https://osv.dev/vulnerability/${r.id}`,
        source: 'osv',
        withdrawn: null,
      }));
      if (handle.options.withoutVulnerabilities)
        return json(res, 200, { info: { name, version }, urls: [] });
      return json(res, 200, { info: { name, version }, urls: [], vulnerabilities });
    }
    if (url.pathname === '/api/v1/advisories') {
      if (handle.options.esmsAnswer !== undefined) return json(res, 200, handle.options.esmsAnswer);
      if (url.searchParams.get('ecosystem') !== 'pypi') return json(res, 200, []);
      const name = url.searchParams.get('package_name') ?? '';
      return json(res, 200, store.recordsFor(name).map(esmsAdvisory));
    }
    json(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle: AdvisoryServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    options,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}
