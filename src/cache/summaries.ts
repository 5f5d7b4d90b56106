/**
 * The cache of record summaries: each OSV record as one package reports it (its fix versions
 * for that package, description, aliases, links and what rates it; src/vulns/record.ts), all in
 * one file (`osv/summaries.json`). A warm audit reads this one file instead of a record file
 * per finding and converting each record again: for 537 records, 1 file of 0.6 MB instead of
 * 537 files of 0.9 MB in all.
 *
 * A summary is trusted, like a cached record, only for the `modified` the query answered; a
 * missing, stale or damaged one is made again from the record (the record files stay the
 * source). `flush` works as the query cache's does: it merges this run's summaries into what the
 * file holds then, newest first, keeps at most `maxBytes` of them, and replaces the file
 * atomically.
 */
import path from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { isJsonObject } from '../core/json-file.js';
import { isRecordSummary, type RecordSummary } from '../vulns/record.js';
import { readEntriesFile } from './entries-file.js';

/** The file's cap: read whole by every warm run, it must stay small (~1,000 bytes a summary). */
export const DEFAULT_SUMMARIES_MAX_BYTES = 2 * 1024 * 1024;

export interface CachedSummary {
  readonly withdrawn: boolean;
  readonly summary: RecordSummary;
}

export interface SummaryCache {
  /** Reads the file now, if it was not read yet (while waiting for the network). */
  load(): void;
  /** The summary of record `id` for package `name`, if it was made from the record at `modified`. */
  get(id: string, modified: string, name: string): CachedSummary | null;
  /** Keeps a summary made from a record (one with no `modified` is not kept). */
  put(name: string, withdrawn: boolean, summary: RecordSummary): void;
  /** Writes the summaries this run put, if any; never rejects (a cache that cannot be written costs time). */
  flush(): Promise<void>;
}

interface Entry {
  storedAt: number;
  withdrawn: boolean;
  summary: RecordSummary;
}

const fileOf = (dir: string): string => path.join(dir, 'osv', 'summaries.json');
const keyOf = (id: string, name: string): string => `${id}\u0000${name}`;

const isEntry = (value: unknown): value is Entry =>
  isJsonObject(value) &&
  typeof value.storedAt === 'number' &&
  typeof value.withdrawn === 'boolean' &&
  isRecordSummary(value.summary);

export interface SummaryCacheOptions {
  /** The clock (tests). */
  readonly now?: () => number;
  /** The file's cap in bytes (default `DEFAULT_SUMMARIES_MAX_BYTES`). */
  readonly maxBytes?: number;
  /** Called for each summary used. */
  readonly onHit?: (id: string) => void;
}

export function summaryCache(
  dir: string,
  { now = Date.now, maxBytes = DEFAULT_SUMMARIES_MAX_BYTES, onHit }: SummaryCacheOptions = {},
): SummaryCache {
  const file = fileOf(dir);
  let entries: Map<string, unknown> | undefined;
  const fresh = new Map<string, Entry>();
  return {
    load() {
      entries ??= readEntriesFile(file);
    },
    get(id, modified, name) {
      const key = keyOf(id, name);
      entries ??= readEntriesFile(file);
      const entry = fresh.get(key) ?? entries.get(key);
      if (!isEntry(entry) || entry.summary.id !== id || entry.summary.modified !== modified)
        return null;
      onHit?.(id);
      return { withdrawn: entry.withdrawn, summary: entry.summary };
    },
    put(name, withdrawn, summary) {
      if (summary.modified === undefined) return;
      fresh.set(keyOf(summary.id, name), { storedAt: now(), withdrawn, summary });
    },
    async flush() {
      if (fresh.size === 0) return;
      const merged = [...readEntriesFile(file), ...fresh].filter((pair): pair is [string, Entry] =>
        isEntry(pair[1]),
      );
      // The newest summaries win, up to the cap.
      merged.sort((a, b) => b[1].storedAt - a[1].storedAt);
      const kept: Record<string, Entry> = {};
      let bytes = 0;
      for (const [key, entry] of merged) {
        if (key in kept) continue;
        bytes += key.length + JSON.stringify(entry).length + 8;
        if (bytes > maxBytes) break;
        kept[key] = entry;
      }
      try {
        await writeFileAtomic(file, JSON.stringify({ format: 1, entries: kept }));
      } catch {
        // The record cache reports an unwritable folder; this one only costs time.
      }
      fresh.clear();
    },
  };
}
