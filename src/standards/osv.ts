/**
 * The OSV schema (the parts an auditor reads) and OSV's rules for deciding whether a PyPI
 * version is affected: the enumerated `versions` list, or an `ECOSYSTEM` range whose events
 * (`introduced`, `fixed`, `last_affected`, `limit`) are ordered by PEP 440. `GIT` ranges are
 * about commits and are ignored. Package names compare by PEP 503.
 *
 * https://ossf.github.io/osv-schema/#evaluation
 */
import { compareVersions, normalizeVersion, parseVersion, versionToString } from './pep440.js';
import { canonicalizeName } from './pep503.js';
import { isJsonObject } from '../core/json-file.js';

export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvRange {
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
}

export interface OsvAffected {
  readonly package?: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: unknown;
  readonly database_specific?: unknown;
}

export interface OsvSeverity {
  readonly type: string;
  readonly score: string;
}

/** An OSV vulnerability record. */
export interface OsvRecord {
  readonly id: string;
  readonly modified?: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases?: readonly string[];
  readonly related?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  readonly references?: ReadonlyArray<{ readonly type: string; readonly url: string }>;
  readonly database_specific?: unknown;
}

export const PYPI_ECOSYSTEM = 'PyPI';

export const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * Why a parsed JSON/YAML value is not an OSV record this code can read, or null when it is.
 * Records come from the network and from archives: every field the matching rules read is
 * checked for its type here, once, so the rules themselves never meet a malformed shape.
 */
