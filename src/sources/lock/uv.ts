/**
 * `uv.lock`: `[[package]]` entries with `source` (`registry`, `git`, `path`, `directory`,
 * `editable`, `virtual`, `url`), `dependencies` (name, marker, extra), `optional-dependencies`
 * by extra and, on workspace members, `dev-dependencies` by group. The members (editable or
 * virtual sources) are the roots that selection starts from; uv installs the `dev` group by
 * default.
 */
import { inputError } from '../../core/errors.js';
import { canonicalizeName } from '../../standards/pep503.js';
import type { LockEdge, LockGraph, LockedPackage, LockSource } from './graph.js';
import { isTable, packageIdentity, packageTables, parseTomlFile, strings } from './toml.js';

function edges(value: unknown): LockEdge[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isTable).map((d) => ({
    name: canonicalizeName(String(d.name)),
    ...(typeof d.marker === 'string' && { marker: d.marker }),
    ...(d.extra !== undefined && { extras: strings(d.extra) }),
  }));
}

function groupTable(value: unknown): Record<string, LockEdge[]> {
  if (!isTable(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, edges(v)]));
}

function source(value: unknown): LockSource {
  if (!isTable(value) || value.registry !== undefined)
    return { kind: 'index', ...(isTable(value) && { url: String(value.registry) }) };
  for (const kind of ['git', 'path', 'directory', 'editable', 'virtual', 'url'] as const) {
    if (value[kind] !== undefined) return { kind, location: String(value[kind]) };
  }
  return { kind: 'index' };
}

export function parseUvLock(text: string, file: string): LockGraph {
  const doc = parseTomlFile(text, file, 'uv.lock');
  if (doc.version === undefined) throw inputError('not a uv.lock: no "version"', file);
  const packages: LockedPackage[] = packageTables(doc, text, file, 'uv.lock').map(
    ({ pkg, line }) => ({
      ...packageIdentity(pkg, line),
      source: source(pkg.source),
      dependencies: edges(pkg.dependencies),
      extras: groupTable(pkg['optional-dependencies']),
      groups: groupTable(pkg['dev-dependencies']),
    }),
  );
  const roots = packages
    .filter((p) => p.source.kind === 'editable' || p.source.kind === 'virtual')
    .map((p) => p.name);
  return { file, packages, roots, defaultGroups: ['dev'], devGroups: ['dev'] };
}
