/**
 * Turns one or more requirements files into audit-ready dependencies: follows `-r`/`-c`
 * includes (relative to the including file, each file read once, so cycles end), applies
 * hash-checking mode, markers, constraints and duplicate rules, and decides for each
 * requirement whether it is pinned (auditable) or skipped with a reason.
 *
 * File access comes in through `readFile`, so this module stays testable without a disk.
 */
import path from 'node:path';
import { invalidVersionSkip, type CollectResult, type Dependency } from '../../core/dependency.js';
import { inputError, describeSystemError } from '../../core/errors.js';
import {
  evaluateMarkerPartial,
  formatMarker,
  type MarkerEnvironment,
  type MarkerList,
} from '../../standards/markers.js';
import {
  compareVersions,
  normalizeVersion,
  specifierContains,
  specifierSetToString,
  type Specifier,
} from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { formatRequirement } from '../../standards/pep508.js';
import { DecodeError, decodeRequirementsBytes } from './lines.js';
import {
  isUrl,
  parseRequirementsText,
  wheelNameAndVersion,
  type RequirementEntry,
  type RequirementsGlobalOptions,
} from './parse.js';

/** Reads a file's bytes; `-` is standard input. Rejects with a Node error when it cannot. */
export type ReadFile = (file: string) => Promise<Uint8Array>;

export interface RequirementsCollectOptions {
  readonly readFile: ReadFile;
  /** Values for `${VAR}` expansion (normally `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--require-hashes`: every requirement must carry a hash. */
  readonly requireHashes?: boolean;
  /** The target environment for markers; variables left out are unknown (audited anyway). */
  readonly markerEnvironment?: MarkerEnvironment;
  /** `--skip-editable`: editable requirements are left out on purpose. */
  readonly skipEditable?: boolean;
}

/** A requirement with where it came from. */
export interface LocatedRequirement {
  readonly entry: RequirementEntry;
  readonly file: string;
  readonly constraint: boolean;
}

export interface RequirementsCollectResult extends CollectResult {
  readonly requirements: readonly LocatedRequirement[];
  readonly options: readonly RequirementsGlobalOptions[];
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a requirements file';
  return describeSystemError(error);
}

/** Reads and parses files depth-first in pip's order, following includes. */
async function readAll(
  roots: readonly string[],
  options: RequirementsCollectOptions,
): Promise<{
  requirements: LocatedRequirement[];
  fileOptions: RequirementsGlobalOptions[];
  warnings: string[];
}> {
  const requirements: LocatedRequirement[] = [];
  const fileOptions: RequirementsGlobalOptions[] = [];
  const warnings: string[] = [];
  const visited = new Set<string>();

  const visit = async (
    file: string,
    constraint: boolean,
    from?: { file: string; line: number },
  ): Promise<void> => {
    const key = file === '-' ? '-' : path.resolve(file);
    if (visited.has(key)) return; // already read: an include cycle or a repeated include
    visited.add(key);
    let bytes: Uint8Array;
    try {
      bytes = await options.readFile(file);
    } catch (e) {
      const reason = describeReadError(e);
      if (from)
        throw inputError(`cannot read included file ${file}: ${reason}`, from.file, from.line);
      throw inputError(reason, file);
    }
    let text: string;
    try {
      text = decodeRequirementsBytes(bytes);
    } catch (e) {
      if (e instanceof DecodeError) throw inputError(e.message, file);
      throw e;
    }
    const parsed = parseRequirementsText(text, options.env ?? {});
    const firstError = parsed.problems.find((p) => p.severity === 'error');
    if (firstError) throw inputError(firstError.message, file, firstError.line);
    for (const w of parsed.problems) warnings.push(`${file}:${w.line}: ${w.message}`);
    fileOptions.push(parsed.options);
    for (const entry of parsed.entries) {
      if (entry.kind === 'requirement') {
        requirements.push({ entry, file, constraint });
        continue;
      }
      if (isUrl(entry.target)) {
        throw inputError(
          `remote requirements files are not supported (${entry.target}); download it and pass the local copy`,
          file,
          entry.line,
        );
      }
      const base =
        file === '-' || file.startsWith('/dev/fd/') || file.startsWith('/proc/')
          ? '.'
          : path.dirname(file);
      const target = path.isAbsolute(entry.target) ? entry.target : path.join(base, entry.target);
      // pip: `-r` inside a constraints file reads requirements again; `-c` anywhere reads constraints.
      await visit(target, entry.type === 'constraints', { file, line: entry.line });
    }
  };

  for (const root of roots) await visit(root, false);
  return { requirements, fileOptions, warnings };
}

