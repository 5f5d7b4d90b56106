/**
 * The cache of OSV query answers: which records (id and `modified`) apply to a package version,
 * kept for a short time (`--query-cache-ttl`, 300 s by default, as uv keeps its answers) so that
 * audits repeated within minutes send no request at all. An answer older than that, one from the
 * future, or one that does not parse or is for another package is ignored and asked again.
 * Entries are written like records: a uniquely named temporary file renamed into place.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';

export const DEFAULT_QUERY_CACHE_TTL_SECONDS = 300;

/** Record id → `modified` (undefined when the service gave none). */
export type QueryAnswer = Map<string, string | undefined>;

export interface QueryCache {
  get(name: string, version: string): Promise<QueryAnswer | null>;
  put(name: string, version: string, answer: QueryAnswer): Promise<void>;
  /** Removes entries older than a day (they can never be used again). */
  prune(): Promise<void>;
}

interface Entry {
  name: string;
  version: string;
  fetchedAt: number;
  vulns: Array<[string, string | null]>;
}

const folderOf = (dir: string): string => path.join(dir, 'osv', 'queries');

function fileOf(dir: string, name: string, version: string): string {
  const key = createHash('sha256').update(`${name}\0${version}`).digest('hex');
  return path.join(folderOf(dir), `${key}.json`);
}

function isEntry(value: unknown): value is Entry {
  const e = value as Partial<Entry> | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.name === 'string' &&
    typeof e.version === 'string' &&
    typeof e.fetchedAt === 'number' &&
    Array.isArray(e.vulns) &&
    e.vulns.every(
      (v) =>
        Array.isArray(v) && typeof v[0] === 'string' && (typeof v[1] === 'string' || v[1] === null),
    )
  );
}

export function queryCache(
  dir: string,
  ttlSeconds: number,
  now: () => number = Date.now,
): QueryCache {
  let unwritable = false;
  /** Whether this run wrote answers: only then is it worth sweeping out the stale ones. */
  let wrote = false;
  return {
    async get(name, version) {
      if (ttlSeconds <= 0) return null;
      let entry: unknown;
      try {
        entry = JSON.parse(readFileSync(fileOf(dir, name, version), 'utf8'));
      } catch {
        return null;
      }
      if (!isEntry(entry) || entry.name !== name || entry.version !== version) return null;
      const age = now() - entry.fetchedAt;
      if (age < -60_000 || age > ttlSeconds * 1000) return null;
      return new Map(entry.vulns.map(([id, modified]) => [id, modified ?? undefined]));
    },
    async put(name, version, answer) {
      if (ttlSeconds <= 0 || unwritable) return;
      const file = fileOf(dir, name, version);
      const entry: Entry = {
        name,
        version,
        fetchedAt: now(),
        vulns: [...answer].map(([id, modified]) => [id, modified ?? null]),
      };
      try {
        await writeFileAtomic(file, JSON.stringify(entry));
        wrote = true;
      } catch {
        // The record cache reports an unwritable folder; this one only costs a request.
        unwritable = true;
      }
    },
    async prune() {
      if (!wrote) return;
      const folder = folderOf(dir);
      const names = await readdir(folder).catch(() => [] as string[]);
      const dayAgo = now() - 86_400_000;
      for (const name of names) {
        const file = path.join(folder, name);
        const info = await stat(file).catch(() => null);
        if (info && info.mtimeMs < dayAgo) await rm(file, { force: true }).catch(() => undefined);
      }
    },
  };
}
