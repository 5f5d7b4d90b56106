/**
 * `poetry.lock` (1.x and 2.x): `[[package]]` with `version`, `optional`, the groups it
 * belongs to (`groups = [...]` in 2.x, `category` in 1.x), `markers` (a string, or per
 * group in 2.x), `[package.dependencies]` (a constraint string, a table, or a list of tables
 * with markers: one per locked version when the lock forks), `[package.source]` (`git`,
 * `directory`, `file`, `url`, or an index) and the project's `[extras]`. Poetry installs
 * every non-optional group by default; `main` holds the project's own dependencies.
 */
import { inputError } from '../../core/errors.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { poetryToPep440 } from '../manifest/poetry-constraint.js';
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

function dependencyEdges(value: unknown, place: Place): LockEdge[] {
  const table = optionalTable(value, place);
  if (!table) return [];
  const out: LockEdge[] = [];
  for (const [name, spec] of Object.entries(table)) {
    const variants = Array.isArray(spec) ? spec : [spec];
    for (const v of variants) {
      const at = { ...place, what: `${place.what}.${name}` };
      if (typeof v !== 'string' && !isTable(v))
        throw inputError(
          `${at.what} must be a version constraint or a table`,
          place.file,
          place.line,
        );
      // An optional dependency belongs to an extra ([package.extras]), not to every install.
      if (isTable(v) && v.optional === true) continue;
      const constraint = typeof v === 'string' ? v : optionalString(v.version, at);
      const marker = isTable(v)
        ? optionalString(v.markers, { ...at, what: `${at.what}.markers` })
        : undefined;
      const extras = isTable(v) ? strings(v.extras, { ...at, what: `${at.what}.extras` }) : [];
      const specifier = constraint !== undefined ? poetryToPep440(constraint) : null;
      out.push({
        name: canonicalizeName(name),
        ...(marker && { marker }),
        ...(extras.length > 0 && { extras }),
        ...(specifier && { specifier }),
      });
    }
  }
  return out;
}

const requirementName = (text: string): string =>
  canonicalizeName((/^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(text.trim()) ?? [''])[0]);

function extraEdges(value: unknown, place: Place): Record<string, LockEdge[]> {
  const table = optionalTable(value, place);
  if (!table) return {};
  return Object.fromEntries(
    Object.entries(table).map(([extra, reqs]) => [
      extra,
      strings(reqs, { ...place, what: `${place.what}.${extra}` }).map((r) => ({
        name: requirementName(r),
      })),
    ]),
  );
}

function source(value: unknown, place: Place): LockSource {
  const table = optionalTable(value, place);
  if (!table) return { kind: 'index' };
  const field = (key: string): string | undefined =>
    optionalString(table[key], { ...place, what: `${place.what}.${key}` });
  const url = field('url') ?? '';
  const reference = field('resolved_reference');
  switch (field('type')) {
    case 'git':
      return { kind: 'git', location: `${url}${reference ? `@${reference}` : ''}` };
    case 'directory':
      return { kind: table.develop === true ? 'editable' : 'directory', location: url };
    case 'file':
      return { kind: 'path', location: url };
    case 'url':
      return { kind: 'url', location: url };
    default:
      return { kind: 'index', url }; // legacy / explicit / supplemental indexes
  }
}

/** Poetry 2.x per-group markers (`markers = { main = "…", dev = "…" }`) become one marker. */
function packageMarker(value: unknown, place: Place): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  if (isTable(value)) {
    const parts = [
      ...new Set(
        Object.entries(value).map(
          ([g, m]) => optionalString(m, { ...place, what: `${place.what}.${g}` }) as string,
        ),
      ),
    ];
    return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' or ');
  }
  throw inputError(`${place.what} must be a string or a table`, place.file, place.line);
}

export function parsePoetryLock(text: string, file: string): LockGraph {
  const doc = parseTomlFile(text, file, 'poetry.lock');
  if (doc.package === undefined && !isTable(doc.metadata))
    throw inputError('not a poetry.lock: no [metadata] and no [[package]]', file);
  const groupNames = new Set<string>();
  const packages: LockedPackage[] = packageTables(doc, text, file).map(({ pkg, line }) => {
    const place = (what: string): Place => ({ file, line, what: `${String(pkg.name)}: ${what}` });
    const memberOf =
      pkg.groups !== undefined
        ? strings(pkg.groups, place('groups'))
        : [optionalString(pkg.category, place('category')) ?? 'main'];
    for (const g of memberOf) groupNames.add(g);
    const marker = packageMarker(pkg.markers, place('markers'));
    return {
      ...packageIdentity(pkg, line, file),
      source: source(pkg.source, place('source')),
      dependencies: dependencyEdges(pkg.dependencies, place('dependencies')),
      extras: extraEdges(pkg.extras, place('extras')),
      groups: {},
      ...(marker !== undefined && { marker }),
      memberOf,
      optional: pkg.optional === true,
    };
  });
  const extrasTable = optionalTable(doc.extras, { file, what: '[extras]' }) ?? {};
  const projectExtras = Object.fromEntries(
    Object.entries(extrasTable).map(([extra, names]) => [
      extra,
      strings(names, { file, what: `[extras].${extra}` }).map(requirementName),
    ]),
  );
  return {
    file,
    packages,
    roots: [],
    mainGroup: 'main',
    defaultGroups: [...groupNames].filter((g) => g !== 'main'),
    devGroups: ['dev'],
    projectExtras,
  };
}