function where(r: LocatedRequirement): string {
  return `${r.file}:${r.entry.line}`;
}

function exactPins(specifiers: readonly Specifier[]): Specifier[] {
  return specifiers.filter(
    (s) => (s.operator === '==' && !s.version.endsWith('.*')) || s.operator === '===',
  );
}

/**
 * Collects dependencies from requirements files with pip-audit's `--no-deps` semantics:
 * pinned requirements are audited; unpinned, URL and editable ones are skipped with a reason;
 * requirements whose marker is false for the target environment are skipped as not applicable.
 */
export async function collectRequirements(
  files: readonly string[],
  options: RequirementsCollectOptions,
): Promise<RequirementsCollectResult> {
  const { requirements, fileOptions, warnings } = await readAll(files, options);
  const environment: MarkerEnvironment = { extra: '', ...options.markerEnvironment };
  const direct = requirements.filter((r) => !r.constraint);
  const constraints = requirements.filter((r) => r.constraint);

  checkHashMode(direct, options.requireHashes === true || fileOptions.some((o) => o.requireHashes));

  const markerText = (marker: MarkerList | null): string | undefined =>
    marker ? formatMarker(marker) : undefined;
  const applies = (r: LocatedRequirement): boolean => {
    if (!r.entry.marker) return true;
    try {
      // Unknown (null) counts as applicable: fail closed, audit it.
      return evaluateMarkerPartial(r.entry.marker, environment) !== false;
    } catch (e) {
      throw inputError(`cannot evaluate marker: ${(e as Error).message}`, r.file, r.entry.line);
    }
  };

  // Group applicable requirements by canonical name, keeping first-seen order.
  const groups = new Map<string, LocatedRequirement[]>();
  const dependencies: Dependency[] = [];
  const order: Array<{ name: string } | { fixed: Dependency }> = [];
  for (const r of direct) {
    const origin = { file: r.file, line: r.entry.line };
    const req = r.entry.requirement;
    const displayName = req?.name ?? r.entry.link ?? r.entry.text;
    const name = req ? canonicalizeName(req.name) : displayName;
    const marker = markerText(r.entry.marker);
    if (!applies(r)) {
      const pins = req ? exactPins(req.specifierSet.specifiers) : [];
      const pinned = pins.length === 1 ? normalizeVersion(pins[0]!.version) : null;
      order.push({
        fixed: {
          kind: 'skipped',
          skipKind: 'not-applicable',
          name,
          displayName,
          origin,
          ...(pinned !== null && { version: pinned }),
          ...(marker !== undefined && { marker }),
          skipReason: `not installed in the target environment (marker: ${marker})`,
        },
      });
      continue;
    }
    const wheel = r.entry.link && !r.entry.editable ? wheelNameAndVersion(r.entry.link) : null;
    const wheelVersion = wheel ? normalizeVersion(wheel.version.replace(/_/g, '-')) : null;
    if (wheel && wheelVersion) {
      // A wheel's file name states its project and version (PEP 427), so it can be audited.
      order.push({
        fixed: {
          kind: 'resolved',
          name: canonicalizeName(req?.name ?? wheel.name),
          displayName: req?.name ?? wheel.name,
          version: wheelVersion,
          origin,
          ...(marker !== undefined && { marker }),
        },
      });
      continue;
    }
    if (!req || r.entry.editable || r.entry.link) {
      const editable = r.entry.editable;
      if (editable && options.skipEditable) {
        order.push({
          fixed: {
            kind: 'skipped',
            skipKind: 'excluded',
            name,
            displayName,
            origin,
            ...(marker !== undefined && { marker }),
            skipReason: 'requirement marked as editable (--skip-editable)',
          },
        });
        continue;
      }
      order.push({
        fixed: {
          kind: 'skipped',
          skipKind: editable ? 'editable' : 'url',
          name,
          displayName,
          origin,
          ...(marker !== undefined && { marker }),
          skipReason: editable
            ? `editable requirement cannot be pinned to a specific package version (${r.entry.link})`
            : 'URL requirements cannot be pinned to a specific package version',
        },
      });
      continue;
    }
    const group = groups.get(name);
    if (group) group.push(r);
    else {
      groups.set(name, [r]);
      order.push({ name });
    }
  }

  const constraintsByName = new Map<string, LocatedRequirement[]>();
  for (const c of constraints) {
    if (!c.entry.requirement || !applies(c)) continue;
    const name = canonicalizeName(c.entry.requirement.name);
    constraintsByName.set(name, [...(constraintsByName.get(name) ?? []), c]);
  }

  for (const item of order) {
    if ('fixed' in item) {
      dependencies.push(item.fixed);
      continue;
    }
    const group = groups.get(item.name) as LocatedRequirement[];
    dependencies.push(resolveGroup(item.name, group, constraintsByName.get(item.name) ?? []));
  }
  return { dependencies, warnings, requirements, options: fileOptions };
}

