/**
 * Reads OSV records from what `pyaudit db import` is given: a zip (OSV's `all.zip` dumps), a
 * folder tree of `.json` / `.yaml` records (a clone of the PyPA advisory database), or single
 * files (one record, or a JSON array of records). Records without a PyPI `affected` entry
 * are counted and left out. A file that is not a valid record fails the import, naming it.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import { PyauditError } from '../../core/errors.js';
import { osvRecordProblem, type OsvRecord } from '../../standards/osv.js';
import { pypiPackagesOf } from '../store.js';
import { packRecord, type DatabaseSource, type PackedRecord } from './format.js';
import { checkZip, fileReader, readZipEntry, UnsafeZipError, type ZipReader } from './zip.js';

export interface ReadRecords {
  readonly records: OsvRecord[];
  /** Records left out because they are about other ecosystems only. */
  readonly otherEcosystems: number;
}

const RECORD_FILE = /\.(json|ya?ml)$/i;

function invalid(where: string, why: string): PyauditError {
  return new PyauditError('input', `not an OSV record: ${why}`, { file: where });
}

/**
 * Whether a parsed document reaches one object twice (YAML aliases): a handful of aliases can
 * stand for an exponentially large record ("billion laughs") once it is serialized.
 */
function sharesNodes(root: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (seen.has(node)) return true;
    seen.add(node);
    for (const child of Object.values(node)) stack.push(child);
  }
  return false;
}

/** Parses one file's text into records (an OSV record, or a JSON array of them). */
export function parseRecordText(text: string, where: string): OsvRecord[] {
  let value: unknown;
  try {
    // YAML's failsafe schema keeps versions such as 1.10 as text.
    value = /\.ya?ml$/i.test(where)
      ? yaml.load(text, { schema: yaml.FAILSAFE_SCHEMA })
      : JSON.parse(text);
  } catch (e) {
    throw invalid(where, (e as Error).message.split('\n')[0] ?? 'unreadable');
  }
  if (sharesNodes(value)) throw invalid(where, 'YAML anchors and aliases are not allowed');
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const label = Array.isArray(value) ? `${where}[${i}]` : where;
    const problem = osvRecordProblem(item);
    if (problem !== null) throw invalid(label, problem);
    return item as OsvRecord;
  });
}

function split(records: OsvRecord[]): ReadRecords {
  const pypi = records.filter((r) => pypiPackagesOf(r).length > 0);
  return { records: pypi, otherEcosystems: records.length - pypi.length };
}

/** Called with each record read, and where it was read from. */
type Visit = (record: OsvRecord) => void;

function refused(where: string, error: unknown): never {
  if (!(error instanceof UnsafeZipError)) throw error;
  throw new PyauditError('input', `refused: ${error.message}; nothing was imported`, {
    file: where,
  });
}

/**
 * Visits the records of a zip held in memory, one entry at a time (only one entry is ever
 * inflated at once). The archive is checked first and refused whole when unsafe.
 */
function visitZip(bytes: Uint8Array | ZipReader, where: string, visit: Visit): void {
  let entries;
  try {
    entries = checkZip(bytes);
  } catch (e) {
    if (e instanceof UnsafeZipError && e.message.startsWith('no zip'))
      throw new PyauditError('input', `not a valid zip archive (${e.message})`, { file: where });
    refused(where, e);
  }
  const decoder = new TextDecoder();
  const wanted = entries
    .filter((e) => RECORD_FILE.test(e.name) && !e.name.endsWith('/'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of wanted) {
    let content: Buffer;
    try {
      content = readZipEntry(bytes, entry);
    } catch (e) {
      refused(where, e);
    }
    for (const record of parseRecordText(decoder.decode(content), `${where}:${entry.name}`))
      visit(record);
  }
}

async function recordFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  await walk(dir, files);
  if (files.length === 0)
    throw new PyauditError('input', 'no .json or .yaml records in this folder', { file: dir });
  return files;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    if (entry.name.startsWith('.')) continue; // .git, .github …
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile() && RECORD_FILE.test(entry.name)) out.push(full);
  }
}

/** Visits the records of one `db import` argument; resolves to what kind of source it is. */
async function visitSource(location: string, visit: Visit): Promise<DatabaseSource['kind']> {
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new PyauditError('input', 'no such file or folder', { file: location });
  }
  if (info.isDirectory()) {
    for (const file of await recordFiles(location))
      for (const record of parseRecordText(await readFile(file, 'utf8'), file)) visit(record);
    return 'folder';
  }
  // A zip is read piece by piece (directory, then one entry at a time), never whole.
  const fd = openSync(location, 'r');
  try {
    const magic = Buffer.alloc(2);
    readSync(fd, magic, 0, 2, 0);
    if (/\.zip$/i.test(location) || (magic[0] === 0x50 && magic[1] === 0x4b)) {
      visitZip(fileReader(fd, info.size), location, visit);
      return 'zip';
    }
  } finally {
    closeSync(fd);
  }
  for (const record of parseRecordText(await readFile(location, 'utf8'), location)) visit(record);
  return 'file';
}

/** Reads the records of a zip held in memory (`where` names it in errors). */
export function readZip(bytes: Uint8Array, where: string): ReadRecords {
  const records: OsvRecord[] = [];
  visitZip(bytes, where, (r) => records.push(r));
  return split(records);
}

/** Reads one `db import` argument. */
export async function readSource(
  location: string,
): Promise<ReadRecords & { kind: DatabaseSource['kind'] }> {
  const records: OsvRecord[] = [];
  const kind = await visitSource(location, (r) => records.push(r));
  return { ...split(records), kind };
}

/** Records ready for the database file, as `db import` and `db update` hold them. */
export interface PackedRecords {
  readonly records: PackedRecord[];
  readonly otherEcosystems: number;
}

function packer(): { visit: Visit; result: PackedRecords } {
  const result = { records: [] as PackedRecord[], otherEcosystems: 0 };
  return {
    result,
    visit: (record) => {
      if (pypiPackagesOf(record).length === 0) result.otherEcosystems++;
      else result.records.push(packRecord(record));
    },
  };
}

/** `readZip`, keeping each record packed as soon as it is read. */
export function readZipPacked(bytes: Uint8Array, where: string): PackedRecords {
  const { visit, result } = packer();
  visitZip(bytes, where, visit);
  return result;
}

/** `readSource`, keeping each record packed as soon as it is read. */
export async function readSourcePacked(
  location: string,
): Promise<PackedRecords & { kind: DatabaseSource['kind'] }> {
  const { visit, result } = packer();
  const kind = await visitSource(location, visit);
  return { ...result, kind };
}
