/**
 * Package URLs (https://github.com/package-url/purl-spec) for PyPI:
 * `pkg:pypi/name@version?qualifiers#subpath`.
 */
export interface PypiPurl {
  readonly name: string;
  readonly version?: string;
}

/** The PyPI package a purl names, or `null` for another type or an unreadable purl. */
export function parsePypiPurl(purl: string): PypiPurl | null {
  const m = /^pkg:pypi\/([^@?#/]+)(?:@([^?#]+))?/i.exec(purl.trim());
  if (!m) return null;
  try {
    return {
      name: decodeURIComponent(m[1] as string),
      ...(m[2] !== undefined && { version: decodeURIComponent(m[2]) }),
    };
  } catch {
    return null;
  }
}
