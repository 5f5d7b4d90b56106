/**
 * Safety checks on a zip before anything in it is inflated (`db import`, `db update` read
 * zips that come from the internet). The central directory is read directly (APPNOTE 6.3.10
 * §4.3.12–16, with ZIP64 §4.3.14/§4.5.3), and the whole archive is refused when any entry
 * has an absolute path or a `..` segment, is a symbolic link, or declares sizes that make it
 * a decompression bomb. Nothing is ever extracted to disk, but an archive built to attack an
 * extractor is not a database source.
 */
import { readSync } from 'node:fs';
import { inflateSync } from 'fflate';

export interface ZipEntryInfo {
  readonly name: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly symlink: boolean;
  /** 0 stored, 8 deflated (others are refused when read). */
  readonly method: number;
  readonly localHeaderOffset: number;
}

export interface ZipLimits {
  /** Largest inflated size of one entry (an OSV record is a few KiB). */
  readonly maxEntryBytes: number;
  /** Largest inflated size of the whole archive (OSV's PyPI dump: ~130 MB). */
  readonly maxTotalBytes: number;
  /** Largest inflated/compressed ratio for an entry over 1 MiB. */
  readonly maxRatio: number;
  readonly maxEntries: number;
}

export const ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 1_000_000,
};

/** Why an archive is refused: a sentence without the archive's name. */
export class UnsafeZipError extends Error {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const MAX_U32 = 0xffffffff;

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/** Random access to an archive: bytes in memory, or a file read piece by piece. */
export interface ZipReader {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end of the archive). */
  read(offset: number, length: number): Uint8Array;
}

