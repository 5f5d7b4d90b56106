/**
 * Writes a set of changed files all or nothing. Each file is replaced atomically (a temporary
 * file beside it, flushed, with the original's permissions, renamed over it), a file whose
 * bytes on disk differ from those the change was computed from is never overwritten, and if
 * any step fails every file already replaced gets its original bytes back.
 */
import { chmod, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { tempFileBeside } from '../core/temp-name.js';

export interface FileChange {
  /** Absolute path. */
  readonly file: string;
  /** The bytes the change was computed from (as read). */
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

export interface TransactionOptions {
  /**
   * Called before each file is replaced (0-based step), after the earlier ones were: lets
   * tests make a real failure happen in the middle of a multi-file fix.
   */
  readonly beforeStep?: (step: number, file: string) => Promise<void> | void;
}

export class TransactionError extends Error {
  constructor(
    message: string,
    /** The file that failed. */
    readonly file: string,
    /** Files that could not be restored (normally none). */
    readonly unrestored: readonly string[],
  ) {
    super(message);
    this.name = 'TransactionError';
  }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Replaces `file` with `bytes` atomically, keeping `mode`. */
async function replaceAtomically(file: string, bytes: Uint8Array, mode: number): Promise<void> {
  const temp = tempFileBeside(file);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode); // the umask may have narrowed it
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

const reason = (e: unknown): string =>
  (e as NodeJS.ErrnoException).code ?? (e as Error).message ?? String(e);

/** Applies every change, or none: see the module comment. */
export async function applyChanges(
  changes: readonly FileChange[],
  options: TransactionOptions = {},
): Promise<void> {
  const done: Array<{ change: FileChange; mode: number }> = [];
  let step = 0;
  for (const change of changes) {
    try {
      await options.beforeStep?.(step++, change.file);
      const onDisk = await readFile(change.file);
      if (!same(onDisk, change.before)) {
        throw new TransactionError(
          `${change.file} changed on disk since it was read; it was not overwritten`,
          change.file,
          [],
        );
      }
      const { mode } = await stat(change.file);
      await replaceAtomically(change.file, change.after, mode & 0o7777);
      done.push({ change, mode: mode & 0o7777 });
    } catch (e) {
      const unrestored: string[] = [];
      for (const { change: applied, mode } of done.reverse()) {
        try {
          await replaceAtomically(applied.file, applied.before, mode);
        } catch {
          unrestored.push(applied.file);
        }
      }
      const message =
        e instanceof TransactionError ? e.message : `cannot write ${change.file}: ${reason(e)}`;
      throw new TransactionError(message, change.file, unrestored);
    }
  }
}
