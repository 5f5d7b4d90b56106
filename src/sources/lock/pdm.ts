/**
 * `pdm.lock`: `[metadata]` (`groups`, `strategy`, `lock_version`) and `[[package]]` with
 * `version`, `groups` (with the `inherit_metadata` strategy), `marker`, `dependencies`
 * (PEP 508 strings) and, for non-index packages, `path`, `editable`, `git` or `url`.
 * Files are listed by name, or by URL under `static_urls`. PDM installs every locked group
 * by default; `default` holds the project's own dependencies.
 */
import { canonicalizeName } from '../../standards/pep503.js';
import { parseRequirement } from '../../standards/pep508.js';
import { formatMarker } from '../../standards/markers.js';
import type { LockEdge, LockGraph, LockedPackage, LockSource } from './graph.js';
import {
  isTable,
  packageIdentity,
  packageTables,
  parseTomlFile,
  strings,
  type Table,
} from './toml.js';

function edges(value: unknown): LockEdge[] {
  return strings(value).flatMap((text) => {
    try {
      const req = parseRequirement(text);
      return [
        {
          name: canonicalizeName(req.name),
          ...(req.marker && { marker: formatMarker(req.marker) }),
          ...(req.extras.length > 0 && { extras: req.extras }),
        },
      ];
    } catch {
      return [];
    }
  });
}

function source(pkg: Table): LockSource {
  if (typeof pkg.git === 'string')
    return { kind: 'git', location: `${pkg.git}${pkg.revision ? `@${String(pkg.revision)}` : ''}` };
  if (typeof pkg.path === 'string')
    return { kind: pkg.editable === true ? 'editable' : 'path', location: pkg.path };
  if (typeof pkg.url === 'string') return { kind: 'url', location: pkg.url };
  return { kind: 'index' };
}

export function parsePdmLock(text: string, file: string): LockGraph {
  const doc = parseTomlFile(text, file, 'pdm.lock');
  const metadata = isTable(doc.metadata) ? doc.metadata : {};
  const lockedGroups = strings(metadata.groups);
  const packages: LockedPackage[] = packageTables(doc, text, file, 'pdm.lock').map(
    ({ pkg, line }) => ({
      ...packageIdentity(pkg, line),
      source: source(pkg),
      dependencies: edges(pkg.dependencies),
      extras: {},
      groups: {},
      ...(typeof pkg.marker === 'string' && { marker: pkg.marker }),
      // Without inherit_metadata, packages carry no groups: they belong to every locked group.
      memberOf: Array.isArray(pkg.groups)
        ? strings(pkg.groups)
        : lockedGroups.length > 0
          ? lockedGroups
          : ['default'],
    }),
  );
  return {
    file,
    packages,
    roots: [],
    mainGroup: 'default',
    defaultGroups: lockedGroups.filter((g) => g !== 'default'),
    devGroups: lockedGroups.filter((g) => g !== 'default'),
  };
}