export function bytesReader(bytes: Uint8Array): ZipReader {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** Reads an open file with positional reads: only the directory and one entry at a time. */
export function fileReader(fd: number, size: number): ZipReader {
  return {
    size,
    read(offset, length) {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buffer.length) {
        const n = readSync(fd, buffer, done, buffer.length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return buffer.subarray(0, done);
    },
  };
}

const readerOf = (source: Uint8Array | ZipReader): ZipReader =>
  source instanceof Uint8Array ? bytesReader(source) : source;

const viewOf = (bytes: Uint8Array): DataView =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The entries of the central directory; throws UnsafeZipError on a malformed one. */
export function listZipEntries(source: Uint8Array | ZipReader): ZipEntryInfo[] {
  const reader = readerOf(source);
  // The end record is in the last 22 bytes plus at most a 65,535-byte comment.
  const tailStart = Math.max(0, reader.size - 22 - 65535 - 20);
  const tail = reader.read(tailStart, reader.size - tailStart);
  const tailView = viewOf(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new UnsafeZipError('no zip end-of-central-directory record');
  let count = tailView.getUint16(eocd + 10, true);
  let directorySize = tailView.getUint32(eocd + 12, true);
  let offset = tailView.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || offset === MAX_U32 || directorySize === MAX_U32) &&
    eocd >= 20 &&
    tailView.getUint32(eocd - 20, true) === ZIP64_LOCATOR
  ) {
    const at = u64(tailView, eocd - 12);
    const record = reader.read(at, 56);
    const view = viewOf(record);
    if (record.length < 56 || view.getUint32(0, true) !== ZIP64_EOCD)
      throw new UnsafeZipError('a malformed ZIP64 directory');
    count = u64(view, 32);
    directorySize = u64(view, 40);
    offset = u64(view, 48);
  }
  if (count > ZIP_LIMITS.maxEntries)
    throw new UnsafeZipError(`more than ${ZIP_LIMITS.maxEntries} entries`);
  if (offset + directorySize > reader.size)
    throw new UnsafeZipError('a malformed central directory');
  const directory = reader.read(offset, directorySize);
  const view = viewOf(directory);
  const decoder = new TextDecoder();
  const entries: ZipEntryInfo[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL)
      throw new UnsafeZipError('a malformed central directory');
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const method = view.getUint16(at + 10, true);
    let compressedSize = view.getUint32(at + 20, true);
    let uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const external = view.getUint32(at + 38, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    if (at + 46 + nameLength + extraLength > directory.length)
      throw new UnsafeZipError('a malformed central directory');
    const name = decoder.decode(directory.subarray(at + 46, at + 46 + nameLength));
    // ZIP64 extended information: the 8-byte values that did not fit, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const size = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        if (uncompressedSize === MAX_U32 && field + 8 <= extraEnd) {
          uncompressedSize = u64(view, field);
          field += 8;
        }
        if (compressedSize === MAX_U32 && field + 8 <= extraEnd) {
          compressedSize = u64(view, field);
          field += 8;
        }
        if (localHeaderOffset === MAX_U32 && field + 8 <= extraEnd)
          localHeaderOffset = u64(view, field);
      }
      extra += 4 + size;
    }
    // Unix hosts keep the file mode in the high half of the external attributes.
    const symlink = madeBy === 3 && ((external >>> 16) & 0o170000) === 0o120000;
    entries.push({ name, compressedSize, uncompressedSize, symlink, method, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * One entry's content, inflated with its declared size as a hard cap; an entry that does not
 * inflate to exactly its declared size is refused.
 */
export function readZipEntry(source: Uint8Array | ZipReader, entry: ZipEntryInfo): Buffer {
  const reader = readerOf(source);
  const header = reader.read(entry.localHeaderOffset, 30);
  const view = viewOf(header);
  if (header.length < 30 || view.getUint32(0, true) !== 0x04034b50)
    throw new UnsafeZipError(`the entry '${entry.name}' has no local header`);
  const start = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  const data = reader.read(start, entry.compressedSize);
  if (data.length !== entry.compressedSize)
    throw new UnsafeZipError(`the entry '${entry.name}' is truncated`);
  let content: Buffer;
  if (entry.method === 0) content = Buffer.from(data);
  else if (entry.method === 8) {
    try {
      // Into a buffer of exactly the declared size, which it cannot outgrow (fflate stops at
      // its end), so a lying header cannot make it allocate more.
      const out = inflateSync(data, { out: new Uint8Array(entry.uncompressedSize) });
      content = Buffer.from(out.buffer, out.byteOffset, out.length);
    } catch {
      throw new UnsafeZipError(
        `the entry '${entry.name}' does not inflate to its declared size (corrupt or a bomb)`,
      );
    }
  } else
    throw new UnsafeZipError(`the entry '${entry.name}' uses compression method ${entry.method}`);
  if (content.length !== entry.uncompressedSize)
    throw new UnsafeZipError(`the entry '${entry.name}' does not inflate to its declared size`);
  return content;
}

/** Throws UnsafeZipError when the archive must not be read. */
export function checkZip(
  source: Uint8Array | ZipReader,
  limits: ZipLimits = ZIP_LIMITS,
): ZipEntryInfo[] {
  const entries = listZipEntries(source);
  let total = 0;
  for (const e of entries) {
    const segments = e.name.split(/[\\/]/);
    if (e.name.includes('\0')) throw new UnsafeZipError(`the entry name '${e.name}' holds a NUL`);
    if (/^([\\/]|[A-Za-z]:)/.test(e.name))
      throw new UnsafeZipError(`the entry '${e.name}' has an absolute path`);
    if (segments.includes('..'))
      throw new UnsafeZipError(`the entry '${e.name}' leaves the archive's folder (..)`);
    if (e.symlink) throw new UnsafeZipError(`the entry '${e.name}' is a symbolic link`);
    if (e.uncompressedSize > limits.maxEntryBytes)
      throw new UnsafeZipError(
        `the entry '${e.name}' inflates to ${e.uncompressedSize} bytes (at most ${limits.maxEntryBytes})`,
      );
    if (
      e.uncompressedSize > 1024 * 1024 &&
      e.uncompressedSize > limits.maxRatio * Math.max(1, e.compressedSize)
    )
      throw new UnsafeZipError(
        `the entry '${e.name}' inflates ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))} times (a decompression bomb?)`,
      );
    total += e.uncompressedSize;
    if (total > limits.maxTotalBytes)
      throw new UnsafeZipError(`the archive inflates to more than ${limits.maxTotalBytes} bytes`);
  }
  return entries;
}
