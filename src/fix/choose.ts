/**
 * Which version a vulnerable package is upgraded to. Pure: everything it weighs comes in as
 * data — the releases the index lists, which of them the vulnerability data says are
 * affected, and the constraints the dependency graph knows of.
 *
 * The rule: the smallest release above the current one that no known vulnerability affects
 * (decided per candidate against the same data, not from the records' `fixed` events, which
 * say nothing about the other records), that exists on the index and is not yanked (PEP 592),
 * whose files admit the target Python (`Requires-Python`), and that every constraint admits.
 * Pre-releases are candidates only when the current version is one, as pip would install.
 */
import { compareVersions, parseVersion, specifierContains } from '../standards/pep440.js';

/** One version of a project as the index lists it. */
export interface Release {
  readonly version: string;
  /** Every file of it is yanked (PEP 592): pip installs it only when pinned, never to fix. */
  readonly yanked: boolean;
  /** The `Requires-Python` of each file that is not yanked (`null`: none stated). */
  readonly requiresPython: ReadonlyArray<string | null>;
}

/** A constraint on the package from elsewhere in the graph, and what to tell the user. */
export interface FixConstraint {
  /** A PEP 440 specifier set, such as `<1.0` or `>=2,!=2.1`. */
  readonly specifier: string;
  /** Why it blocks a fix, e.g. `flask 1.0 requires werkzeug<1.0; upgrade flask too`. */
  readonly reason: string;
}

export interface FixChoiceInput {
  readonly name: string;
  readonly current: string;
  readonly releases: readonly Release[];
  /** Whether the vulnerability data says this version is affected (ignored ids left out). */
  readonly isVulnerable: (version: string) => boolean;
  readonly constraints?: readonly FixConstraint[];
  /** The Python version the project targets (`3.11`), when known. */
  readonly pythonVersion?: string;
}

export type FixChoice =
  | { readonly kind: 'upgrade'; readonly version: string }
  | { readonly kind: 'skip'; readonly reason: string };

function admitsPython(requiresPython: string | null, python: string | undefined): boolean {
  if (requiresPython === null || python === undefined) return true;
  try {
    return specifierContains(requiresPython, python, { prereleases: true });
  } catch {
    return true; // pip ignores an invalid Requires-Python
  }
}

function admits(constraint: FixConstraint, version: string): boolean {
  try {
    return specifierContains(constraint.specifier, version, { prereleases: true });
  } catch {
    return false;
  }
}

export function chooseFixVersion(input: FixChoiceInput): FixChoice {
  const current = parseVersion(input.current);
  if (!current) return { kind: 'skip', reason: `${input.current} is not a PEP 440 version` };
  const candidates = input.releases
    .map((r) => ({ release: r, parsed: parseVersion(r.version) }))
    .filter(
      (c): c is { release: Release; parsed: NonNullable<typeof c.parsed> } =>
        c.parsed !== null &&
        compareVersions(c.parsed, current) > 0 &&
        (current.isPrerelease || !c.parsed.isPrerelease),
    )
    .sort((a, b) => compareVersions(a.parsed, b.parsed));
  // The first reason a release free of vulnerabilities was passed over: the skip reason.
  let blocked: string | null = null;
  for (const { release } of candidates) {
    if (input.isVulnerable(release.version)) continue;
    if (release.yanked) {
      blocked ??= `no fixed release that is not yanked (${release.version} is yanked)`;
      continue;
    }
    if (!release.requiresPython.some((rp) => admitsPython(rp, input.pythonVersion))) {
      blocked ??= `${input.name} ${release.version} requires Python ${release.requiresPython.find((rp) => rp !== null) ?? ''} (the target is ${input.pythonVersion ?? ''})`;
      continue;
    }
    const refusing = (input.constraints ?? []).find((c) => !admits(c, release.version));
    if (refusing) {
      blocked ??= refusing.reason;
      continue;
    }
    return { kind: 'upgrade', version: release.version };
  }
  return { kind: 'skip', reason: blocked ?? 'no fixed release' };
}
