/**
 * JSON written as Python's `json.dumps` writes it by default: `", "` and `": "` separators,
 * non-ASCII escaped as `\uXXXX`. pip-audit's JSON is byte-for-byte this, and scripts that
 * compare outputs rely on it.
 *
 * Node's own `JSON.stringify` does the work (for a report of hundreds of findings it is several
 * times faster than walking the value here); one pass over its output then adds the spaces
 * after the separators outside strings and escapes what is not ASCII inside them. Numbers are
 * written as JavaScript writes them (pip-audit's JSON has integers only).
 */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A string token of JSON.stringify's output, or a separator outside strings. */
const TOKENS = /"(?:[^"\\]|\\.)*"|[,:]/g;
const NOT_ASCII = /[\u007f-\uffff]/g;

const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function pythonJsonDumps(value: JsonValue): string {
  return JSON.stringify(value).replace(TOKENS, (token) => {
    if (token === ',') return ', ';
    if (token === ':') return ': ';
    return token.replace(NOT_ASCII, escapeChar);
  });
}
