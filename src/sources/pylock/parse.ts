/**
 * PEP 751 lock files (`pylock.toml`, `pylock.<name>.toml`): each `[[packages]]` entry is what
 * an installer would install, with its version (for index packages), its marker, and where
 * it comes from (an index's sdist/wheels, or `vcs`, `directory`, `archive`). As in pip-audit,
 * every package with a version is audited, whatever its marker and wherever it comes from;
 * the lock's markers (which may test `extras` and `dependency_groups`) narrow the audit only
 * when a selection is asked for (see `selectPylock`).
 *
 * https://peps.python.org/pep-0751/
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { invalidVersionSkip, type Dependency } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';
import { formatMarker, parseMarker } from '../../standards/markers.js';
import { normalizeVersion } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { arrayTableLines, isTable, scalarText, type Table } from '../lock/toml.js';

/** Where a package comes from when not from an index (`git https://…@commit`), if so. */
function directSource(pkg: Table): { from: string; editable: boolean } | null {
  const vcs = pkg.vcs;
  if (isTable(vcs)) {
    const where = scalarText(vcs.url ?? vcs.path ?? '?');
    const commit = vcs['commit-id'] ? `@${scalarText(vcs['commit-id'])}` : '';
    return { from: `${scalarText(vcs.type ?? 'vcs')} ${where}${commit}`, editable: false };
  }
  const directory = pkg.directory;
  if (isTable(directory)) {
    const editable = directory.editable === true;
    return {
      from: `${editable ? 'editable ' : ''}directory ${scalarText(directory.path ?? '?')}`,
      editable,
    };
  }
  const archive = pkg.archive;
  if (isTable(archive))
    return { from: `archive ${scalarText(archive.url ?? archive.path ?? '?')}`, editable: false };
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
export function parsePylock(
  text: string,
  file: string,
  options: { skipEditable?: boolean } = {},
): PylockFile {
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

  const lines = arrayTableLines(text, 'packages');
  const lineOf = (index: number): number | undefined =>
    lines.length === packages.length ? lines[index] : undefined;
  const dependencies: Dependency[] = packages.map((pkg: unknown, index): Dependency => {
    const line = lineOf(index);
    if (!isTable(pkg)) throw inputError(`invalid package #${index}: not a table`, file, line);
    const rawName = pkg.name;
    if (typeof rawName !== 'string' || rawName === '')
      throw inputError(`invalid package #${index}: no name`, file, line);
    let marker: string | undefined;
    if (pkg.marker !== undefined) {
      try {
        marker = formatMarker(parseMarker(scalarText(pkg.marker)));
      } catch (e) {
        throw inputError(
          `invalid package #${index} (${rawName}): invalid marker: ${(e as Error).message}`,
          file,
          line,
        );
      }
    }
    const source = directSource(pkg);
    const base = {
      name: canonicalizeName(rawName),
      displayName: rawName,
      origin: { file, ...(line !== undefined && { line }) },
      ...(marker !== undefined && { marker }),
      ...(source && { from: source.from }),
    };
    const version = pkg.version;
    // pip-audit's rule: every package with a version is audited, wherever it comes from.
    if (version === undefined)
      return { ...base, kind: 'skipped', skipKind: 'url', skipReason: 'no version specified' };
    if (typeof version !== 'string')
      throw inputError(
        `invalid package #${index} (${rawName}): the version must be a string`,
        file,
        line,
      );
    const normalized = normalizeVersion(version);
    if (normalized === null) return invalidVersionSkip(base, version);
    if (source?.editable && options.skipEditable) {
      return {
        ...base,
        version: normalized,
        kind: 'skipped',
        skipKind: 'excluded',
        skipReason: `editable install of a local project (${source.from}), left out (--skip-editable)`,
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
