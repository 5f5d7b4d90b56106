/**
 * The cache of OSV query answers: which records (id and `modified`) apply to a package version,
 * kept for a short time (`--query-cache-ttl`, 300 s by default, as uv keeps its answers) so that
 * audits repeated within minutes send no request at all. An answer older than that, one from the
 * future, or one that does not parse or is for another package is ignored and asked again.
 *
 * All answers live in one file (`osv/queries.json`), read once and written once per run: one
 * file per answer cost a warm audit of 250 packages 250 writes after every batch. `flush`
 * merges this run's answers into what the file holds then (another run may have written
 * meanwhile), drops answers older than a day and keeps at most `MAX_ENTRIES`, and replaces the
 * file atomically: concurrent runs never see half a file, and at worst one run's answers are
 * asked for again.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { readEntriesFile } from './entries-file.js';

export const DEFAULT_QUERY_CACHE_TTL_SECONDS = 300;
/** Answers kept at most (about 100 bytes each: the file stays small enough to read in a few ms). */
export const MAX_ENTRIES = 20_000;
const DAY_MS = 86_400_000;

/** Record id → `modified` (undefined when the service gave none). */
export type QueryAnswer = Map<string, string | undefined>;

export interface QueryCache {
  get(name: string, version: string): QueryAnswer | null;
  /**
   * The last answer kept, whatever its age (at most a day): which records the service will
   * probably name, to read them while the request is in flight. Never used as an answer.
   */
  hint(name: string, version: string): QueryAnswer | null;
  put(name: string, version: string, answer: QueryAnswer): void;
  /** Writes the answers this run put, if any (never rejects: a cache that cannot be written costs requests). */
  flush(): Promise<void>;
}

interface Entry {
  fetchedAt: number;
  vulns: Array<[string, string | null]>;
}

interface CacheFile {
  format: 1;
  /** `name\0version` → answer. */
  entries: Record<string, Entry>;
}

const fileOf = (dir: string): string => path.join(dir, 'osv', 'queries.json');
const keyOf = (name: string, version: string): string => `${name}\u0000${version}`;

function isEntry(value: unknown): value is Entry {
  const e = value as Partial<Entry> | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.fetchedAt === 'number' &&
    Array.isArray(e.vulns) &&
    e.vulns.every(
      (v) =>
        Array.isArray(v) && typeof v[0] === 'string' && (typeof v[1] === 'string' || v[1] === null),
    )
  );
}

const answerOf = (entry: Entry): QueryAnswer =>
  new Map(entry.vulns.map(([id, modified]) => [id, modified ?? undefined]));

export interface QueryCacheOptions {
  /** The clock (tests). */
  readonly now?: () => number;
  /** Answers kept at most (default `MAX_ENTRIES`). */
  readonly maxEntries?: number;
}

export function queryCache(
  dir: string,
  ttlSeconds: number,
  { now = Date.now, maxEntries = MAX_ENTRIES }: QueryCacheOptions = {},
): QueryCache {
  const file = fileOf(dir);
  let entries: Map<string, unknown> | undefined;
  const fresh = new Map<string, Entry>();
  const lookup = (name: string, version: string): Entry | null => {
    if (ttlSeconds <= 0) return null;
    const key = keyOf(name, version);
    entries ??= readEntriesFile(file);
    const entry = fresh.get(key) ?? entries.get(key);
    return isEntry(entry) ? entry : null;
  };
  return {
    get(name, version) {
      const entry = lookup(name, version);
      if (entry === null) return null;
      const age = now() - entry.fetchedAt;
      return age < -60_000 || age > ttlSeconds * 1000 ? null : answerOf(entry);
    },
    hint(name, version) {
      const entry = lookup(name, version);
      return entry && answerOf(entry);
    },
    put(name, version, answer) {
      if (ttlSeconds <= 0) return;
      fresh.set(keyOf(name, version), {
        fetchedAt: now(),
        vulns: [...answer].map(([id, modified]) => [id, modified ?? null]),
      });
    },
    async flush() {
      if (fresh.size === 0) return;
      const dayAgo = now() - DAY_MS;
      const merged = [...readEntriesFile(file), ...fresh].filter(
        (pair): pair is [string, Entry] => isEntry(pair[1]) && pair[1].fetchedAt >= dayAgo,
      );
      // The newest answers win, up to the cap.
      merged.sort((a, b) => b[1].fetchedAt - a[1].fetchedAt);
      const kept: CacheFile = { format: 1, entries: {} };
      let count = 0;
      for (const [key, entry] of merged) {
        if (count === maxEntries) break;
        if (key in kept.entries) continue;
        kept.entries[key] = entry;
        count++;
      }
      try {
        await writeFileAtomic(file, JSON.stringify(kept));
        // The one-file-per-answer folder of earlier versions.
        await rm(path.join(dir, 'osv', 'queries'), { recursive: true, force: true });
      } catch {
        // The record cache reports an unwritable folder; this one only costs requests.
      }
      fresh.clear();
    },
  };
}