/** Decides the version of all requirements (and constraints) naming one project. */
function resolveGroup(
  name: string,
  group: readonly LocatedRequirement[],
  constraints: readonly LocatedRequirement[],
): Dependency {
  const first = group[0] as LocatedRequirement;
  const req = first.entry.requirement!;
  const origin = { file: first.file, line: first.entry.line };
  const marker = first.entry.marker ? formatMarker(first.entry.marker) : undefined;
  const base = { name, displayName: req.name, origin, ...(marker !== undefined && { marker }) };

  const pinFrom = (
    items: readonly LocatedRequirement[],
  ): { version: string; raw: string; from: LocatedRequirement } | null => {
    let found: { version: string; raw: string; from: LocatedRequirement } | null = null;
    for (const r of items) {
      for (const pin of exactPins(r.entry.requirement!.specifierSet.specifiers)) {
        const version = normalizeVersion(pin.version) ?? pin.version;
        if (found && compareVersions(found.version, version) !== 0) {
          throw inputError(
            `package ${name} has duplicate requirements: ${r.entry.text} conflicts with ${found.from.entry.text} (${where(found.from)})`,
            r.file,
            r.entry.line,
          );
        }
        found ??= { version, raw: pin.version, from: r };
      }
    }
    return found;
  };

  const pin = pinFrom(group) ?? pinFrom(constraints);
  if (!pin) {
    const spec = specifierSetToString(req.specifierSet);
    return {
      ...base,
      kind: 'skipped',
      skipKind: 'unpinned',
      skipReason: spec
        ? `requirement is not pinned to an exact version: ${formatRequirement({ ...req, marker: null })}`
        : `requirement is not pinned: ${req.name}`,
    };
  }
  if (normalizeVersion(pin.raw) === null) return invalidVersionSkip(base, pin.raw);
  // Every clause of every requirement and constraint for this name must admit the pin.
  for (const r of [...group, ...constraints]) {
    const set = r.entry.requirement!.specifierSet;
    if (!specifierContains(set, pin.raw, { prereleases: true })) {
      throw inputError(
        `package ${name} has conflicting requirements: ${r.entry.text} excludes ${pin.version} pinned at ${where(pin.from)}`,
        r.file,
        r.entry.line,
      );
    }
  }
  return { ...base, kind: 'resolved', version: pin.version };
}

/**
 * pip's hash-checking mode: once any requirement has `--hash` (or `--require-hashes` is
 * given), every requirement needs one and must be pinned with `==`.
 */
function checkHashMode(direct: readonly LocatedRequirement[], required: boolean): void {
  const hashed = direct.find((r) => r.entry.hashes.length > 0);
  if (!required && !hashed) return;
  for (const r of direct) {
    const req = r.entry.requirement;
    const label = req ? formatRequirement({ ...req, marker: null }) : r.entry.text;
    if (r.entry.editable) {
      throw inputError(
        `editable requirement ${label} cannot be installed in hash-checking mode`,
        r.file,
        r.entry.line,
      );
    }
    if (r.entry.hashes.length === 0) {
      const why = hashed
        ? `hash-checking mode is on because ${where(hashed)} has --hash`
        : '--require-hashes is on';
      throw inputError(
        `requirement ${label} does not contain a hash (${why})`,
        r.file,
        r.entry.line,
      );
    }
    if (req && !r.entry.link && exactPins(req.specifierSet.specifiers).length === 0) {
      throw inputError(
        `requirement ${label} must be pinned with == in hash-checking mode`,
        r.file,
        r.entry.line,
      );
    }
  }
}
