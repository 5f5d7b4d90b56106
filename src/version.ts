/**
 * The package version: fixed into the bundled CLI at build time, read from package.json
 * when running from the sources or the unbundled library.
 */
import { readFileSync } from 'node:fs';

declare const __PYAUDIT_VERSION__: string | undefined;

export const VERSION: string =
  typeof __PYAUDIT_VERSION__ === 'string'
    ? __PYAUDIT_VERSION__
    : (
        JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
          version: string;
        }
      ).version;
