/**
 * Declared requirements (pyproject.toml, Pipfile, PEP 723 scripts) → dependencies. A
 * manifest states ranges, not what is installed: only a requirement pinned to one version
 * (`==X`, `===X`) can be audited; the rest are listed as skipped, with the requirement, so
 * the report shows what could not be checked. By default every group and extra counts; a
 * selection narrows to what the tool would install, and what it leaves out is deselected.
 * One requirement declared in several groups or extras is one dependency with all of them.
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
  /** `--skip-editable`. */
  readonly skipEditable?: boolean;
}

const label = (d: DeclaredRequirement): string =>
  d.kind === 'main' ? 'main' : d.kind === 'extra' ? `extra:${d.group}` : (d.group as string);

function isSelected(d: DeclaredRequirement, selection: DeclaredSelection): boolean {
  if (d.kind === 'main') return selection.main;
  if (d.kind === 'group') return selection.groups.has(d.group as string);
  return selection.extras === 'all' || selection.extras.has(d.group as string);
}

/** What one declaration is: audited at a version, or skipped with a reason. */
function judge(
  d: DeclaredRequirement,
  skipEditable: boolean,
):
  | { kind: 'resolved'; version: string }
  | {
      kind: 'skipped';
      skipKind: 'url' | 'editable' | 'excluded' | 'unpinned';
      skipReason: string;
    } {
  if (d.directSource || d.requirement.url) {
    const from = d.directSource ?? d.requirement.url;
    if (d.editable)
      return skipEditable
        ? {
            kind: 'skipped',
            skipKind: 'excluded',
            skipReason: `editable install of ${from}, left out (--skip-editable)`,
          }
        : { kind: 'skipped', skipKind: 'editable', skipReason: `editable install of ${from}` };
    return {
      kind: 'skipped',
      skipKind: 'url',
      skipReason: `installed from ${from}, not from a package index`,
    };
  }
  const pins = d.requirement.specifierSet.specifiers.filter(
    (s) => (s.operator === '==' && !s.version.endsWith('.*')) || s.operator === '===',
  );
  const version = pins.length === 1 ? normalizeVersion(pins[0]!.version) : null;
  if (version !== null) return { kind: 'resolved', version };
  const spec = specifierSetToString(d.requirement.specifierSet);
  return {
    kind: 'skipped',
    skipKind: 'unpinned',
    skipReason: spec
      ? `requirement is not pinned to an exact version: ${d.text}`
      : `requirement is not pinned: ${d.text}`,
  };
}

export function declaredToDependencies(
  file: string,
  declared: readonly DeclaredRequirement[],
  selection: DeclaredSelection,
): Dependency[] {
  // One entry per name and requirement (its version, range or URL), whatever declares it.
  const entries = new Map<string, { first: DeclaredRequirement; all: DeclaredRequirement[] }>();
  for (const d of declared) {
    const r = d.requirement;
    const key = [
      canonicalizeName(r.name),
      specifierSetToString(r.specifierSet),
      r.url ?? d.directSource ?? '',
      [...r.extras].sort().join(','),
    ].join('\u0000');
    const entry = entries.get(key);
    if (entry) entry.all.push(d);
    else entries.set(key, { first: d, all: [d] });
  }
  const out: Dependency[] = [];
  for (const { first, all } of entries.values()) {
    const selected = all.filter((d) => isSelected(d, selection));
    const shown = selected.length > 0 ? selected : all;
    const groups = [...new Set(shown.map(label))];
    const markers = [
      ...new Set(
        shown.map((d) => (d.requirement.marker ? formatMarker(d.requirement.marker) : '')),
      ),
    ];
    // Installed where any of its declarations applies; one without a marker applies everywhere.
    const marker = markers.includes('')
      ? undefined
      : markers.length === 1
        ? markers[0]
        : markers.map((m) => `(${m})`).join(' or ');
    const origin = shown[0] ?? first;
    const verdict = judge(origin, selection.skipEditable === true);
    const base = {
      name: canonicalizeName(origin.requirement.name),
      displayName: origin.requirement.name,
      origin: { file, ...(origin.line !== undefined && { line: origin.line }) },
      ...(marker !== undefined && { marker }),
      graph: { direct: true, via: [] as string[], groups },
    };
    if (selected.length === 0) {
      out.push({
        ...base,
        ...(verdict.kind === 'resolved' && { version: verdict.version }),
        kind: 'skipped',
        skipKind: 'deselected',
        skipReason: `not installed with the selected groups and extras (${groups.join(', ')})`,
      });
      continue;
    }
    out.push({ ...base, ...verdict });
  }
  return out;
}
