/**
 * PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`): each `[[packages]]` entry is what
 * an installer would install, with its version (for index packages), its marker, and where
 * it comes from (an index's sdist/wheels, or `vcs`, `directory`, `archive`).
 *
 * https://peps.python.org/pep-0751/
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Dependency } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';
import { scalarText } from '../lock/toml.js';
import { formatMarker, parseMarker } from '../../standards/markers.js';
import { normalizeVersion } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a package comes from when not from an index, for its skip reason. */
function directSource(pkg: Table): string | null {
  const vcs = pkg.vcs;
  if (isTable(vcs)) {
    const where = scalarText(vcs.url ?? vcs.path ?? '?');
    const commit = vcs['commit-id'] ? `@${scalarText(vcs['commit-id'])}` : '';
    return `a ${scalarText(vcs.type ?? 'VCS')} repository (${where}${commit})`;
  }
  const directory = pkg.directory;
  if (isTable(directory)) {
    return `${directory.editable === true ? 'an editable ' : 'a '}local directory (${scalarText(directory.path ?? '?')})`;
  }
  const archive = pkg.archive;
  if (isTable(archive)) return `an archive (${scalarText(archive.url ?? archive.path ?? '?')})`;
  return null;
}

export interface PylockFile {
  readonly dependencies: Dependency[];
  /** The lock's `extras` and `dependency-groups`, for selection. */
  readonly extras: readonly string[];
  readonly dependencyGroups: readonly string[];
  /** `default-groups`: the groups installed when none is asked for. */
  readonly defaultGroups: readonly string[];
}

/** Parses a lock file's text; `file` names it in errors. */
export function parsePylock(text: string, file: string): PylockFile {
  let doc: Table;
  try {
    doc = parseToml(text, { integersAsBigInt: 'asNeeded' }) as Table;
  } catch (e) {
    if (e instanceof TomlError) {
      throw inputError(`invalid TOML in lockfile (${e.message.split('\n')[0]})`, file, e.line);
    }
    throw e;
  }
  const lockVersion = doc['lock-version'];
  if (lockVersion === undefined) throw inputError('missing lock-version in lockfile', file);
  const major = /^(\d+)(?:\.\d+)*$/.exec(scalarText(lockVersion));
  if (!major || major[1] !== '1')
    throw inputError(
      `lockfile version ${scalarText(lockVersion)} is not supported (pyaudit reads 1.x)`,
      file,
    );
  const packages = doc.packages;
  if (packages === undefined) throw inputError('missing packages in lockfile', file);
  if (!Array.isArray(packages)) throw inputError('"packages" is not an array of tables', file);

  const dependencies: Dependency[] = packages.map((pkg: unknown, index): Dependency => {
    if (!isTable(pkg)) throw inputError(`invalid package #${index}: not a table`, file);
    const rawName = pkg.name;
    if (typeof rawName !== 'string' || rawName === '')
      throw inputError(`invalid package #${index}: no name`, file);
    let marker: string | undefined;
    if (pkg.marker !== undefined) {
      try {
        marker = formatMarker(parseMarker(scalarText(pkg.marker)));
      } catch (e) {
        throw inputError(
          `invalid package #${index} (${rawName}): invalid marker: ${(e as Error).message}`,
          file,
        );
      }
    }
    const base = {
      name: canonicalizeName(rawName),
      displayName: rawName,
      origin: { file },
      ...(marker !== undefined && { marker }),
    };
    const version = pkg.version;
    if (version === undefined)
      return { ...base, kind: 'skipped', skipKind: 'url', skipReason: 'no version specified' };
    const source = directSource(pkg);
    if (source) {
      return {
        ...base,
        kind: 'skipped',
        skipKind: 'url',
        skipReason: `installed from ${source}, not from a package index`,
      };
    }
    const normalized = normalizeVersion(scalarText(version));
    if (normalized === null) {
      return {
        ...base,
        kind: 'skipped',
        skipKind: 'invalid-version',
        skipReason: `version ${scalarText(version)} is not a valid PEP 440 version and cannot be matched against advisories`,
      };
    }
    return { ...base, kind: 'resolved', version: normalized };
  });
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  return {
    dependencies,
    extras: strings(doc.extras),
    dependencyGroups: strings(doc['dependency-groups']),
    defaultGroups: strings(doc['default-groups']),
  };
}
