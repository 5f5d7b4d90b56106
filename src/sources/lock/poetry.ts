/**
 * `poetry.lock` (1.x and 2.x): `[[package]]` with `version`, `optional`, the groups it
 * belongs to (`groups = [...]` in 2.x, `category` in 1.x), `markers` (a string, or per
 * group in 2.x), `[package.dependencies]` (a constraint string, a table, or a list of tables
 * with markers) and `[package.source]` (`git`, `directory`, `file`, `url`, or an index).
 * Poetry installs every group by default; `main` holds the project's own dependencies.
 */
import { canonicalizeName } from '../../standards/pep503.js';
import type { LockEdge, LockGraph, LockedPackage, LockSource } from './graph.js';
import { isTable, packageIdentity, packageTables, parseTomlFile, strings } from './toml.js';

function dependencyEdges(value: unknown): LockEdge[] {
  if (!isTable(value)) return [];
  const out: LockEdge[] = [];
  for (const [name, spec] of Object.entries(value)) {
    const variants = Array.isArray(spec) ? spec : [spec];
    for (const v of variants) {
      // An optional dependency belongs to an extra ([package.extras]), not to every install.
      if (isTable(v) && v.optional === true) continue;
      const marker = isTable(v) && typeof v.markers === 'string' ? v.markers : undefined;
      const extras = isTable(v) ? strings(v.extras) : [];
      out.push({
        name: canonicalizeName(name),
        ...(marker && { marker }),
        ...(extras.length > 0 && { extras }),
      });
    }
  }
  return out;
}

function extraEdges(value: unknown): Record<string, LockEdge[]> {
  if (!isTable(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([extra, reqs]) => [
      extra,
      strings(reqs).map((r) => ({
        name: canonicalizeName((/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(r.trim()) ?? [''])[0]),
      })),
    ]),
  );
}

function source(value: unknown): LockSource {
  if (!isTable(value)) return { kind: 'index' };
  const url = String(value.url ?? '');
  switch (value.type) {
    case 'git':
      return {
        kind: 'git',
        location: `${url}${value.resolved_reference ? `@${String(value.resolved_reference)}` : ''}`,
      };
    case 'directory':
      return { kind: value.develop === true ? 'editable' : 'directory', location: url };
    case 'file':
      return { kind: 'path', location: url };
    case 'url':
      return { kind: 'url', location: url };
    default:
      return { kind: 'index', url }; // legacy / explicit / supplemental indexes
  }
}

/** Poetry 2.x per-group markers (`markers = { main = "…", dev = "…" }`) become one marker. */
function packageMarker(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isTable(value)) {
    const parts = [...new Set(Object.values(value).map(String))];
    return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' or ');
  }
  return undefined;
}

export function parsePoetryLock(text: string, file: string): LockGraph {
  const doc = parseTomlFile(text, file, 'poetry.lock');
  const groupNames = new Set<string>();
  const packages: LockedPackage[] = packageTables(doc, text, file, 'poetry.lock').map(
    ({ pkg, line }) => {
      const memberOf = Array.isArray(pkg.groups)
        ? strings(pkg.groups)
        : [typeof pkg.category === 'string' ? pkg.category : 'main'];
      for (const g of memberOf) groupNames.add(g);
      const marker = packageMarker(pkg.markers);
      return {
        ...packageIdentity(pkg, line),
        source: source(pkg.source),
        dependencies: dependencyEdges(pkg.dependencies),
        extras: extraEdges(pkg.extras),
        groups: {},
        ...(marker !== undefined && { marker }),
        memberOf,
        optional: pkg.optional === true,
      };
    },
  );
  return {
    file,
    packages,
    roots: [],
    mainGroup: 'main',
    defaultGroups: [...groupNames].filter((g) => g !== 'main'),
    devGroups: ['dev'],
  };
}
