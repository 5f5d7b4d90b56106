/**
 * Core metadata (`METADATA`, `PKG-INFO`, PEP 658 `.metadata` files): the email-header format
 * of the core metadata specification, read for what resolution needs.
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 */

export interface CoreMetadata {
  readonly metadataVersion: string;
  readonly name: string;
  readonly version: string;
  /** `Requires-Dist` lines as written. */
  readonly requiresDist: readonly string[];
  readonly requiresPython: string | null;
  readonly providesExtra: readonly string[];
  /** `Dynamic` field names, lower-cased (PEP 643). */
  readonly dynamic: readonly string[];
}

/** Parses the header part of a core metadata file; returns null when Name or Version is missing. */
export function parseCoreMetadata(text: string): CoreMetadata | null {
  const fields = new Map<string, string[]>();
  let last: { key: string; values: string[] } | null = null;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line === '') break; // the body (description) starts after the first empty line
    if (/^[ \t]/.test(line)) {
      // A continuation line folds into the previous field.
      if (last) last.values[last.values.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const values = fields.get(key) ?? [];
    values.push(value);
    fields.set(key, values);
    last = { key, values };
  }
  const first = (key: string): string | null => fields.get(key)?.[0] ?? null;
  const name = first('name');
  const version = first('version');
  if (!name || !version) return null;
  return {
    metadataVersion: first('metadata-version') ?? '1.0',
    name,
    version,
    requiresDist: fields.get('requires-dist') ?? [],
    requiresPython: first('requires-python'),
    providesExtra: fields.get('provides-extra') ?? [],
    dynamic: (fields.get('dynamic') ?? []).map((d) => d.toLowerCase()),
  };
}

/**
 * Whether an sdist's PKG-INFO can be trusted for dependencies without building it (PEP 643):
 * Metadata-Version 2.2 or later, and `Requires-Dist` not declared `Dynamic`.
 */
export function hasStaticDependencies(metadata: CoreMetadata): boolean {
  const [major = 0, minor = 0] = metadata.metadataVersion.split('.').map(Number);
  if (major < 2 || (major === 2 && minor < 2)) return false;
  return !metadata.dynamic.includes('requires-dist');
}
