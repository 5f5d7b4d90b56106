/**
 * `Pipfile.lock` (JSON): `default` and `develop` sections of `name → {version: "==X",
 * markers, index | git/path/file/editable}`. `pipenv install` installs `default`; the
 * `develop` section comes with `--group develop` (pipenv's `--dev`; `dev` and `dev-packages`
 * are accepted for it). The sections may lock different versions of one name: each is its
 * own package.
 */
import { inputError } from '../../core/errors.js';
import { parseJsonFile } from '../../core/json-file.js';
import { canonicalizeName } from '../../standards/pep503.js';
import type { LockGraph, LockedPackage, LockSource } from './graph.js';

type Entry = Record<string, unknown>;

function source(entry: Entry): LockSource {
  if (typeof entry.git === 'string')
    return {
      kind: 'git',
      location: `${entry.git}${typeof entry.ref === 'string' && entry.ref ? `@${entry.ref}` : ''}`,
    };
  if (typeof entry.path === 'string')
    return { kind: entry.editable === true ? 'editable' : 'path', location: entry.path };
  if (typeof entry.file === 'string') return { kind: 'url', location: entry.file };
  return { kind: 'index' };
}

/** The 1-based line of `"name": {` inside a section, for origins. */
function entryLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let section = '';
  text.split(/\r?\n/).forEach((line, i) => {
    const top = /^ {4}"(default|develop|_meta)"\s*:/.exec(line);
    if (top) section = top[1] as string;
    const entry = /^ {8}"([^"]+)"\s*:\s*\{/.exec(line);
    if (entry && section) lines.set(`${section}\u0000${entry[1] as string}`, i + 1);
  });
  return lines;
}

export function parsePipfileLock(text: string, file: string): LockGraph {
  const doc = parseJsonFile(text, file, 'Pipfile.lock') as Record<string, unknown>;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    Array.isArray(doc) ||
    (doc.default === undefined && doc.develop === undefined)
  ) {
    throw inputError('not a Pipfile.lock: no "default" or "develop" section', file);
  }
  const lines = entryLines(text);
  const packages: LockedPackage[] = [];
  for (const section of ['default', 'develop'] as const) {
    const entries = doc[section];
    if (entries === undefined) continue;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
      throw inputError(`"${section}" is not an object`, file);
    for (const [name, raw] of Object.entries(entries as Record<string, unknown>)) {
      const line = lines.get(`${section}\u0000${name}`);
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw inputError(`"${section}"."${name}" is not an object`, file, line);
      const entry = raw as Entry;
      for (const key of ['version', 'markers'] as const) {
        if (entry[key] !== undefined && typeof entry[key] !== 'string')
          throw inputError(`"${section}"."${name}".${key} must be a string`, file, line);
      }
      const version =
        typeof entry.version === 'string' ? entry.version.replace(/^===?/, '') : undefined;
      packages.push({
        name: canonicalizeName(name),
        displayName: name,
        ...(version !== undefined && { version }),
        ...(line !== undefined && { line }),
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
    packages,
    roots: [],
    mainGroup: 'default',
    defaultGroups: [],
    devGroups: ['develop'],
    groupAliases: { dev: 'develop', 'dev-packages': 'develop' },
  };
}
