/**
 * Core metadata files of installed distributions, read without Python: `METADATA` /
 * `PKG-INFO` (RFC 822-style headers; https://packaging.python.org/specifications/core-metadata/)
 * and setuptools' `requires.txt`.
 */

export interface CoreMetadata {
  readonly name?: string;
  readonly version?: string;
  /** `Requires-Dist` values: PEP 508 requirements, possibly with markers. */
  readonly requiresDist: readonly string[];
}

/** Reads the header block (up to the first blank line); continuation lines are folded. */
export function parseCoreMetadata(text: string): CoreMetadata {
  const headers: Array<[string, string]> = [];
  // Only the header block matters; the long description after it can be large.
  const end = text.search(/\r?\n\r?\n/);
  const head = end >= 0 ? text.slice(0, end) : text;
  for (const line of head.replace(/^\ufeff/, '').split(/\r\n|\n|\r/)) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && headers.length > 0) {
      const last = headers[headers.length - 1] as [string, string];
      last[1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const first = (key: string): string | undefined => headers.find(([k]) => k === key)?.[1];
  const name = first('name');
  const version = first('version');
  return {
    ...(name !== undefined && { name }),
    ...(version !== undefined && { version }),
    requiresDist: headers.filter(([k]) => k === 'requires-dist').map(([, v]) => v),
  };
}

/**
 * setuptools' `requires.txt`: plain requirement lines, then `[extra]`, `[:marker]` or
 * `[extra:marker]` sections, turned into PEP 508 requirements with markers.
 */
export function parseRequiresTxt(text: string): string[] {
  const out: string[] = [];
  let marker: string | null = null;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const [extra = '', condition = ''] = (section[1] as string).split(':', 2);
      const parts: string[] = [];
      if (extra.trim()) parts.push(`extra == "${extra.trim()}"`);
      if (condition.trim())
        parts.push(parts.length > 0 ? `(${condition.trim()})` : condition.trim());
      marker = parts.length > 0 ? parts.join(' and ') : null;
      continue;
    }
    out.push(marker ? `${line}; ${marker}` : line);
  }
  return out;
}
