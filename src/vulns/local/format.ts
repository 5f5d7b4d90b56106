/**
 * The offline database file, version 1: one immutable file, written whole and renamed into
 * place, so a reader never sees half of it.
 *
 * ```
 * "PYAUDDB\0"            8 bytes, magic
 * format version         u32 LE (1)
 * header length          u32 LE
 * header                 JSON: DatabaseHeader (counts, sources, built time, body checksum)
 * body                   u32 LE index length, deflated index JSON, then the record blobs
 *                        (each record's JSON, deflated on its own)
 * ```
 *
 * The index maps PyPI project names to record numbers and record numbers to their id and
 * blob position, so opening costs one read, a CRC-32 over the body and one small inflate;
 * records are inflated only when a package that needs them is looked up.
 *
 * Why this and not SQLite, measured on the PyPA database (2,661 records) on this project's
 * machine: the packed file is 2.1 MiB and opens in ~5 ms with nothing to initialise; sql.js
 * (SQLite in WebAssembly, the only SQLite that needs no native build) needs 15–22 ms to
 * instantiate its 690 KB WASM before the first query, then ~5 ms to open a 6.9 MB file of the
 * same records (uncompressed), and adds a dependency. Native SQLite addons are ruled out: they
 * fail to install where no prebuilt binary can be downloaded (air-gapped machines).
 */
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { OsvRecord } from '../../standards/osv.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { pypiPackagesOf, type RecordStore } from '../store.js';

export const MAGIC = Buffer.from('PYAUDDB\0', 'latin1');
export const FORMAT_VERSION = 1;

export interface DatabaseSource {
  /** Where the records came from: a URL, a file or a folder. */
  readonly location: string;
  readonly kind: 'download' | 'zip' | 'folder' | 'file';
  /** PyPI records this source provided at its last import. */
  readonly records: number;
  readonly importedAt: string;
  /** For conditional downloads. */
  readonly etag?: string;
  readonly lastModified?: string;
}

export interface DatabaseHeader {
  readonly format: number;
  /** When this file was written (ISO 8601). */
  readonly built: string;
  readonly records: number;
  readonly packages: number;
  readonly sources: readonly DatabaseSource[];
  /** CRC-32 of the body, as 8 hex digits. */
  readonly checksum: string;
  readonly bodyLength: number;
}

interface DatabaseIndex {
  readonly ids: string[];
  readonly offsets: number[];
  readonly lengths: number[];
  /** Project name → record numbers. */
  readonly packages: Record<string, number[]>;
  /** Each record's `modified` ("" when it has none); absent in files written before it. */
  readonly modified?: string[];
}

export class DatabaseFormatError extends Error {}

/**
 * A record ready for the file: its deflated JSON and what the index needs. Imports hold
 * records in this form (a fraction of the memory of parsed objects), so 30,000 records
 * stream from a zip into the file without all being objects at once.
 */
export interface PackedRecord {
  readonly id: string;
  readonly modified: string;
  readonly packages: readonly string[];
  readonly blob: Buffer;
}

export function packRecord(record: OsvRecord): PackedRecord {
  const deflated = deflateRawSync(JSON.stringify(record));
  // A copy in memory of its own: zlib's result is a view of its 16 KiB output chunk, and a
  // copy from Buffer's shared 8 KiB pool would keep the whole slab alive; either way 30,000
  // held records would pin several times their size.
  const blob = Buffer.alloc(deflated.length);
  deflated.copy(blob);
  return { id: record.id, modified: record.modified ?? '', packages: pypiPackagesOf(record), blob };
}

/** Encodes records (PyPI ones only; callers filter) into the file's bytes. */
export function encodeDatabase(
  records: readonly OsvRecord[],
  meta: { built: string; sources: readonly DatabaseSource[] },
): Buffer {
  return encodePacked(records.map(packRecord), meta);
}

const byPackedId = (a: PackedRecord, b: PackedRecord): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Encodes packed records into the file's bytes. */
export function encodePacked(
  records: readonly PackedRecord[],
  meta: { built: string; sources: readonly DatabaseSource[] },
): Buffer {
  return Buffer.concat(encodePackedParts(records, meta).parts);
}

/**
 * The file as a list of pieces that, written in order, make it: the records' blobs are not
 * copied into one body (30,000 records would be held twice while the file is written).
 */
