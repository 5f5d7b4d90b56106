/**
 * The caches kept in one file each (query answers, record summaries):
 * `{"format": 1, "entries": {key: entry}}`, each entry checked by its cache when used.
 */
import { readFileSync } from 'node:fs';
import { isJsonObject } from '../core/json-file.js';

/** The file's entries, or none when it is missing, unreadable or not one of these files. */
export function readEntriesFile(file: string): Map<string, unknown> {
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (isJsonObject(data) && data.format === 1 && isJsonObject(data.entries))
      return new Map(Object.entries(data.entries));
  } catch {
    // Missing, unreadable or not JSON: an empty cache.
  }
  return new Map();
}
