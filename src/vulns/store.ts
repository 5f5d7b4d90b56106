/**
 * A read-only set of OSV records, looked up by package and by id. The offline database and
 * the OSV-compatible server both answer from one; matching uses the OSV rules of
 * `standards/osv.ts`, so every path gives the same findings for the same records.
 */
import { canonicalizeName } from '../standards/pep503.js';
import { isAffected, PYPI_ECOSYSTEM, type OsvRecord } from '../standards/osv.js';

export interface RecordStore {
  /** Records with an `affected` entry for this PyPI project, sorted by id as text. */
  recordsFor(name: string): OsvRecord[];
  record(id: string): OsvRecord | undefined;
  readonly size: number;
}

/** The PyPI projects a record is about (PEP 503 names). */
export function pypiPackagesOf(record: OsvRecord): string[] {
  const names = new Set<string>();
  for (const a of record.affected ?? []) {
    if (a.package?.ecosystem === PYPI_ECOSYSTEM && a.package.name)
      names.add(canonicalizeName(a.package.name));
  }
  return [...names];
}

export const byIdText = (a: OsvRecord, b: OsvRecord): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** A store over records held in memory. */
export function memoryStore(records: Iterable<OsvRecord>): RecordStore {
  const byId = new Map<string, OsvRecord>();
  const byPackage = new Map<string, OsvRecord[]>();
  for (const record of records) {
    byId.set(record.id, record);
    for (const name of pypiPackagesOf(record)) {
      const list = byPackage.get(name);
      if (list) list.push(record);
      else byPackage.set(name, [record]);
    }
  }
  for (const list of byPackage.values()) list.sort(byIdText);
  return {
    recordsFor: (name) => byPackage.get(canonicalizeName(name)) ?? [],
    record: (id) => byId.get(id),
    size: byId.size,
  };
}

/** The records that affect this version of this project (withdrawn ones excluded). */
export function affecting(store: RecordStore, name: string, version: string): OsvRecord[] {
  return store.recordsFor(name).filter((r) => isAffected(r, name, version));
}
