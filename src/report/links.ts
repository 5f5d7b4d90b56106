/** Where report formats link names and ids to. */
export function projectUrl(name: string): string {
  return `https://pypi.org/project/${name}/`;
}

export function vulnerabilityUrl(id: string): string {
  return `https://osv.dev/vulnerability/${id}`;
}

/** An advisory link worth showing: http(s) only (a record could carry `javascript:` or junk). */
export function safeUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * Text without the characters XML 1.0 forbids (C0 controls other than tab and line breaks,
 * U+FFFE/U+FFFF) and with lone surrogates replaced, so that any advisory text can be written
 * into an XML or HTML report.
 */
export function printable(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  );
}
