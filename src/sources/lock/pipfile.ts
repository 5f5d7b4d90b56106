/**
 * `Pipfile.lock` (JSON): `default` and `develop` sections of `name → {version: "==X",
 * markers, index | git/path/file/editable}`. `pipenv install` installs `default`; the
 * `develop` section comes with `--group develop` (pipenv's `--dev`).
 */
import { inputError } from '../../core/errors.js';
import { parseJsonFile } from '../../core/json-file.js';
import { canonicalizeName } from '../../standards/pep503.js';
import type { LockGraph, LockedPackage, LockSource } from './graph.js';

type Entry = Record<string, unknown>;

function source(entry: Entry): LockSource {
  if (typeof entry.git === 'string')
    return { kind: 'git', location: `${entry.git}${entry.ref ? `@${String(entry.ref)}` : ''}` };
  if (typeof entry.path === 'string')
    return { kind: entry.editable === true ? 'editable' : 'path', location: entry.path };
  if (typeof entry.file === 'string') return { kind: 'url', location: entry.file };
  return { kind: 'index' };
}

export function parsePipfileLock(text: string, file: string): LockGraph {
  const doc = parseJsonFile(text, file, 'Pipfile.lock') as Record<string, unknown>;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    (doc.default === undefined && doc.develop === undefined)
  ) {
    throw inputError('not a Pipfile.lock: no "default" or "develop" section', file);
  }
  const packages = new Map<string, LockedPackage>();
  for (const section of ['default', 'develop'] as const) {
    const entries = doc[section];
    if (entries === undefined) continue;
    if (typeof entries !== 'object' || entries === null)
      throw inputError(`"${section}" is not an object`, file);
    for (const [name, raw] of Object.entries(entries as Record<string, unknown>)) {
      const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Entry;
      const key = canonicalizeName(name);
      const existing = packages.get(key);
      if (existing) {
        packages.set(key, { ...existing, memberOf: [...(existing.memberOf ?? []), section] });
        continue;
      }
      const version =
        typeof entry.version === 'string' ? entry.version.replace(/^===?/, '') : undefined;
      packages.set(key, {
        name: key,
        displayName: name,
        ...(version !== undefined && { version }),
        source: source(entry),
        dependencies: [],
        extras: {},
        groups: {},
        ...(typeof entry.markers === 'string' && { marker: entry.markers }),
        memberOf: [section],
      });
    }
  }
  return {
    file,
    packages: [...packages.values()],
    roots: [],
    mainGroup: 'default',
    defaultGroups: [],
    devGroups: ['develop'],
  };
}
