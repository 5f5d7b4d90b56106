/**
 * Poetry's version constraints as PEP 440 specifiers: `^1.2.3` (>=1.2.3,<2.0.0), `~1.2`
 * (>=1.2,<1.3), `1.2.*`, `>=1,<2`, `1.2 || 2.0`, and a bare `1.2.3` (an exact version).
 * https://python-poetry.org/docs/dependency-specification/
 */

function bumpCaret(parts: number[]): string {
  const i = parts.findIndex((p) => p !== 0);
  const idx = i === -1 ? parts.length - 1 : i;
  const upper = parts.slice(0, idx + 1);
  upper[idx] = (upper[idx] as number) + 1;
  return upper.join('.');
}

function one(constraint: string): string | null {
  const c = constraint.trim();
  if (c === '*' || c === '') return '';
  const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(c);
  if (caret) {
    const parts = (caret[1] as string).split('.').map(Number);
    return `>=${caret[1]},<${bumpCaret(parts)}`;
  }
  const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)$/.exec(c);
  if (tilde) {
    const parts = (tilde[1] as string).split('.').map(Number);
    const keep = parts.length > 1 ? parts.slice(0, 2) : parts.slice(0, 1);
    keep[keep.length - 1] = (keep[keep.length - 1] as number) + 1;
    return `>=${tilde[1]},<${keep.join('.')}`;
  }
  if (/^\d[^\s,<>=!~^*]*$/.test(c)) return `==${c}`; // a bare version is exact
  if (/^\d+(\.\d+)*\.\*$/.test(c)) return `==${c}`;
  return c
    .split(/\s*,\s*|\s+(?=[<>=!~])/)
    .map((part) => part.replace(/^=(?!=)/, '=='))
    .join(',');
}

/** The PEP 440 specifier set, or `null` for an alternative (`||`) that no one set expresses. */
export function poetryToPep440(constraint: string): string | null {
  if (constraint.includes('||')) {
    const alternatives = constraint.split('||').map((a) => one(a));
    // Several exact versions are not one pin; only an unambiguous set is returned.
    return alternatives.length === 1 ? (alternatives[0] ?? null) : null;
  }
  return one(constraint);
}
