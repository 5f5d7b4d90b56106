/**
 * `db serve` keeps answering while `db update` / `db import` replace the database file: the
 * file is watched, a new one is opened and checked in full, and only then swapped in.
 * Requests already running finish with the records they read; a replacement that cannot be
 * opened is reported and the old database stays in service.
 */
import { unwatchFile, watchFile } from 'node:fs';
import path from 'node:path';
import { DATABASE_FILE, openDatabase, type OpenDatabase } from '../vulns/local/database.js';
import type { RecordStore } from '../vulns/store.js';

export interface ReloadingDatabase {
  /** A store that always answers from the newest good database. */
  readonly store: RecordStore;
  current(): OpenDatabase;
  stop(): void;
}

export function reloadingDatabase(
  dir: string,
  initial: OpenDatabase,
  log: (line: string) => void,
  intervalMs = 1000,
): ReloadingDatabase {
  let current = initial;
  const file = path.join(dir, DATABASE_FILE);
  const onChange = (
    now: { mtimeMs: number; ino: number },
    before: { mtimeMs: number; ino: number },
  ): void => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino) return;
    try {
      const next = openDatabase(dir);
      current = next;
      log(`Reloaded ${file}: ${next.header.records} records (built ${next.header.built})`);
    } catch (e) {
      log(
        `Kept the database in service: the new ${file} cannot be opened (${(e as Error).message})`,
      );
    }
  };
  watchFile(file, { interval: intervalMs, persistent: false }, onChange);
  return {
    store: {
      recordsFor: (name) => current.store.recordsFor(name),
      record: (id) => current.store.record(id),
      get size() {
        return current.store.size;
      },
    },
    current: () => current,
    stop: () => unwatchFile(file, onChange),
  };
}
