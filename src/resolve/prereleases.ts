/**
 * Which of a project's versions a set of specifiers admits, with pip's pre-release rules
 * (pip 23 vendors `packaging` 21.3, whose `SpecifierSet.filter` pip's finder calls with
 * `prereleases = --pre or None`): a clause that names a pre-release (`>=2.0b1`, `==3.0rc1`)
 * admits pre-releases for the whole set, as does `--pre`; otherwise only final releases
 * match, except for a requirement without any clause, which falls back to the
 * pre-releases when there is no final release. (Newer `packaging`, and uv, fall back per
 * clause; pip 23 does not, and pyaudit follows pip.)
 */
import {
  specifierContains,
  specifierImpliesPrereleases,
  type Specifier,
  type Version,
} from '../standards/pep440.js';

/** `packaging` 21.3's `Specifier.prereleases`: only these operators can name a pre-release. */
export function clauseAdmitsPrereleases(spec: Specifier): boolean {
  return (
    ['==', '>=', '<=', '~=', '==='].includes(spec.operator) &&
    specifierImpliesPrereleases(spec) === true
  );
}

export interface Versioned {
  readonly version: string;
  readonly parsed: Version;
}

/** Filters `items` (order kept) by every clause, as pip's finder does. */
export function applicableVersions<T extends Versioned>(
  items: readonly T[],
  specifiers: readonly Specifier[],
  allowPrereleases: boolean,
): T[] {
  const contains = (spec: Specifier, item: T): boolean =>
    specifierContains(
      { specifiers: [spec] },
      spec.operator === '===' ? item.version : item.parsed,
      { prereleases: true },
    );
  if (allowPrereleases) return items.filter((i) => specifiers.every((s) => contains(s, i)));
  if (specifiers.length === 0) {
    const finals = items.filter((i) => !i.parsed.isPrerelease);
    return finals.length > 0 ? finals : [...items];
  }
  // With clauses, packaging 21.3 has no fall-back: a pre-release needs a clause that names
  // one (or --pre), even when nothing else matches (`beta-only>=0.1` over betas finds none).
  const admits = specifiers.some(clauseAdmitsPrereleases);
  return items.filter(
    (i) => (admits || !i.parsed.isPrerelease) && specifiers.every((s) => contains(s, i)),
  );
}
