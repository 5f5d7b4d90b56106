/**
 * The PEP 751 lock-file source: one or more `pylock.toml` / `pylock.<name>.toml` files.
 */
import { readFile } from 'node:fs/promises';
import type { CollectResult, DependencySource } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';
import { parsePylock } from './parse.js';

export { parsePylock, type PylockFile } from './parse.js';

/** `pylock.toml` or `pylock.<name>.toml` (PEP 751 §File name). */
export function isPylockName(name: string): boolean {
  return /^pylock(\.[^.\s/\\]+)?\.toml$/.test(name);
}

export function pylockSource(
  files: readonly string[],
  options: { resolve: (file: string) => string },
): DependencySource {
  return {
    description: files.join(', '),
    async collect(): Promise<CollectResult> {
      const dependencies = [];
      for (const file of files) {
        let text: string;
        try {
          text = await readFile(options.resolve(file), 'utf8');
        } catch (e) {
          throw inputError(
            (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message,
            file,
          );
        }
        dependencies.push(...parsePylock(text, file).dependencies);
      }
      return { dependencies, warnings: [] };
    },
  };
}
