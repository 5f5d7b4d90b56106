/**
 * Temporary folders for a test file that creates many of them (one per test, or one per spawned
 * CLI's cache). Call `tempDirs()` once at the top of the file or of a `describe` block: it
 * registers an `afterAll` that removes every folder the returned function created, so none is
 * left in the system's temporary folder however the tests end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Returns `make(prefix)`, which creates a fresh folder `<tmpdir>/<prefix>XXXXXX`. */
export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
