/**
 * Starts the bundled CLI (`dist/bundle/main.cjs`) with V8's code cache, the way Node 22's
 * compile cache and `v8-compile-cache` do: compiling ~600 kB of JavaScript costs more than a
 * warm audit's own work, so the first audit that may write to the user cache keeps the
 * compiled code (`<cache folder>/code/`) and later runs start from it.
 *
 * The entry is named by a checksum of the bundle, its length, Node's version and the
 * architecture; a cache file carries a CRC-32 of its payload, so a truncated or damaged one is
 * discarded, never given to V8 (which checks only its version, its flags and the source's
 * length); on POSIX systems a file not owned by the user, or writable by others, is not read.
 * When V8 refuses the data, the bundle is compiled as usual. Every cache failure is silent: it costs speed, never
 * a result. A few entries are kept, newest first, so that installations of different versions
 * sharing one cache do not evict each other.
 */
import { isAscii } from 'node:buffer';
import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../core/atomic-write.js';
import { cacheDirFromEnv, defaultCacheDir } from '../core/cache-dir.js';
import type { CliIo } from './main.js';

/** What the bundle exports. */
export interface CliModule {
  main(argv: readonly string[], io?: CliIo): Promise<number>;
  defaultIo(): CliIo;
}

export interface LoadedScript<T> {
  readonly exports: T;
  /** V8 accepted the cached code. */
  readonly fromCache: boolean;
  /**
   * Keeps the code compiled so far (call it after the work, so that functions compiled on
   * first use are in it too), unless V8 already accepted the cached copy. Never rejects.
   */
  saveCodeCache(): Promise<void>;
}

const MAGIC = Buffer.from('pyaudit-v8-code-cache\n');
/**
 * The payload's CRC-32, which finds truncation and damage (the file's ownership and mode, not a
 * digest, are what keep others' code out). Checksums, not SHA-256: crypto costs ~5 ms a start.
 */
const DIGEST_BYTES = 4;
/** Entries kept per file: this build's and the newest others (other installations, Node versions). */
const KEPT_ENTRIES = 4;
/** A cache file larger than this is not read (the CLI's is about 1 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

function checksum(data: Uint8Array): Buffer {
  const digest = Buffer.alloc(DIGEST_BYTES);
  digest.writeUInt32BE(crc32(data));
  return digest;
}

/**
 * Whether compiled code in this file may run here: on POSIX systems only a file of the user
 * running pyaudit that no one else can write (code from a cache folder shared with others, as
 * in `/tmp`, is never trusted).
 */
function trusted(info: Stats): boolean {
  if (typeof process.getuid !== 'function') return true;
  return info.uid === process.getuid() && (info.mode & 0o022) === 0;
}

/** The payload of a cache file, or undefined when it is missing, damaged, untrusted or not one. */
function readCacheFile(file: string): Buffer | undefined {
  let data: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (!trusted(fstatSync(fd))) return undefined;
    data = readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const start = MAGIC.length + DIGEST_BYTES;
  if (data.length <= start || data.length > MAX_CACHE_BYTES) return undefined;
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const payload = data.subarray(start);
  return checksum(payload).equals(data.subarray(MAGIC.length, start)) ? payload : undefined;
}

/**
 * Loads a CommonJS file, from V8's cached code in `cacheFolder` when there is a valid entry
 * for this exact file and Node (`cacheFolder` null: no cache).
 */
export function loadWithCodeCache<T>(file: string, cacheFolder: string | null): LoadedScript<T> {
  const bytes = readFileSync(file);
  // The bundle is ASCII (esbuild escapes the rest), which decodes faster as Latin-1.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const stem = path.basename(file).replace(/[^A-Za-z0-9_.-]/g, '_');
  // The bundle's CRC-32 and length (V8 itself compares only the length), then Node's.
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const sourceCrc = crc32(bytes);
  const key = `${hex(sourceCrc)}${hex(bytes.length)}${hex(crc32(`${process.version}\0${process.arch}`, sourceCrc))}`;
  const cacheFile = cacheFolder && path.join(cacheFolder, `${stem}-${key}.v8`);
  const cachedData = cacheFile ? readCacheFile(cacheFile) : undefined;
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
    {
      filename: file,
      ...(cachedData && { cachedData }),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (
    exports: T,
    require: NodeJS.Require,
    module: { exports: T },
    filename: string,
    dirname: string,
  ) => void;
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports,
    fromCache,
    async saveCodeCache(): Promise<void> {
      if (!cacheFile || !cacheFolder || fromCache) return;
      try {
        const payload = script.createCachedData();
        await writeFileAtomic(cacheFile, Buffer.concat([MAGIC, checksum(payload), payload]), 0o600);
        // Entries of other builds or Node versions: the newest few stay (two installations
        // sharing the cache must not evict each other on every run), older ones go.
        const others = readdirSync(cacheFolder)
          .filter((name) => name.startsWith(`${stem}-`) && name !== path.basename(cacheFile))
          .map((name) => path.join(cacheFolder, name))
          .map((file) => ({ file, mtime: statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
          .sort((a, b) => b.mtime - a.mtime);
        for (const { file } of others.slice(KEPT_ENTRIES - 1)) rmSync(file, { force: true });
      } catch {
        // A cache that cannot be written costs the next start some time, nothing else.
      }
    },
  };
}

/** The code cache's folder: `code/` in the cache folder that `PYAUDIT_CACHE_DIR` or the platform names. */
export function codeCacheFolder(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  return path.join(cacheDirFromEnv(env, cwd) ?? defaultCacheDir(env), 'code');
}

/** Runs the CLI from its bundle (`dist/bundle/main.cjs`); resolves to the exit code. */
export async function launch(bundle: string, argv: readonly string[]): Promise<number> {
  const loaded = loadWithCodeCache<CliModule>(bundle, codeCacheFolder(process.env, process.cwd()));
  let cacheAllowed = false;
  const code = await loaded.exports.main(argv, {
    ...loaded.exports.defaultIo(),
    cacheAllowed: () => {
      cacheAllowed = true;
    },
  });
  if (cacheAllowed) await loaded.saveCodeCache();
  return code;
}
