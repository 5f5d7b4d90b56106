/**
 * The package-index client shared by the resolver (and later by `--fix`): project pages
 * from every configured index and `--find-links` location, merged; core metadata of a
 * chosen file from the cheapest place that has it (PEP 658 `.metadata` checked against its
 * hash, else the wheel's `METADATA` through range requests, else the whole file; an sdist's
 * `PKG-INFO` only when static). Nothing downloaded is ever executed.
 *
 * HTTP goes through the project's one client; `file://` indexes and folders are read from
 * disk. Credentials never appear in a message: URLs are redacted first.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PyauditError } from '../core/errors.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { canonicalizeName } from '../standards/pep503.js';
import {
  ArchiveError,
  bufferSource,
  isSdistPkgInfo,
  isWheelMetadata,
  readTarMember,
  readZipMember,
  withTail,
  ZIP_TAIL_BYTES,
  type RangeSource,
} from './archive.js';
import { freshUntil, metadataKey, noCache, type IndexCache } from './cache.js';
import { loadNetrc, redactUrl, splitCredentials, type Netrc } from './credentials.js';
import { parseDistributionName, type SdistName, type WheelName } from './filenames.js';
import { hasStaticDependencies, parseCoreMetadata, type CoreMetadata } from './metadata.js';
import {
  htmlAnchors,
  IndexPageError,
  parseProjectPage,
  SIMPLE_ACCEPT,
  type IndexFile,
} from './simple.js';

/** A file of a project, with what its name says and where it was listed. */
export interface DistributionFile extends IndexFile {
  readonly project: string;
  readonly parsed: WheelName | SdistName;
  /** The index or find-links location that listed it (redacted). */
  readonly source: string;
}

export interface ProjectFiles {
  readonly project: string;
  readonly files: readonly DistributionFile[];
  /** PEP 792 statuses other than `active`, by index. */
  readonly statuses: ReadonlyArray<{ readonly index: string; readonly status: string }>;
}

export type MetadataResult =
  | { readonly kind: 'static'; readonly metadata: CoreMetadata; readonly via: string }
  | { readonly kind: 'unknown'; readonly metadata: CoreMetadata | null; readonly reason: string };

export interface IndexStats {
  requests: number;
  inFlight: number;
  peakInFlight: number;
}

export interface PackageIndex {
  /** Every file of a project across the indexes and find-links (memoized per run). */
  projectFiles(project: string): Promise<ProjectFiles>;
  /** The core metadata of one file (memoized per run, cached on disk by file hash). */
  metadata(file: DistributionFile): Promise<MetadataResult>;
  readonly stats: IndexStats;
  /** The indexes asked, redacted, for messages. */
  readonly description: string;
}

export interface PackageIndexOptions {
  readonly http: HttpClient;
  readonly indexUrls: readonly string[];
  readonly findLinks?: readonly string[];
  readonly cache?: IndexCache;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads `~/.netrc` unless given (null: none). */
  readonly netrc?: Netrc | null;
  readonly now?: () => number;
}

const digest = (name: string, bytes: Buffer | string): string | null => {
  try {
    return createHash(name).update(bytes).digest('hex');
  } catch {
    return null;
  }
};

/** Whether bytes match every hash we can compute (and at least one was checked). */
function hashesMatch(bytes: Buffer, hashes: Readonly<Record<string, string>>): boolean | null {
  let checked = false;
  for (const [name, expected] of Object.entries(hashes)) {
    const actual = digest(name, bytes);
    if (actual === null) continue;
    if (actual !== expected.toLowerCase()) return false;
    checked = true;
  }
  return checked ? true : null;
}

