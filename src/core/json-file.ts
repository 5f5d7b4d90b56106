/** JSON input files, with one-line errors that name the file and line. */
import { inputError } from './errors.js';

/** A JSON object (not an array, not null). */
export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseJsonFile(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    // V8 quotes a piece of the input in some messages; keep only the reason.
    const reason = message
      .replace(/,\s*"[\s\S]*" is not valid JSON$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/\s+/g, ' ');
    throw inputError(`invalid JSON in ${what} (${reason})`, file, line);
  }
}
