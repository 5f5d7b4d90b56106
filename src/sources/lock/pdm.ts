/**
 * `pdm.lock`: `[metadata]` (`groups`, `strategy`, `lock_version`) and `[[package]]` with
 * `version`, `groups` (with the `inherit_metadata` strategy), `marker`, `dependencies`
 * (PEP 508 strings) and, for non-index packages, `path`, `editable`, `git` or `url`. A
 * package is repeated once per set of extras it is locked with; those entries are one
 * package. Files are listed by name, or by URL under `static_urls`. PDM installs every
 * locked group by default; `default` holds the project's own dependencies.
 */
import { inputError } from '../../core/errors.js';
import { formatMarker } from '../../standards/markers.js';
import { specifierSetToString } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { InvalidRequirementError, parseRequirement } from '../../standards/pep508.js';
import type { LockEdge, LockGraph, LockedPackage, LockSource } from './graph.js';
import {
  isTable,
  optionalString,
  packageIdentity,
  packageTables,
  parseTomlFile,
  strings,
  type Place,
  type Table,
} from './toml.js';

function edges(value: unknown, place: Place): LockEdge[] {
  return strings(value, place).map((text) => {
    let req;
    try {
      req = parseRequirement(text);
    } catch (e) {
      if (e instanceof InvalidRequirementError)
        throw inputError(
          `${place.what}: invalid requirement '${text}': ${e.reason}`,
          place.file,
          place.line,
        );
      throw e;
    }
    const specifier = specifierSetToString(req.specifierSet);
    return {
      name: canonicalizeName(req.name),
      ...(req.marker && { marker: formatMarker(req.marker) }),
      ...(req.extras.length > 0 && { extras: req.extras }),
      ...(specifier !== '' && { specifier }),
    };
  });
}

function source(pkg: Table, place: (what: string) => Place): LockSource {
  const git = optionalString(pkg.git, place('git'));
  const revision = optionalString(pkg.revision, place('revision'));
  if (git !== undefined)
    return { kind: 'git', location: `${git}${revision ? `@${revision}` : ''}` };
  const path = optionalString(pkg.path, place('path'));
  if (path !== undefined)
    return { kind: pkg.editable === true ? 'editable' : 'path', location: path };
  const url = optionalString(pkg.url, place('url'));
  if (url !== undefined) return { kind: 'url', location: url };
  return { kind: 'index' };
}

export function parsePdmLock(text: string, file: string): LockGraph {
  const doc = parseTomlFile(text, file, 'pdm.lock');
  if (!isTable(doc.metadata)) throw inputError('not a pdm.lock: no [metadata]', file);
  const lockedGroups = strings(doc.metadata.groups, { file, what: 'metadata.groups' });
  const packages: LockedPackage[] = packageTables(doc, text, file).map(({ pkg, line }) => {
    const place = (what: string): Place => ({ file, line, what: `${String(pkg.name)}: ${what}` });
    const marker = optionalString(pkg.marker, place('marker'));
    return {
      ...packageIdentity(pkg, line, file),
      source: source(pkg, place),
      dependencies: edges(pkg.dependencies, place('dependencies')),
      extras: {},
      groups: {},
      ...(marker !== undefined && { marker }),
      // Without inherit_metadata, packages carry no groups: they belong to every locked group.
      memberOf:
        pkg.groups !== undefined
          ? strings(pkg.groups, place('groups'))
          : lockedGroups.length > 0
            ? lockedGroups
            : ['default'],
    };
  });
  return {
    file,
    packages,
    roots: [],
    mainGroup: 'default',
    defaultGroups: lockedGroups.filter((g) => g !== 'default'),
    devGroups: lockedGroups.filter((g) => g !== 'default'),
  };
}
