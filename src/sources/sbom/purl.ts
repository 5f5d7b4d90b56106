/**
 * Package URLs (https://github.com/package-url/purl-spec):
 * `pkg:type/namespace/name@version?qualifiers#subpath`, each part percent-encoded.
 */
export interface Purl {
  /** The package type, lowercased (`pypi`, `npm`, `deb` …). */
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
}

export interface PypiPurl {
  readonly name: string;
  readonly version?: string;
}

/** The parts of a purl, decoded, or `null` when it is not one. */
export function parsePurl(text: string): Purl | null {
  const m = /^pkg:\/*([A-Za-z][A-Za-z0-9.+-]*)\/+([^?#]*)/.exec(text.trim());
  if (!m) return null;
  let rest = m[2] as string;
  let version: string | undefined;
  // The version follows the last '@' that is not inside a later path segment (an npm scope
  // written `@babel/core` unencoded is a namespace, not a version).
  const at = rest.lastIndexOf('@');
  if (at > 0 && !rest.slice(at).includes('/')) {
    version = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').filter((s) => s !== '');
  if (segments.length === 0) return null;
  try {
    const decoded = segments.map((s) => decodeURIComponent(s));
    const name = decoded.pop() as string;
    return {
      type: (m[1] as string).toLowerCase(),
      ...(decoded.length > 0 && { namespace: decoded.join('/') }),
      name,
      ...(version !== undefined && version !== '' && { version: decodeURIComponent(version) }),
    };
  } catch {
    return null; // a malformed percent-escape
  }
}

/** The PyPI package a purl names, or `null` for another type or an unreadable purl. */
export function parsePypiPurl(text: string): PypiPurl | null {
  const p = parsePurl(text);
  if (!p || p.type !== 'pypi' || p.namespace !== undefined) return null;
  return { name: p.name, ...(p.version !== undefined && { version: p.version }) };
}
