/**
 * Reading one member out of a wheel or an sdist without unpacking (and never running) it:
 * zip archives through ranged reads (the central directory at the end, then the member),
 * so a remote wheel's METADATA costs one or two small HTTP range requests; tar archives
 * (gzip-compressed sdists) by streaming their headers.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';

/** Random access to a file of known size (a local file, a buffer, or HTTP range requests). */
export interface RangeSource {
  readonly size: number;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Buffer>;
}

export class ArchiveError extends Error {}

export function bufferSource(buffer: Buffer): RangeSource {
  return { size: buffer.length, read: async (s, e) => buffer.subarray(s, e) };
}

/** How much of the end of a zip to read first: the central directory of most wheels fits. */
export const ZIP_TAIL_BYTES = 64 * 1024;

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly localOffset: number;
}

/** A source that answers reads inside an already-fetched tail without asking again. */
export function withTail(source: RangeSource, tail: Buffer): RangeSource {
  const tailStart = source.size - tail.length;
  return {
    size: source.size,
    read: (start, end) =>
      start >= tailStart
        ? Promise.resolve(tail.subarray(start - tailStart, end - tailStart))
        : source.read(start, end),
  };
}

async function centralDirectory(source: RangeSource): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, source.size - ZIP_TAIL_BYTES);
  let tail = await source.read(tailStart, source.size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveError('not a zip archive (no end of central directory)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: the locator sits just before the classic record.
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50)
      throw new ArchiveError('broken ZIP64 archive');
    const z64Offset = Number(tail.readBigUInt64LE(loc + 8));
    const z64 =
      z64Offset >= tailStart
        ? tail.subarray(z64Offset - tailStart)
        : await source.read(z64Offset, z64Offset + 56);
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new ArchiveError('broken ZIP64 archive');
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  const cd =
    cdOffset >= tailStart
      ? tail.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
      : await source.read(cdOffset, cdOffset + cdSize);
  tail = Buffer.alloc(0);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count && p + 46 <= cd.length; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new ArchiveError('broken zip central directory');
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    let localOffset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLength);
    if (compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      // ZIP64 extended information extra field (id 1): sizes then offset, only those saturated.
      const extra = cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
      for (let e = 0; e + 4 <= extra.length;) {
        const id = extra.readUInt16LE(e);
        const size = extra.readUInt16LE(e + 2);
        if (id === 1) {
          let q = e + 4;
          if (cd.readUInt32LE(p + 24) === 0xffffffff) q += 8;
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(extra.readBigUInt64LE(q));
            q += 8;
          }
          if (localOffset === 0xffffffff) localOffset = Number(extra.readBigUInt64LE(q));
        }
        e += 4 + size;
      }
    }
    entries.push({ name, method, compressedSize, localOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

async function readEntry(source: RangeSource, entry: ZipEntry): Promise<Buffer> {
  // The local header's name/extra lengths may differ from the central copy: read it first
  // (with some slack, so one read usually covers header and data).
  const guess = entry.localOffset + 30 + entry.name.length + 256 + entry.compressedSize;
  let chunk = await source.read(entry.localOffset, Math.min(source.size, guess));
  if (chunk.readUInt32LE(0) !== 0x04034b50) throw new ArchiveError('broken zip local header');
  const start = 30 + chunk.readUInt16LE(26) + chunk.readUInt16LE(28);
  if (chunk.length < start + entry.compressedSize) {
    chunk = await source.read(entry.localOffset, entry.localOffset + start + entry.compressedSize);
  }
  const data = chunk.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return inflateRawSync(data);
  throw new ArchiveError(`unsupported zip compression method ${entry.method}`);
}

/**
 * Reads the first member whose name matches, or null when none does. Names are matched on
 * the central directory, so only that member's bytes are fetched.
 */
export async function readZipMember(
  source: RangeSource,
  match: (name: string) => boolean,
): Promise<Buffer | null> {
  const entries = await centralDirectory(source);
  const entry = entries.find((e) => match(e.name));
  return entry ? readEntry(source, entry) : null;
}

/** `{name}-{version}.dist-info/METADATA` at the top of a wheel. */
export const isWheelMetadata = (name: string): boolean => /^[^/]+\.dist-info\/METADATA$/.test(name);

/** `{top}/PKG-INFO` directly under an sdist's top folder. */
export const isSdistPkgInfo = (name: string): boolean => /^[^/]+\/PKG-INFO$/.test(name);

/**
 * Finds a member of a tar archive (gzip-compressed when it starts with the gzip magic), with
 * ustar prefixes and pax `path` records honoured. Returns null when none matches.
 */
export function readTarMember(archive: Buffer, match: (name: string) => boolean): Buffer | null {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  let p = 0;
  let paxPath: string | null = null;
  let longName: string | null = null;
  while (p + 512 <= tar.length) {
    const header = tar.subarray(p, p + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    const prefix = field(257, 6).startsWith('ustar') ? field(345, 155) : '';
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    if (paxPath !== null) name = paxPath;
    if (longName !== null) name = longName;
    const body = tar.subarray(p + 512, p + 512 + size);
    p += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = m ? (m[1] as string) : null;
      continue;
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'g') continue;
    paxPath = null;
    longName = null;
    if ((type === '0' || type === '\0') && match(name.replace(/^\.\//, '')))
      return Buffer.from(body);
  }
  return null;
}
