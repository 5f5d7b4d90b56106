/**
 * Access to `../shared` (real advisory data, parser fixtures, conformance outputs). When it is
 * missing, tests that need it fail loudly in CI (CI=true always has it) and are skipped with a
 * visible notice elsewhere.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DIR = process.env.PYAUDIT_SHARED_DIR ?? path.resolve(REPO_ROOT, '../shared');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

export function sharedAvailable(): boolean {
  return existsSync(path.join(SHARED_DIR, 'README.md'));
}

/** `describe` for suites that read ../shared. */
export function describeShared(name: string, body: () => void): void {
  if (sharedAvailable()) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs ../shared', () => {
        throw new Error(`../shared is missing (looked in ${SHARED_DIR}); CI must provide it`);
      });
    });
    return;
  }
  console.warn(`[pyaudit tests] skipping "${name}": ../shared not found at ${SHARED_DIR}`);
  describe.skip(name, body);
}
