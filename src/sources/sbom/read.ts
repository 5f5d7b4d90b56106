/**
 * SBOMs: CycloneDX (JSON and XML) and SPDX (JSON) as dependencies.
 *
 * - A component with a `pkg:pypi` purl is a dependency at the purl's version (else at the
 *   component's own version).
 * - A component with no purl is read as a PyPI package by its name and version, as pip-audit
 *   writes its own CycloneDX output; a warning says how many were read that way. Components
 *   whose type says they are not libraries (an operating system, a file, a container) are not.
 * - A component with another ecosystem's purl (`pkg:npm/…`) is not audited, and a warning
 *   names it: nothing is left out without a word.
 * - The document's subject (`metadata.component`, SPDX `DESCRIBES`) is audited only when its
 *   purl says it is a PyPI package: without one it is the project itself, not a dependency.
 */
import { invalidVersionSkip, type CollectResult, type Dependency } from '../../core/dependency.js';
import { inputError } from '../../core/errors.js';
import { plural } from '../../core/plural.js';
import { normalizeVersion } from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { sbomComponents, type SbomComponent, type SbomFormat } from './components.js';
import { parsePurl } from './purl.js';

export type { SbomFormat } from './components.js';

/** Component kinds that a package from PyPI can be (CycloneDX `type`, SPDX purpose). */
const PACKAGE_KINDS = new Set(['library', 'framework', 'application']);

/** How many names a warning lists before it only counts. */
const NAMES_SHOWN = 10;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/** A PyPI package found in the SBOM, before it becomes a dependency. */
interface PypiComponent {
  readonly name: string;
  readonly version?: string;
  /** Why there is no version, for the skip reason. */
  readonly noVersion: string;
  readonly line?: number;
}

function toDependency(c: PypiComponent, file: string): Dependency {
  const base = {
    name: canonicalizeName(c.name),
    displayName: c.name,
    origin: { file, ...(c.line !== undefined && { line: c.line }) },
  };
  if (c.version === undefined)
    return { ...base, kind: 'skipped', skipKind: 'unpinned', skipReason: c.noVersion };
  const version = normalizeVersion(c.version);
  if (version === null) return invalidVersionSkip(base, c.version);
  return { ...base, kind: 'resolved', version };
}

/** What one component is: a PyPI package (and whether read by name), or another ecosystem's. */
function classify(
  c: SbomComponent,
  file: string,
): { pypi: PypiComponent; byName: boolean } | { other: string } | null {
  const line = c.line !== undefined ? { line: c.line } : {};
  if (c.purl !== undefined) {
    const purl = parsePurl(c.purl);
    if (purl?.type === 'pypi' && purl.namespace === undefined) {
      const version = purl.version ?? c.version;
      // The component's own spelling (`PyYAML`) where it names the same project as the purl.
      const sameName =
        c.name !== undefined && canonicalizeName(c.name) === canonicalizeName(purl.name);
      return {
        pypi: {
          name: sameName ? (c.name as string) : purl.name,
          ...(version !== undefined && { version }),
          noVersion: `the purl has no version (${c.purl})`,
          ...line,
        },
        byName: false,
      };
    }
    if (c.subject) return null;
    if (!purl) return { other: `${c.name ?? c.purl} (not a valid purl)` };
    const name = purl.namespace !== undefined ? `${purl.namespace}/${purl.name}` : purl.name;
    return { other: `${name} (${purl.type})` };
  }
  if (c.subject) return null;
  if (c.kind !== undefined && !PACKAGE_KINDS.has(c.kind))
    return { other: `${c.name ?? '(no name)'} (${c.kind})` };
  if (c.name === undefined || c.name.trim() === '')
    throw inputError('a component has neither a name nor a purl', file, c.line);
  return {
    pypi: {
      name: c.name.trim(),
      ...(c.version !== undefined && { version: c.version }),
      noVersion: 'the component has neither a purl nor a version',
      ...line,
    },
    byName: true,
  };
}

export function readSbom(text: string, file: string, format: SbomFormat): CollectResult {
  const dependencies: Dependency[] = [];
  const seen = new Set<string>();
  const others: string[] = [];
  let byName = 0;
  for (const component of sbomComponents(text, file, format)) {
    const found = classify(component, file);
    if (found === null) continue;
    if ('other' in found) {
      others.push(found.other);
      continue;
    }
    const key = `${canonicalizeName(found.pypi.name)}@${found.pypi.version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (found.byName) byName++;
    dependencies.push(toDependency(found.pypi, file));
  }
  const warnings: string[] = [];
  if (byName > 0)
    warnings.push(
      `${file}: ${plural(byName, 'component has no purl and was read as a PyPI package', 'components have no purl and were read as PyPI packages')} by name and version`,
    );
  if (others.length > 0)
    warnings.push(
      `${file}: ${plural(others.length, 'component is not a Python package and was', 'components are not Python packages and were')} not audited: ${listNames(others)}`,
    );
  return { dependencies, warnings };
}
