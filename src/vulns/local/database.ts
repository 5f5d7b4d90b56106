/**
 * The offline database on disk: where it lives, opening it, and replacing it atomically
 * (write a temporary file beside it, flush it, rename it over the old one), under a lock so
 * that two writers never interleave. A reader holds the file it opened, so an update never
 * shows it half a database; an interrupted write leaves the old database as it was.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultCacheDir } from '../../core/cache-dir.js';
import { PyauditError } from '../../core/errors.js';
import type { OsvRecord } from '../../standards/osv.js';
import type { RecordStore } from '../store.js';
import {
  DatabaseFormatError,
  decodeDatabase,
  decodeHeader,
  encodePackedParts,
  packedRecords,
  packRecord,
  type DatabaseHeader,
  type DatabaseSource,
  type PackedRecord,
} from './format.js';

export const DATABASE_FILE = 'osv-pypi.db';

/** The platform's cache directory for pyaudit: XDG on Linux, the platform's own elsewhere. */
export function defaultDatabaseDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform = process.platform,
): string {
  return env.PYAUDIT_DB_DIR || path.join(defaultCacheDir(env, platform), 'db');
}

export interface OpenDatabase {
  readonly file: string;
  readonly header: DatabaseHeader;
  readonly store: RecordStore;
}

function databaseError(file: string, error: unknown): PyauditError {
  if (error instanceof DatabaseFormatError) {
    return new PyauditError(
      'input',
      `${error.message}; rebuild it with pyaudit db import or pyaudit db update`,
      { file },
    );
  }
  return new PyauditError('input', (error as Error).message, { file });
}

/** Opens the database in `dir`; a missing one is an error that says how to make one. */
export function openDatabase(dir: string): OpenDatabase {
  const file = path.join(dir, DATABASE_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PyauditError(
        'input',
        "no offline vulnerability database here; create one with `pyaudit db update` (downloads OSV's PyPI data) or `pyaudit db import PATH` (a zip or a folder of OSV records)",
        { file },
      );
    }
    throw databaseError(file, e);
  }
  try {
    const { header, store } = decodeDatabase(bytes);
    return { file, header, store };
  } catch (e) {
    throw databaseError(file, e);
  }
}

/** The header of the database in `dir`, or `null` when there is none. */
export async function readDatabaseHeader(dir: string): Promise<DatabaseHeader | null> {
  const file = path.join(dir, DATABASE_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw databaseError(file, e);
  }
  try {
    return decodeHeader(bytes).header;
  } catch (e) {
    throw databaseError(file, e);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's write lock; a lock left by a dead process is taken over. */
async function lock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => unlink(file).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(await readFile(file, 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw new PyauditError(
          'input',
          `another pyaudit (pid ${holder}) is updating this database; try again when it is done`,
          { file: dir },
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new PyauditError('input', 'cannot take the database lock', { file: dir });
}

export interface WriteResult {
  readonly header: DatabaseHeader;
  /** Records added or replaced by this write. */
  readonly changed: number;
}

/**
 * Adds records to the database in `dir` (created when missing): a record replaces the one
 * with its id unless the stored one is newer (`modified`). `replace` starts from nothing.
 */
export async function writeRecords(
  dir: string,
  incoming: Iterable<OsvRecord | PackedRecord>,
  source: DatabaseSource,
  options: { replace?: boolean; now?: Date } = {},
): Promise<WriteResult> {
  await mkdir(dir, { recursive: true });
  const release = await lock(dir);
  try {
    const file = path.join(dir, DATABASE_FILE);
    await removeStaleTemporaries(dir);
    let existing: PackedRecord[] = [];
    let sources: DatabaseSource[] = [];
    if (!options.replace) {
      const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw databaseError(file, e);
      });
      if (bytes) {
        try {
          existing = packedRecords(bytes);
          sources = [...decodeHeader(bytes).header.sources];
        } catch (e) {
          throw databaseError(file, e);
        }
      }
    }
    const byId = new Map(existing.map((r) => [r.id, r]));
    existing = [];
    let changed = 0;
    for (const item of incoming) {
      const record = 'blob' in item ? item : packRecord(item);
      const current = byId.get(record.id);
      if (current && current.modified > record.modified) continue;
      if (!current || !current.blob.equals(record.blob)) changed++;
      byId.set(record.id, record);
    }
    sources = [...sources.filter((s) => s.location !== source.location), source];
    const { header, parts } = encodePackedParts([...byId.values()], {
      built: (options.now ?? new Date()).toISOString(),
      sources,
    });
    byId.clear();
    const temp = path.join(dir, `.${DATABASE_FILE}.${process.pid}.${Date.now()}.tmp`);
    const fd = openSync(temp, 'w');
    try {
      for (const part of parts) {
        let written = 0;
        while (written < part.length) written += writeSync(fd, part, written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(temp, file);
    syncDirectory(dir);
    return { header, changed };
  } finally {
    await release();
  }
}

/** Temporary files of writers that were killed. */
async function removeStaleTemporaries(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = /^\..+\.(\d+)\.\d+\.tmp$/.exec(name);
    if (m && !processAlive(Number(m[1]))) await rm(path.join(dir, name), { force: true });
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can sync a directory; the rename is still atomic.
  }
}

/** How old the database is, in days (fractional). */
export function ageInDays(header: DatabaseHeader, now: Date = new Date()): number {
  return (now.getTime() - Date.parse(header.built)) / 86_400_000;
}

/** Size on disk, for `db status`. */
export async function databaseSize(dir: string): Promise<number> {
  return (await stat(path.join(dir, DATABASE_FILE))).size;
}
