/**
 * Reads OSV records from what `pyaudit db import` is given: a zip (OSV's `all.zip` dumps), a
 * folder tree of `.json` / `.yaml` records (a clone of the PyPA advisory database), or single
 * files (one record, or a JSON array of records). Records without a PyPI `affected` entry
 * are counted and left out. A file that is not a valid record fails the import, naming it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import yaml from 'js-yaml';
import { PyauditError } from '../../core/errors.js';
import { osvRecordProblem, type OsvRecord } from '../../standards/osv.js';
import { pypiPackagesOf } from '../store.js';
import type { DatabaseSource } from './format.js';
import { checkZip, UnsafeZipError } from './zip.js';

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

/** Reads the records of a zip held in memory (`where` names it in errors). */
export function readZip(bytes: Uint8Array, where: string): ReadRecords {
  let entries: Record<string, Uint8Array>;
  let declared: Map<string, number>;
  try {
    declared = new Map(checkZip(bytes).map((e) => [e.name, e.uncompressedSize]));
  } catch (e) {
    if (!(e instanceof UnsafeZipError)) throw e;
    throw new PyauditError('input', `refused: ${e.message}; nothing was imported`, {
      file: where,
    });
  }
  try {
    entries = unzipSync(bytes, {
      filter: (file) => RECORD_FILE.test(file.name) && !file.name.endsWith('/'),
    });
  } catch (e) {
    throw new PyauditError('input', `not a valid zip archive (${(e as Error).message})`, {
      file: where,
    });
  }
  const decoder = new TextDecoder();
  const records: OsvRecord[] = [];
  for (const name of Object.keys(entries).sort()) {
    const data = entries[name] as Uint8Array;
    if (data.length !== declared.get(name))
      throw new PyauditError(
        'input',
        `refused: the entry '${name}' does not inflate to its declared size; nothing was imported`,
        { file: where },
      );
    for (const record of parseRecordText(decoder.decode(data), `${where}:${name}`))
      records.push(record);
  }
  return split(records);
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

/** Reads one `db import` argument. */
export async function readSource(
  location: string,
): Promise<ReadRecords & { kind: DatabaseSource['kind'] }> {
  let info;
  try {
    info = await stat(location);
  } catch {
    throw new PyauditError('input', 'no such file or folder', { file: location });
  }
  if (info.isDirectory()) {
    const files: string[] = [];
    await walk(location, files);
    if (files.length === 0)
      throw new PyauditError('input', 'no .json or .yaml records in this folder', {
        file: location,
      });
    const records: OsvRecord[] = [];
    for (const file of files)
      for (const record of parseRecordText(await readFile(file, 'utf8'), file))
        records.push(record);
    return { ...split(records), kind: 'folder' };
  }
  const bytes = await readFile(location);
  if (/\.zip$/i.test(location) || (bytes[0] === 0x50 && bytes[1] === 0x4b))
    return { ...readZip(bytes, location), kind: 'zip' };
  return { ...split(parseRecordText(bytes.toString('utf8'), location)), kind: 'file' };
}