export function encodePackedParts(
  records: readonly PackedRecord[],
  meta: { built: string; sources: readonly DatabaseSource[] },
): { header: DatabaseHeader; parts: Buffer[] } {
  const sorted = [...records].sort(byPackedId);
  const offsets: number[] = [];
  const lengths: number[] = [];
  const packages: Record<string, number[]> = {};
  let offset = 0;
  sorted.forEach((record, i) => {
    offsets.push(offset);
    lengths.push(record.blob.length);
    offset += record.blob.length;
    for (const name of record.packages) (packages[name] ??= []).push(i);
  });
  const index: DatabaseIndex = {
    ids: sorted.map((r) => r.id),
    offsets,
    lengths,
    packages,
    modified: sorted.map((r) => r.modified),
  };
  const indexBlob = deflateRawSync(Buffer.from(JSON.stringify(index)));
  const indexLength = Buffer.alloc(4);
  indexLength.writeUInt32LE(indexBlob.length);
  let checksum = crc32(indexBlob, crc32(indexLength));
  for (const record of sorted) checksum = crc32(record.blob, checksum);
  const header: DatabaseHeader = {
    format: FORMAT_VERSION,
    built: meta.built,
    records: sorted.length,
    packages: Object.keys(packages).length,
    sources: meta.sources,
    checksum: checksum.toString(16).padStart(8, '0'),
    bodyLength: 4 + indexBlob.length + offset,
  };
  const headerBlob = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(16);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(FORMAT_VERSION, 8);
  prefix.writeUInt32LE(headerBlob.length, 12);
  return {
    header,
    parts: [prefix, headerBlob, indexLength, indexBlob, ...sorted.map((r) => r.blob)],
  };
}

/** Reads the header only (for `db status` and age checks). */
export function decodeHeader(bytes: Buffer): { header: DatabaseHeader; bodyStart: number } {
  if (bytes.length < 16 || !bytes.subarray(0, 8).equals(MAGIC)) {
    throw new DatabaseFormatError('not a pyaudit database (bad magic number)');
  }
  const version = bytes.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw new DatabaseFormatError(
      `database format ${version} is not supported by this pyaudit (it reads format ${FORMAT_VERSION}); rebuild it with pyaudit db import or db update`,
    );
  }
  const headerLength = bytes.readUInt32LE(12);
  if (16 + headerLength > bytes.length)
    throw new DatabaseFormatError('the database is truncated (header)');
  let header: DatabaseHeader;
  try {
    header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString('utf8')) as DatabaseHeader;
  } catch {
    throw new DatabaseFormatError('the database header is corrupt');
  }
  return { header, bodyStart: 16 + headerLength };
}

/** A store over a database file's bytes; verifies the checksum first. */
export function decodeDatabase(bytes: Buffer): {
  header: DatabaseHeader;
  store: RecordStore;
  /** Every record id, sorted. */
  ids: readonly string[];
} {
  const { header, bodyStart } = decodeHeader(bytes);
  const body = bytes.subarray(bodyStart);
  if (body.length !== header.bodyLength)
    throw new DatabaseFormatError('the database is truncated (body)');
  if (crc32(body).toString(16).padStart(8, '0') !== header.checksum) {
    throw new DatabaseFormatError('the database is corrupt (checksum mismatch)');
  }
  const indexLength = body.readUInt32LE(0);
  const index = JSON.parse(
    inflateRawSync(body.subarray(4, 4 + indexLength)).toString('utf8'),
  ) as DatabaseIndex;
  const blobs = body.subarray(4 + indexLength);
  const numberOf = new Map(index.ids.map((id, i) => [id, i]));
  const cache = new Map<number, OsvRecord>();
  const load = (i: number): OsvRecord => {
    let record = cache.get(i);
    if (!record) {
      const offset = index.offsets[i] as number;
      record = JSON.parse(
        inflateRawSync(blobs.subarray(offset, offset + (index.lengths[i] as number))).toString(
          'utf8',
        ),
      ) as OsvRecord;
      cache.set(i, record);
    }
    return record;
  };
  const store: RecordStore = {
    recordsFor: (name) => (index.packages[canonicalizeName(name)] ?? []).map(load),
    record: (id) => {
      const i = numberOf.get(id);
      return i === undefined ? undefined : load(i);
    },
    size: index.ids.length,
  };
  return { header, store, ids: index.ids };
}

/** Every record of a file as stored, without inflating them (for re-writing the file). */
export function packedRecords(bytes: Buffer): PackedRecord[] {
  const { header, bodyStart } = decodeHeader(bytes);
  const { store, ids } = decodeDatabase(bytes);
  const body = bytes.subarray(bodyStart, bodyStart + header.bodyLength);
  const indexLength = body.readUInt32LE(0);
  const index = JSON.parse(
    inflateRawSync(body.subarray(4, 4 + indexLength)).toString('utf8'),
  ) as DatabaseIndex;
  const blobs = body.subarray(4 + indexLength);
  const packagesOf: string[][] = ids.map(() => []);
  for (const [name, numbers] of Object.entries(index.packages))
    for (const n of numbers) packagesOf[n]?.push(name);
  return ids.map((id, i) => {
    const offset = index.offsets[i] as number;
    return {
      id,
      modified: index.modified?.[i] ?? store.record(id)?.modified ?? '',
      packages: packagesOf[i] as string[],
      // A view into the file's bytes, which the caller holds until the new file is written.
      blob: blobs.subarray(offset, offset + (index.lengths[i] as number)),
    };
  });
}

/** Every record in the file (for re-writing it with more records). */
export function allRecords(bytes: Buffer): OsvRecord[] {
  const { store, ids } = decodeDatabase(bytes);
  return ids.map((id) => store.record(id) as OsvRecord);
}
