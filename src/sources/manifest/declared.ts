/**
 * Declared requirements (pyproject.toml, Pipfile, PEP 723 scripts) → dependencies. A
 * manifest states ranges, not what is installed: only a requirement pinned to one version
 * (`==X`, `===X`) can be audited; the rest are listed as skipped, with the requirement, so
 * the report shows what could not be checked. Requirements outside the selected groups and
 * extras are listed as not installed.
 */
import type { Dependency } from '../../core/dependency.js';
import { formatMarker } from '../../standards/markers.js';
import { normalizeVersion, specifierSetToString } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import type { Requirement } from '../../standards/pep508.js';

export interface DeclaredRequirement {
  readonly requirement: Requirement;
  /** The text as written (for skip reasons). */
  readonly text: string;
  /** `null` for the main dependencies, else the group or extra that declares it. */
  readonly group: string | null;
  readonly kind: 'main' | 'group' | 'extra';
  readonly line?: number;
  /** A non-index source (git, path, url) given beside the requirement (Poetry, Pipfile). */
  readonly directSource?: string;
  readonly editable?: boolean;
}

export interface DeclaredSelection {
  readonly groups: ReadonlySet<string>;
  readonly main: boolean;
  readonly extras: ReadonlySet<string> | 'all';
}

export function declaredToDependencies(
  file: string,
  declared: readonly DeclaredRequirement[],
  selection: DeclaredSelection,
): Dependency[] {
  const seen = new Set<string>();
  const out: Dependency[] = [];
  for (const d of declared) {
    const name = canonicalizeName(d.requirement.name);
    const where = d.kind === 'main' ? 'main' : `${d.kind} ${d.group}`;
    const key = `${name}\u0000${where}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const marker = d.requirement.marker ? formatMarker(d.requirement.marker) : undefined;
    const base = {
      name,
      displayName: d.requirement.name,
      origin: { file, ...(d.line !== undefined && { line: d.line }) },
      ...(marker !== undefined && { marker }),
      graph: {
        direct: true,
        via: [] as string[],
        groups: [
          d.kind === 'main'
            ? 'main'
            : d.kind === 'extra'
              ? `extra:${d.group}`
              : (d.group as string),
        ],
      },
    };
    const selected =
      d.kind === 'main'
        ? selection.main
        : d.kind === 'group'
          ? selection.groups.has(d.group as string)
          : selection.extras === 'all' || selection.extras.has(d.group as string);
    if (!selected) {
      out.push({
        ...base,
        kind: 'skipped',
        skipKind: 'not-applicable',
        skipReason: `not installed with the selected groups and extras (${where})`,
      });
      continue;
    }
    if (d.directSource || d.requirement.url) {
      const from = d.directSource ?? d.requirement.url;
      out.push({
        ...base,
        kind: 'skipped',
        skipKind: d.editable ? 'editable' : 'url',
        skipReason: `installed from ${from}, not from a package index`,
      });
      continue;
    }
    const pins = d.requirement.specifierSet.specifiers.filter(
      (s) => (s.operator === '==' && !s.version.endsWith('.*')) || s.operator === '===',
    );
    const version = pins.length === 1 ? normalizeVersion(pins[0]!.version) : null;
    if (version === null) {
      const spec = specifierSetToString(d.requirement.specifierSet);
      out.push({
        ...base,
        kind: 'skipped',
        skipKind: 'unpinned',
        skipReason: spec
          ? `requirement is not pinned to an exact version: ${d.text}`
          : `requirement is not pinned: ${d.text}`,
      });
      continue;
    }
    out.push({ ...base, kind: 'resolved', version });
  }
  return out;
}