export function createPackageIndex(options: PackageIndexOptions): PackageIndex {
  const http = options.http;
  const cache = options.cache ?? noCache;
  const netrc = options.netrc !== undefined ? options.netrc : loadNetrc(options.env ?? process.env);
  const now = options.now ?? Date.now;
  const stats: IndexStats = { requests: 0, inFlight: 0, peakInFlight: 0 };
  const pages = new Map<string, Promise<ProjectFiles>>();
  const metadataMemo = new Map<string, Promise<MetadataResult>>();
  const findLinksPages = new Map<string, Promise<Array<{ url: string; fragment: string }>>>();

  async function request(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const { url: clean, headers: auth } = splitCredentials(url, netrc);
    stats.requests++;
    stats.inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
    try {
      return await http.get(clean, { ...headers, ...auth });
    } finally {
      stats.inFlight--;
    }
  }

  const failure = (reason: string, url: string): PyauditError =>
    new PyauditError('service', reason, { url: redactUrl(url) });

  /** A project page's text and content type, through the cache; null when the index lacks it. */
  async function fetchPage(url: string): Promise<{ text: string; contentType: string } | null> {
    if (url.startsWith('file:')) {
      const dir = fileURLToPath(url);
      for (const [name, type] of [
        ['index.html', 'text/html'],
        ['index.json', 'application/vnd.pypi.simple.v1+json'],
      ] as const) {
        try {
          return { text: await readFile(`${dir}/${name}`, 'utf8'), contentType: type };
        } catch {
          // try the next name
        }
      }
      return null; // pip ignores a missing project folder in a file:// index
    }
    const cached = await cache.getPage(url);
    if (cached && cached.freshUntil !== undefined && cached.freshUntil > now()) {
      return cached.absent ? null : { text: cached.body, contentType: cached.contentType };
    }
    const headers: Record<string, string> = { accept: SIMPLE_ACCEPT };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    const response = await request(url, headers);
    const fresh = freshUntil(response.headers['cache-control'], now());
    if (response.status === 304 && cached) {
      await cache.putPage({ ...cached, ...(fresh !== undefined && { freshUntil: fresh }) });
      return { text: cached.body, contentType: cached.contentType };
    }
    if (response.status === 404 || response.status === 410) {
      // Not on this index: remembered only as long as the index says the answer stays fresh.
      if (fresh !== undefined)
        await cache.putPage({ url, contentType: '', body: '', absent: true, freshUntil: fresh });
      return null;
    }
    if (response.status === 401 || response.status === 403) {
      throw failure(
        `the index refused access (HTTP ${response.status}); give credentials in the URL or ~/.netrc`,
        url,
      );
    }
    if (response.status !== 200) throw failure(`the index answered HTTP ${response.status}`, url);
    const contentType = String(response.headers['content-type'] ?? 'text/html');
    const text = response.body.toString('utf8');
    const etag = response.headers.etag;
    const lastModified = response.headers['last-modified'];
    if (etag || lastModified || fresh !== undefined) {
      await cache.putPage({
        url,
        contentType,
        body: text,
        ...(etag && { etag }),
        ...(lastModified && { lastModified }),
        ...(fresh !== undefined && { freshUntil: fresh }),
      });
    }
    return { text, contentType };
  }

  /** Links of one find-links location (a folder or an HTML page), read once per run. */
  function findLinksEntries(location: string): Promise<Array<{ url: string; fragment: string }>> {
    let entries = findLinksPages.get(location);
    if (!entries) {
      entries = (async () => {
        if (location.startsWith('file:')) {
          const dir = fileURLToPath(location);
          let names: string[];
          try {
            names = await readdir(dir);
          } catch {
            try {
              // A single file given as a find-links location.
              await readFile(dir);
              return [{ url: location, fragment: '' }];
            } catch {
              return [];
            }
          }
          return names
            .sort()
            .map((n) => ({ url: pathToFileURL(`${dir}/${n}`).href, fragment: '' }));
        }
        const response = await request(location, { accept: 'text/html' });
        if (response.status !== 200)
          throw failure(`the find-links page answered HTTP ${response.status}`, location);
        return htmlAnchors(response.body.toString('utf8'), location);
      })();
      findLinksPages.set(location, entries);
    }
    return entries;
  }

  function describeFile(project: string, file: IndexFile, source: string): DistributionFile | null {
    const parsed = parseDistributionName(file.filename, project);
    return parsed ? { ...file, project, parsed, source } : null;
  }

  async function loadProject(project: string): Promise<ProjectFiles> {
    const name = canonicalizeName(project);
    const statuses: Array<{ index: string; status: string }> = [];
    const perIndex = options.indexUrls.map(async (index) => {
      const url = `${index.replace(/\/+$/, '')}/${name}/`;
      const page = await fetchPage(url);
      if (!page) return [];
      let parsed;
      try {
        parsed = parseProjectPage(page.text, page.contentType, url);
      } catch (e) {
        if (e instanceof IndexPageError) throw failure(e.message, url);
        throw e;
      }
      if (parsed.status && parsed.status !== 'active')
        statuses.push({ index: redactUrl(index), status: parsed.status });
      return parsed.files.flatMap((f) => describeFile(name, f, redactUrl(index)) ?? []);
    });
    const perLink = (options.findLinks ?? []).map(async (location) => {
      const entries = await findLinksEntries(location);
      return entries.flatMap(({ url, fragment }) => {
        const filename = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
        const m = /^(sha1|sha224|sha256|sha384|sha512|md5)=([0-9a-f]+)$/i.exec(fragment);
        const file: IndexFile = {
          filename,
          url,
          hashes: m ? { [(m[1] as string).toLowerCase()]: (m[2] as string).toLowerCase() } : {},
          requiresPython: null,
          yanked: false,
          coreMetadata: false,
        };
        return describeFile(name, file, redactUrl(location)) ?? [];
      });
    });
    const lists = await Promise.all([...perIndex, ...perLink]);
    return { project: name, files: lists.flat(), statuses };
  }

  /** Reads a wheel's METADATA: from disk for file://, through HTTP range requests otherwise. */
  async function wheelMetadata(file: DistributionFile): Promise<Buffer | null> {
    if (file.url.startsWith('file:')) {
      const handle = await open(fileURLToPath(file.url), 'r');
      try {
        const { size } = await handle.stat();
        return await readZipMember(
          {
            size,
            async read(start, end) {
              const buffer = Buffer.alloc(end - start);
              const { bytesRead } = await handle.read(buffer, 0, end - start, start);
              return buffer.subarray(0, bytesRead);
            },
          },
          isWheelMetadata,
        );
      } finally {
        await handle.close();
      }
    }
    return readZipMember(await rangeSource(file), isWheelMetadata);
  }

  /** Random access to a remote file through HTTP range requests (the whole file when unsupported). */
  async function rangeSource(file: DistributionFile): Promise<RangeSource> {
    const first = await request(file.url, { range: `bytes=-${ZIP_TAIL_BYTES}`, accept: '*/*' });
    if (first.status === 200) return bufferSource(checked(file, first.body));
    const total = /\/(\d+)\s*$/.exec(String(first.headers['content-range'] ?? ''));
    if (first.status !== 206 || !total) {
      if (first.status === 416) return bufferSource(await download(file));
      throw failure(`cannot read the file (HTTP ${first.status})`, file.url);
    }
    const size = Number(total[1]);
    const source: RangeSource = {
      size,
      async read(start, end) {
        const r = await request(file.url, { range: `bytes=${start}-${end - 1}`, accept: '*/*' });
        if (r.status === 206) return r.body;
        if (r.status === 200) return r.body.subarray(start, end);
        throw failure(`cannot read part of the file (HTTP ${r.status})`, file.url);
      },
    };
    return withTail(source, first.body);
  }

  /** A whole file, checked against the index's hashes. */
  function checked(file: DistributionFile, bytes: Buffer): Buffer {
    if (hashesMatch(bytes, file.hashes) === false)
      throw failure('the downloaded file does not match its hash', file.url);
    return bytes;
  }

  async function download(file: DistributionFile): Promise<Buffer> {
    if (file.url.startsWith('file:')) return checked(file, await readFile(fileURLToPath(file.url)));
    const r = await request(file.url, { accept: '*/*' });
    if (r.status !== 200) throw failure(`cannot download the file (HTTP ${r.status})`, file.url);
    return checked(file, r.body);
  }

  async function fromCoreMetadataFile(file: DistributionFile): Promise<string | null> {
    if (file.coreMetadata === false) return null;
    const url = `${file.url}.metadata`;
    let body: Buffer;
    if (url.startsWith('file:')) {
      try {
        body = await readFile(fileURLToPath(url));
      } catch {
        return null;
      }
    } else {
      const r = await request(url, { accept: '*/*' });
      if (r.status !== 200) return null;
      body = r.body;
    }
    // PEP 658: the hashes are of the .metadata file; a mismatch means it cannot be trusted.
    if (hashesMatch(body, file.coreMetadata) === false) {
      throw failure('the core metadata file does not match its hash (PEP 658)', url);
    }
    return body.toString('utf8');
  }

  async function loadMetadata(file: DistributionFile): Promise<MetadataResult> {
    const key = metadataKey(file);
    const describe = redactUrl(file.url);
    const cached = await cache.getMetadata(key);
    const parsedFrom = (text: string, via: string): MetadataResult => {
      const metadata = parseCoreMetadata(text);
      if (!metadata) throw failure('the core metadata has no Name or Version', file.url);
      if (file.parsed.kind === 'sdist' && !hasStaticDependencies(metadata)) {
        return {
          kind: 'unknown',
          metadata,
          reason: `dependencies unknown: ${file.filename} is a source distribution whose dependencies are computed when it is built (Metadata-Version ${metadata.metadataVersion}${metadata.dynamic.includes('requires-dist') ? ', Requires-Dist is dynamic' : ''}), and pyaudit never runs package code`,
        };
      }
      return { kind: 'static', metadata, via };
    };
    if (cached !== null) return parsedFrom(cached, 'cache');
    let text: string | null = null;
    let via = '';
    try {
      if (file.parsed.kind === 'wheel') {
        text = await fromCoreMetadataFile(file);
        via = 'core-metadata';
        if (text === null) {
          const bytes = await wheelMetadata(file);
          if (!bytes) throw failure('the wheel has no .dist-info/METADATA', describe);
          text = bytes.toString('utf8');
          via = 'wheel';
        }
      } else {
        text = await fromCoreMetadataFile(file);
        via = 'core-metadata';
        if (text === null) {
          const archive = await download(file);
          const member =
            file.parsed.archive === 'zip'
              ? await readZipMember(bufferSource(archive), isSdistPkgInfo)
              : file.parsed.archive === 'tar.gz' ||
                  file.parsed.archive === 'tgz' ||
                  file.parsed.archive === 'tar'
                ? readTarMember(archive, isSdistPkgInfo)
                : null;
          if (!member) {
            return {
              kind: 'unknown',
              metadata: null,
              reason: `dependencies unknown: ${file.filename} is a source distribution without readable PKG-INFO, and pyaudit never runs package code`,
            };
          }
          text = member.toString('utf8');
          via = 'sdist';
        }
      }
    } catch (e) {
      if (e instanceof ArchiveError)
        throw failure(`cannot read the archive: ${e.message}`, file.url);
      if (
        (e as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' ||
        (e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR'
      )
        throw failure('cannot read the archive: corrupt compressed data', file.url);
      throw e;
    }
    const result = parsedFrom(text, via);
    await cache.putMetadata(key, text);
    return result;
  }

  return {
    stats,
    description: options.indexUrls.map(redactUrl).join(', ') || '(no index)',
    projectFiles(project) {
      const name = canonicalizeName(project);
      let p = pages.get(name);
      if (!p) {
        p = loadProject(name);
        pages.set(name, p);
      }
      return p;
    },
    metadata(file) {
      let p = metadataMemo.get(file.url);
      if (!p) {
        p = loadMetadata(file);
        metadataMemo.set(file.url, p);
      }
      return p;
    },
  };
}