export function osvRecordProblem(value: unknown): string | null {
  if (!isJsonObject(value)) return 'expected an object';
  if (typeof value.id !== 'string' || value.id === '') return 'no "id"';
  for (const key of ['modified', 'published', 'withdrawn', 'summary', 'details'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string')
      return `"${key}" is not a string`;
  }
  for (const key of ['aliases', 'related'] as const) {
    if (value[key] !== undefined && !isStringList(value[key]))
      return `"${key}" is not a list of strings`;
  }
  // Read for severity and links: lists of objects (a field of the wrong type inside one is
  // skipped where it is read).
  for (const key of ['severity', 'references'] as const) {
    const list = value[key];
    if (list !== undefined && list !== null && (!Array.isArray(list) || !list.every(isJsonObject)))
      return `"${key}" is not a list of objects`;
  }
  if (value.affected === undefined) return null;
  if (!Array.isArray(value.affected)) return '"affected" is not a list';
  for (const [i, affected] of value.affected.entries()) {
    const where = `"affected"[${i}]`;
    if (!isJsonObject(affected)) return `${where} is not an object`;
    const pkg = affected.package;
    if (
      pkg !== undefined &&
      (!isJsonObject(pkg) ||
        typeof pkg.ecosystem !== 'string' ||
        typeof pkg.name !== 'string' ||
        (pkg.purl !== undefined && typeof pkg.purl !== 'string'))
    )
      return `${where}.package needs "ecosystem" and "name" strings`;
    if (affected.versions !== undefined && !isStringList(affected.versions))
      return `${where}.versions is not a list of strings`;
    if (affected.ranges === undefined) continue;
    if (!Array.isArray(affected.ranges)) return `${where}.ranges is not a list`;
    for (const range of affected.ranges) {
      if (!isJsonObject(range) || typeof range.type !== 'string' || !Array.isArray(range.events))
        return `${where}.ranges needs "type" and "events"`;
      for (const event of range.events) {
        if (!isJsonObject(event)) return `${where}.ranges has an event that is not an object`;
        for (const key of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
          if (event[key] !== undefined && typeof event[key] !== 'string')
            return `${where}.ranges has a "${key}" that is not a string`;
        }
      }
    }
  }
  return null;
}

/** Whether an `affected` entry is about this PyPI project. */
export function affectsPackage(affected: OsvAffected, name: string): boolean {
  const pkg = affected.package;
  return (
    pkg !== undefined &&
    pkg.ecosystem === PYPI_ECOSYSTEM &&
    canonicalizeName(pkg.name) === canonicalizeName(name)
  );
}

const sortedEventsCache = new WeakMap<OsvRange, readonly OsvEvent[]>();

/** A range's events in version order (computed once per range object). */
function sortedEvents(range: OsvRange): readonly OsvEvent[] {
  let events = sortedEventsCache.get(range);
  if (!events) {
    const boundOf = (e: OsvEvent): string =>
      e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '0';
    events = [...range.events].sort((a, b) => {
      const ba = boundOf(a);
      const bb = boundOf(b);
      if (ba === '0' || bb === '0') return ba === bb ? 0 : ba === '0' ? -1 : 1;
      return compareVersions(ba, bb);
    });
    sortedEventsCache.set(range, events);
  }
  return events;
}

/** `introduced: "0"` means "from the first version", below every real version. */
function atOrAbove(version: string, bound: string): boolean {
  return bound === '0' || compareVersions(version, bound) >= 0;
}

/**
 * OSV's range evaluation for one `ECOSYSTEM` range: walk the events in version order; an
 * `introduced` at or below the version opens it, a `fixed` at or below closes it, a
 * `last_affected` below closes it. A `limit` at or below the version excludes it.
 */
export function rangeContains(range: OsvRange, version: string): boolean {
  if (range.type !== 'ECOSYSTEM') return false;
  const events = sortedEvents(range);
  for (const e of events) {
    if (e.limit !== undefined && e.limit !== '*' && atOrAbove(version, e.limit)) return false;
  }
  let affected = false;
  for (const e of events) {
    if (e.introduced !== undefined) {
      if (atOrAbove(version, e.introduced)) affected = true;
    } else if (e.fixed !== undefined) {
      if (atOrAbove(version, e.fixed)) affected = false;
    } else if (e.last_affected !== undefined) {
      if (compareVersions(version, e.last_affected) > 0) affected = false;
    }
  }
  return affected;
}

const listedCache = new WeakMap<OsvAffected, ReadonlySet<string>>();

/** A key equal for equal PEP 440 versions (`2.10` and `2.10.0`); the text itself if invalid. */
function equalityKey(version: string): string {
  // Already canonical (no leading zeros, no trailing ".0"): the key is the text itself.
  if (/^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$/.test(version) && !version.endsWith('.0'))
    return version;
  if (/^[0-9]+(?:\.[0-9]+)*$/.test(version)) {
    // The common case, without a full parse: canonical numbers, trailing zeros dropped.
    const parts = version.split('.').map((p) => p.replace(/^0+(?=.)/, ''));
    while (parts.length > 1 && parts[parts.length - 1] === '0') parts.pop();
    return parts.join('.');
  }
  const v = parseVersion(version);
  if (!v) return `\u0000${version}`;
  let n = v.release.length;
  while (n > 1 && v.release[n - 1] === '0') n--;
  return versionToString({ ...v, release: v.release.slice(0, n) });
}

/** Whether the version is listed in `versions` (PEP 440 equality: `2.10` lists `2.10.0`). */
function listsVersion(affected: OsvAffected, version: string): boolean {
  const versions = affected.versions;
  if (!versions || versions.length === 0) return false;
  let keys = listedCache.get(affected);
  if (!keys) {
    keys = new Set(versions.map(equalityKey));
    listedCache.set(affected, keys);
  }
  return keys.has(equalityKey(version));
}

/** Whether the record says this version of this PyPI project is affected. */
export function isAffected(record: OsvRecord, name: string, version: string): boolean {
  if (record.withdrawn) return false;
  for (const affected of record.affected ?? []) {
    if (!affectsPackage(affected, name)) continue;
    if (listsVersion(affected, version)) return true;
    if ((affected.ranges ?? []).some((r) => rangeContains(r, version))) return true;
  }
  return false;
}

/**
 * The versions that fix the record for this project: the `fixed` events of its `ECOSYSTEM`
 * ranges, PEP 440 normalized and sorted, without duplicates (pip-audit's `fix_versions`).
 */
export function fixVersions(record: OsvRecord, name: string): string[] {
  const fixed = new Map<string, string>();
  for (const affected of record.affected ?? []) {
    if (!affectsPackage(affected, name)) continue;
    for (const range of affected.ranges ?? []) {
      if (range.type !== 'ECOSYSTEM') continue;
      for (const e of range.events) {
        if (e.fixed === undefined) continue;
        const key = normalizeVersion(e.fixed) ?? e.fixed;
        fixed.set(key, key);
      }
    }
  }
  return [...fixed.values()].sort(compareVersions);
}

/** pip-audit's description: the summary, else the details, else "N/A"; newlines become spaces. */
export function describeRecord(record: OsvRecord): string {
  const text = record.summary ?? record.details ?? 'N/A';
  return text.replace(/\n/g, ' ');
}
