/**
 * SBOMs: CycloneDX (JSON and XML) and SPDX (JSON). Every component or package with a
 * `pkg:pypi` purl is a dependency at the purl's version; components of other ecosystems are
 * counted in a warning.
 */
import type { Dependency } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';
import { parseJsonFile } from '../../core/json-file.js';
import { normalizeVersion } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { parsePypiPurl } from './purl.js';

export type SbomFormat = 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx-json';

function xmlUnescape(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

/** Checks that tags nest and close (enough to refuse a truncated or mangled file). */
function checkXml(text: string, file: string): void {
  const stack: Array<{ name: string; line: number }> = [];
  const re =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^>]*?)?)(\/?)>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[2] === undefined) continue;
    const line = text.slice(0, m.index).split('\n').length;
    if (m[1]) {
      const open = stack.pop();
      if (!open || open.name !== m[2])
        throw inputError(
          `malformed XML: </${m[2]}> closes ${open ? `<${open.name}> (line ${open.line})` : 'nothing'}`,
          file,
          line,
        );
    } else if (!m[4]) {
      stack.push({ name: m[2], line });
    }
  }
  const open = stack.pop();
  if (open)
    throw inputError(
      `malformed XML: <${open.name}> is never closed (the file may be truncated)`,
      file,
      open.line,
    );
}

interface Found {
  purl: string;
  line?: number;
}

/** A purl found in a JSON document, with the line of its first occurrence when it is written verbatim. */
function located(text: string, purl: string): Found {
  const at = text.indexOf(purl);
  return at < 0 ? { purl } : { purl, line: text.slice(0, at).split('\n').length };
}

function purlsOf(text: string, file: string, format: SbomFormat): Found[] {
  if (format === 'cyclonedx-xml') {
    checkXml(text, file);
    if (!/<bom[\s>]/.test(text))
      throw inputError('not a CycloneDX document: no <bom> element', file);
    return [...text.matchAll(/<purl>([\s\S]*?)<\/purl>/g)].map((m) => ({
      purl: xmlUnescape((m[1] as string).trim()),
      line: text.slice(0, m.index).split('\n').length,
    }));
  }
  const doc = parseJsonFile(
    text,
    file,
    format === 'spdx-json' ? 'SPDX document' : 'CycloneDX document',
  ) as Record<string, unknown>;
  if (format === 'spdx-json') {
    if (!Array.isArray(doc.packages))
      throw inputError('not an SPDX JSON document: no "packages"', file);
    return (doc.packages as Array<Record<string, unknown>>).flatMap((p) =>
      (Array.isArray(p.externalRefs) ? (p.externalRefs as Array<Record<string, unknown>>) : [])
        .filter((r) => r.referenceType === 'purl' && typeof r.referenceLocator === 'string')
        .map((r) => located(text, r.referenceLocator as string)),
    );
  }
  if (doc.bomFormat !== 'CycloneDX')
    throw inputError('not a CycloneDX JSON document: "bomFormat" is not "CycloneDX"', file);
  const found: Found[] = [];
  const walk = (components: unknown): void => {
    if (!Array.isArray(components)) return;
    for (const c of components as Array<Record<string, unknown>>) {
      if (typeof c.purl === 'string') found.push(located(text, c.purl));
      walk(c.components);
    }
  };
  walk(
    (doc.metadata as Record<string, unknown> | undefined)?.component
      ? [(doc.metadata as Record<string, unknown>).component]
      : [],
  );
  walk(doc.components);
  return found;
}

export function readSbom(
  text: string,
  file: string,
  format: SbomFormat,
): { dependencies: Dependency[]; warnings: string[] } {
  const found = purlsOf(text, file, format);
  const dependencies: Dependency[] = [];
  const seen = new Set<string>();
  let others = 0;
  for (const { purl, line } of found) {
    const p = parsePypiPurl(purl);
    if (!p) {
      others++;
      continue;
    }
    const key = `${canonicalizeName(p.name)}@${p.version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const base = {
      name: canonicalizeName(p.name),
      displayName: p.name,
      origin: { file, ...(line !== undefined && { line }) },
    };
    const version = p.version !== undefined ? normalizeVersion(p.version) : null;
    if (p.version === undefined)
      dependencies.push({
        ...base,
        kind: 'skipped',
        skipKind: 'unpinned',
        skipReason: `the purl has no version (${purl})`,
      });
    else if (version === null)
      dependencies.push({
        ...base,
        kind: 'skipped',
        skipKind: 'invalid-version',
        skipReason: `version ${p.version} is not a valid PEP 440 version and cannot be matched against advisories`,
      });
    else dependencies.push({ ...base, kind: 'resolved', version });
  }
  const warnings =
    others > 0
      ? [
          `${file}: ${others} component${others === 1 ? '' : 's'} of other ecosystems (not pkg:pypi) left out`,
        ]
      : [];
  return { dependencies, warnings };
}
