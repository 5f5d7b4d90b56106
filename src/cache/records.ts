/**
 * The on-disk cache of OSV records, one JSON file per record (`<dir>/osv/vulns/<id>.json`),
 * trusted only when its `id` and `modified` are the ones the query answered: a repeat audit
 * fetches only what changed. Writes go to a uniquely named temporary file renamed into place,
 * so concurrent runs sharing the folder never see half a record; an entry that does not
 * parse, or is not the record asked for, is deleted and fetched again. The cache has a size
 * cap: `prune` deletes the least recently written entries beyond it.
 */
import { readFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
export { defaultCacheDir } from '../core/cache-dir.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { systemErrorCode } from '../core/errors.js';
import { osvRecordProblem, type OsvRecord } from '../standards/osv.js';

/** Default cap on the records kept (OSV's whole PyPI data is about 130 MB of JSON). */
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;

export type CacheEvent =
  | { readonly kind: 'hit' | 'miss'; readonly id: string }
  | { readonly kind: 'discarded'; readonly id: string; readonly reason: string }
  | { readonly kind: 'unwritable'; readonly dir: string; readonly code: string };

export interface RecordCache {
  readonly dir: string;
  /** The cached record with this id and `modified`, or null. */
  get(id: string, modified: string | undefined): Promise<OsvRecord | null>;
  /** Stores a record (one with no `modified` cannot be validated later, so it is not kept). */
  put(record: OsvRecord): Promise<void>;
  /** Deletes the oldest entries until the cache holds at most `maxBytes`. */
  prune(maxBytes?: number): Promise<void>;
}

const recordsFolder = (dir: string): string => path.join(dir, 'osv', 'vulns');

/** A record id as a file name: ids are short ASCII, but nothing from a server is trusted. */
function entryName(id: string): string | null {
  const name = `${encodeURIComponent(id)}.json`;
  return id.length > 0 && name.length <= 200 && !name.startsWith('.') ? name : null;
}

export function recordCache(dir: string, onEvent?: (event: CacheEvent) => void): RecordCache {
  const folder = recordsFolder(dir);
  let unwritable = false;
  /** Whether this run added anything: only then can the cap have been passed. */
  let wrote = false;

  return {
    dir,
    async get(id, modified) {
      const name = entryName(id);
      if (!name || !modified) return null;
      const file = path.join(folder, name);
      let text: string;
      try {
        // Synchronous: hundreds of small reads cost less this way than through promises.
        text = readFileSync(file, 'utf8');
      } catch {
        onEvent?.({ kind: 'miss', id });
        return null;
      }
      let record: OsvRecord | null = null;
      try {
        record = JSON.parse(text) as OsvRecord;
      } catch {
        record = null;
      }
      if (osvRecordProblem(record) === null && record?.id === id) {
        if (record.modified === modified) {
          onEvent?.({ kind: 'hit', id });
          return record;
        }
        onEvent?.({ kind: 'miss', id });
        return null;
      }
      onEvent?.({ kind: 'discarded', id, reason: 'not the cached record (corrupt or truncated)' });
      await rm(file, { force: true }).catch(() => undefined);
      return null;
    },
    async put(record) {
      const name = entryName(record.id);
      if (!name || !record.modified || unwritable) return;
      const file = path.join(folder, name);
      try {
        await writeFileAtomic(file, JSON.stringify(record));
        wrote = true;
      } catch (e) {
        // A cache that cannot be written costs speed only: said once, never an error.
        if (!unwritable) {
          unwritable = true;
          onEvent?.({ kind: 'unwritable', dir, code: systemErrorCode(e) ?? String(e) });
        }
      }
    },
    async prune(maxBytes = DEFAULT_CACHE_MAX_BYTES) {
      if (!wrote) return;
      let names: string[];
      try {
        names = await readdir(folder);
      } catch {
        return;
      }
      const entries: Array<{ file: string; size: number; mtime: number }> = [];
      for (const name of names) {
        const file = path.join(folder, name);
        const info = await stat(file).catch(() => null);
        if (info?.isFile()) entries.push({ file, size: info.size, mtime: info.mtimeMs });
      }
      let total = entries.reduce((sum, e) => sum + e.size, 0);
      if (total <= maxBytes) return;
      entries.sort((a, b) => a.mtime - b.mtime);
      for (const entry of entries) {
        if (total <= maxBytes) break;
        await rm(entry.file, { force: true }).catch(() => undefined);
        total -= entry.size;
      }
    },
  };
}

/**
 * Removes every cached record and query answer, and the compiled code, never the offline
 * database; returns how many records were removed.
 */
export async function cleanCache(dir: string): Promise<number> {
  const folder = recordsFolder(dir);
  const names = await readdir(folder).catch(() => [] as string[]);
  await rm(path.join(dir, 'osv'), { recursive: true, force: true });
  // The CLI's compiled code (src/cli/launch.ts), rebuilt by the next run.
  await rm(path.join(dir, 'code'), { recursive: true, force: true });
  return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).length;
}
