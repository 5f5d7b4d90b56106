/**
 * PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`); read through the project source.
 */

export { parsePylock, type PylockFile } from './parse.js';

/** `pylock.toml` or `pylock.<name>.toml` (PEP 751 §File name). */
export function isPylockName(name: string): boolean {
  return /^pylock(\.[^.\s/\\]+)?\.toml$/.test(name);
}
