/**
 * Which of a project's versions a set of specifiers admits, with pip's pre-release rules
 * (pip 23 vendors `packaging` 21.3, whose `SpecifierSet.filter` pip's finder calls with
 * `prereleases = --pre or None`): each clause keeps final releases, and falls back to the
 * pre-releases it matches when it matches no final release; a clause that names a
 * pre-release (`>=2.0b1`, `==3.0rc1`) admits pre-releases outright, as does `--pre`.
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
  const setAdmits = specifiers.some(clauseAdmitsPrereleases);
  let current: readonly T[] = items;
  for (const spec of specifiers) {
    const yielded: T[] = [];
    const prereleases: T[] = [];
    for (const item of current) {
      if (!contains(spec, item)) continue;
      if (item.parsed.isPrerelease && !(setAdmits || clauseAdmitsPrereleases(spec)))
        prereleases.push(item);
      else yielded.push(item);
    }
    current = yielded.length > 0 ? yielded : prereleases;
  }
  return [...current];
}
