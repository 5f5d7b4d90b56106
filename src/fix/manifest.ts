/**
 * Finds and rewrites dependency declarations in `pyproject.toml` (PEP 621 dependencies and
 * optional dependencies, PEP 735 `[dependency-groups]`, Poetry, PDM and uv sections) and
 * `Pipfile`, in the text itself: one constraint string changes, every other byte stays (no
 * TOML re-serialization, so comments, key order and quoting survive). Pure.
 */
import { compareVersions, normalizeVersion } from '../standards/pep440.js';
import { canonicalizeName } from '../standards/pep503.js';
import { parseRequirement } from '../standards/pep508.js';
import { lineOf, tomlStrings, type TomlString } from './toml-strings.js';

export type ManifestKind = 'pyproject' | 'pipfile';

export interface Declaration {
  /** PEP 503 name. */
  readonly name: string;
  /** `pep508`: a requirement string; `poetry`/`pipfile`: a version constraint of that tool. */
  readonly style: 'pep508' | 'poetry' | 'pipfile';
  readonly string: TomlString;
  readonly line: number;
}

const PIPFILE_NOT_PACKAGES = new Set(['source', 'requires', 'pipenv', 'scripts']);

/** What kind of declaration a string at this path is, and for which package. */
function classify(
  kind: ManifestKind,
  path: readonly string[],
  raw: string,
): { style: Declaration['style']; name: string } | null {
  const p = path.join('\u0000');
  const isIndex = (s: string | undefined): boolean => s !== undefined && /^\d+$/.test(s);
  const pep508 = (): { style: 'pep508'; name: string } | null => {
    try {
      return { style: 'pep508', name: canonicalizeName(parseRequirement(raw).name) };
    } catch {
      return null;
    }
  };
  if (kind === 'pipfile') {
    const [category, name, key] = path;
    if (!category || !name || PIPFILE_NOT_PACKAGES.has(category)) return null;
    if (path.length === 2 || (path.length === 3 && key === 'version'))
      return { style: 'pipfile', name: canonicalizeName(name) };
    return null;
  }
  const last = path[path.length - 1];
  if (isIndex(last)) {
    const parent = path.slice(0, -1).join('\u0000');
    if (
      parent === 'project\u0000dependencies' ||
      (path.length === 4 && p.startsWith('project\u0000optional-dependencies\u0000')) ||
      (path.length === 3 && path[0] === 'dependency-groups') ||
      ['dev-dependencies', 'constraint-dependencies', 'override-dependencies'].some(
        (k) => parent === `tool\u0000uv\u0000${k}`,
      ) ||
      (path.length === 5 && p.startsWith('tool\u0000pdm\u0000dev-dependencies\u0000'))
    )
      return pep508();
  }
  // Poetry: tables of name = "constraint" | { version = "…" } | [{ version = "…" }, …].
  const tables = [
    ['tool', 'poetry', 'dependencies'],
    ['tool', 'poetry', 'dev-dependencies'],
  ];
  if (
    path[0] === 'tool' &&
    path[1] === 'poetry' &&
    path[2] === 'group' &&
    path[4] === 'dependencies'
  )
    tables.push(path.slice(0, 5));
  for (const table of tables) {
    if (table.some((t, k) => path[k] !== t)) continue;
    const rest = path.slice(table.length);
    const name = rest[0];
    if (!name || canonicalizeName(name) === 'python') return null;
    if (
      rest.length === 1 ||
      (rest.length === 2 && rest[1] === 'version') ||
      (rest.length === 3 && isIndex(rest[1]) && rest[2] === 'version')
    )
      return { style: 'poetry', name: canonicalizeName(name) };
  }
  return null;
}

/** Every dependency declaration of the manifest, in file order. */
export function manifestDeclarations(text: string, kind: ManifestKind): Declaration[] {
  return tomlStrings(text).flatMap((s) => {
    const c = classify(kind, s.path, s.raw);
    return c ? [{ ...c, string: s, line: lineOf(text, s.start) }] : [];
  });
}

const sameVersion = (a: string, b: string): boolean =>
  (normalizeVersion(a) !== null && normalizeVersion(b) !== null && compareVersions(a, b) === 0) ||
  a === b;

/** Where the pinned version sits in a declaration's raw text, if it pins `version`. */
export function pinnedVersionAt(
  declaration: Declaration,
  version: string,
): { start: number; end: number } | null {
  const raw = declaration.string.raw;
  if (!declaration.string.plain) return null; // escapes or a multi-line string: left alone
  const re =
    declaration.style === 'pep508'
      ? /(===|==)(\s*)([^\s,;]+)/g
      : /^(\s*)(===|==|=)?(\s*)([^\s,]+)\s*$/g;
  for (const m of raw.matchAll(re)) {
    const [before, value] =
      declaration.style === 'pep508'
        ? [(m[1] as string) + (m[2] as string), m[3] as string]
        : [(m[1] as string) + (m[2] ?? '') + (m[3] as string), m[4] as string];
    if (value.endsWith('.*') || !sameVersion(value, version)) continue;
    const at = declaration.string.rawStart + m.index + before.length;
    return { start: at, end: at + value.length };
  }
  return null;
}

export interface ManifestPinEdit {
  readonly name: string;
  /** The version pinned now. */
  readonly version: string;
  readonly newVersion: string;
}

/** Changes each pin in place; `missed` lists the edits no declaration pins. */
export function rewriteManifest(
  text: string,
  kind: ManifestKind,
  edits: readonly ManifestPinEdit[],
): { text: string; missed: ManifestPinEdit[] } {
  const declarations = manifestDeclarations(text, kind);
  const replacements: Array<{ start: number; end: number; text: string }> = [];
  const missed: ManifestPinEdit[] = [];
  for (const edit of edits) {
    const name = canonicalizeName(edit.name);
    const spots = declarations
      .filter((d) => d.name === name)
      .flatMap((d) => pinnedVersionAt(d, edit.version) ?? []);
    if (spots.length === 0) missed.push(edit);
    for (const s of spots) replacements.push({ ...s, text: edit.newVersion });
  }
  let out = text;
  for (const r of replacements.sort((a, b) => b.start - a.start))
    out = out.slice(0, r.start) + r.text + out.slice(r.end);
  return { text: out, missed };
}
