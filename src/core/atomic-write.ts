/**
 * Writes a file so that a reader never sees half of it: into a uniquely named hidden file
 * beside it, then renamed over it. Concurrent writers (processes or async calls) never share
 * a temporary file; on failure the temporary file is removed and the error is thrown. `mode`
 * sets the new file's permissions (the umask applies), as `fs.writeFile` does.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempFileBeside } from './temp-name.js';

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode?: number,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = tempFileBeside(file);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, data, mode === undefined ? {} : { mode });
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}
