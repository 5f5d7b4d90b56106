/**
 * `uv.lock`: `[[package]]` entries with `source` (`registry`, `git`, `path`, `directory`,
 * `editable`, `virtual`, `url`), `dependencies` (name, and `version` / `source` when several
 * versions of the name are locked, marker, extra), `optional-dependencies` by extra and, on
 * workspace members, `dev-dependencies` by group. The members (editable or virtual sources)
 * are the roots that selection starts from; uv installs the `dev` group by default. A lock
 * without a member (a virtual workspace root) has no roots: what nothing requires is direct.
 */
import { inputError } from '../../core/errors.js';
import { canonicalizeName } from '../../standards/pep503.js';
import type { LockEdge, LockGraph, LockedPackage, LockSource } from './graph.js';
import {
  isTable,
  optionalString,
  optionalTable,
  packageIdentity,
  packageTables,
  parseTomlFile,
  strings,
  type Place,
} from './toml.js';

function edges(value: unknown, place: Place): LockEdge[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw inputError(`${place.what} must be an array of tables`, place.file, place.line);
  return value.map((d, i) => {
    const at = { ...place, what: `${place.what}[${i}]` };
    if (!isTable(d) || typeof d.name !== 'string')
      throw inputError(`${at.what} must be a table with a name`, place.file, place.line);
    const marker = optionalString(d.marker, { ...at, what: `${at.what}.marker` });
    const version = optionalString(d.version, { ...at, what: `${at.what}.version` });
    const extras = strings(d.extra, { ...at, what: `${at.what}.extra` });
    return {
      name: canonicalizeName(d.name),
      ...(marker !== undefined && { marker }),
      ...(version !== undefined && { version }),
      ...(extras.length > 0 && { extras }),
    };
  });
}

function groupTable(value: unknown, place: Place): Record<string, LockEdge[]> {
  const table = optionalTable(value, place);
  if (!table) return {};
  return Object.fromEntries(
    Object.entries(table).map(([k, v]) => [k, edges(v, { ...place, what: `${place.what}.${k}` })]),
  );
}

function source(value: unknown, place: Place): LockSource {
  const table = optionalTable(value, place);
  if (!table) return { kind: 'index' };
  const field = (key: string): string | undefined =>
    optionalString(table[key], { ...place, what: `${place.what}.${key}` });
  const registry = field('registry');
  if (registry !== undefined) return { kind: 'index', url: registry };
  for (const kind of ['git', 'path', 'directory', 'editable', 'virtual', 'url'] as const) {
    const location = field(kind);
    if (location !== undefined) return { kind, location };
  }
  return { kind: 'index' };
}

export function parseUvLock(text: string, file: string): LockGraph {
  const doc = parseTomlFile(text, file, 'uv.lock');
  if (doc.version === undefined) throw inputError('not a uv.lock: no "version"', file);
  const packages: LockedPackage[] = packageTables(doc, text, file).map(({ pkg, line }) => {
    const place = (what: string): Place => ({ file, line, what: `${String(pkg.name)}: ${what}` });
    return {
      ...packageIdentity(pkg, line, file),
      source: source(pkg.source, place('source')),
      dependencies: edges(pkg.dependencies, place('dependencies')),
      extras: groupTable(pkg['optional-dependencies'], place('optional-dependencies')),
      groups: groupTable(pkg['dev-dependencies'], place('dev-dependencies')),
    };
  });
  const roots = packages
    .filter((p) => p.source.kind === 'editable' || p.source.kind === 'virtual')
    .map((p) => p.name);
  return { file, packages, roots, defaultGroups: ['dev'], devGroups: ['dev'] };
}
