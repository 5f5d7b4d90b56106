/**
 * The index client's disk cache under the user cache folder: project pages with their
 * validators (ETag, Last-Modified) and freshness (Cache-Control max-age), and core metadata
 * keyed by the distribution file's hash (a file's metadata never changes). Writes are
 * atomic (temp file + rename); a cache that cannot be read or written only costs speed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { defaultCacheDir } from '../core/cache-dir.js';

export interface CachedPage {
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
  readonly etag?: string;
  readonly lastModified?: string;
  /** Epoch milliseconds until which the page is fresh without asking. */
  readonly freshUntil?: number;
  /** The index answered 404: the project is not there (kept only while fresh). */
  readonly absent?: boolean;
}

export interface IndexCache {
  getPage(url: string): Promise<CachedPage | null>;
  putPage(page: CachedPage): Promise<void>;
  getMetadata(key: string): Promise<string | null>;
  putMetadata(key: string, text: string): Promise<void>;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function atomicWrite(file: string, text: string): Promise<void> {
  // Not fatal: the next run fetches again.
  await writeFileAtomic(file, text).catch(() => undefined);
}

/**
 * Cache reads are synchronous on purpose: hundreds of small files are read in a warm run, and
 * a synchronous read costs a fraction of a round trip through the thread pool.
 */
async function readIfPresent(file: string): Promise<string | null> {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** A cache in `dir` (`…/pyaudit/index`). */
export function diskCache(dir: string): IndexCache {
  const pageFile = (url: string): string => path.join(dir, 'pages', `${sha256(url)}.json`);
  const metadataFile = (key: string): string =>
    path.join(dir, 'metadata', key.slice(0, 2), `${key}.metadata`);
  return {
    async getPage(url) {
      const text = await readIfPresent(pageFile(url));
      if (text === null) return null;
      try {
        const page = JSON.parse(text) as CachedPage;
        return page.url === url ? page : null;
      } catch {
        return null;
      }
    },
    putPage: (page) => atomicWrite(pageFile(page.url), JSON.stringify(page)),
    getMetadata: (key) => readIfPresent(metadataFile(key)),
    putMetadata: (key, text) => atomicWrite(metadataFile(key), text),
  };
}

/** A cache that keeps nothing (`--no-cache`). */
export const noCache: IndexCache = {
  getPage: async () => null,
  putPage: async () => undefined,
  getMetadata: async () => null,
  putMetadata: async () => undefined,
};

/** The metadata key of a file: its sha256 when the index gives one, else a hash of its URL. */
export function metadataKey(file: {
  url: string;
  hashes: Readonly<Record<string, string>>;
}): string {
  return file.hashes.sha256 ?? sha256(`url:${file.url}`);
}

/** Freshness from `Cache-Control` (`max-age`, `no-cache`, `no-store`). */
export function freshUntil(cacheControl: string | undefined, now: number): number | undefined {
  if (!cacheControl || /no-cache|no-store/i.test(cacheControl)) return undefined;
  const m = /max-age=(\d+)/i.exec(cacheControl);
  return m ? now + Number(m[1]) * 1000 : undefined;
}

/** The user cache folder for index data: `index/` in pyaudit's user cache folder. */
export function defaultIndexCacheDir(
  env: Readonly<Record<string, string | undefined>>,
  platform = process.platform,
): string {
  return path.join(defaultCacheDir(env, platform), 'index');
}
