/**
 * One flaw, one finding: advisories for the same dependency that share an id or an alias
 * (directly or through a chain) are merged. The merged finding keeps the most canonical id
 * (PYSEC, then GHSA, then CVE, then any other), every other id as an alias, the union of fix
 * versions, the description of the record whose id it keeps, and the highest severity of all.
 */
import { defineLazy } from '../core/lazy.js';
import { compareVersions } from '../standards/pep440.js';
import type { Vulnerability, VulnerabilityReference } from '../vulns/types.js';
import { severityOf, type Severity } from './severity.js';

export interface Finding {
  readonly id: string;
  /** Every other id of the flaw, sorted. */
  readonly aliases: readonly string[];
  readonly fixVersions: readonly string[];
  readonly description: string;
  /** The sources that reported it, sorted. */
  readonly sources: readonly string[];
  /**
   * The highest rating of all its records (`unknown` when none rates itself). Computed when
   * first read: scoring CVSS vectors is the costly part of a warm audit that needs no severity.
   */
  readonly severity: Severity;
  /** A record of it comes from the malicious-packages feed: its severity is `malicious`. */
  readonly malicious: boolean;
  /** Every record's reference links, each URL once, in record order. */
  readonly references: readonly VulnerabilityReference[];
}

function idRank(id: string): number {
  if (id.startsWith('PYSEC-')) return 0;
  if (id.startsWith('GHSA-')) return 1;
  if (id.startsWith('CVE-')) return 2;
  return 3;
}

/** Orders ids by preference: rank, then text. */
export function compareIdPreference(a: string, b: string): number {
  return idRank(a) - idRank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function mergeVulnerabilities(vulns: readonly Vulnerability[]): Finding[] {
  // Union-find over the vulnerabilities, joined through every id they mention.
  const parent = vulns.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const owner = new Map<string, number>();
  vulns.forEach((v, i) => {
    for (const id of [v.id, ...v.aliases]) {
      const other = owner.get(id);
      if (other === undefined) owner.set(id, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, Vulnerability[]>();
  vulns.forEach((v, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), v]);
  });

  const findings: Finding[] = [];
  for (const group of groups.values()) {
    const primary = [...group].sort((a, b) => compareIdPreference(a.id, b.id))[0] as Vulnerability;
    const ids = new Set<string>();
    const fixes = new Map<string, string>();
    for (const v of group) {
      for (const id of [v.id, ...v.aliases]) ids.add(id);
      for (const f of v.fixVersions) fixes.set(f, f);
    }
    ids.delete(primary.id);
    // The kept record's ratings and links first, then the others'.
    const ordered = [primary, ...group.filter((v) => v !== primary)];
    const references = new Map<string, VulnerabilityReference>();
    for (const v of ordered) for (const r of v.references ?? []) references.set(r.url, r);
    const finding: Omit<Finding, 'severity'> = {
      id: primary.id,
      aliases: [...ids].sort(),
      fixVersions: [...fixes.values()].sort(compareVersions),
      description: primary.description,
      sources: [...new Set(group.map((v) => v.source))].sort(),
      malicious: group.some((v) => v.malicious === true),
      references: [...references.values()],
    };
    findings.push(
      defineLazy(finding as Finding, 'severity', () => severityOf(uniqueRatings(ordered))),
    );
  }
  // Deterministic order whatever the services' order: by id as text (for a PyPA-only
  // database this is the order the OSV API itself answers in).
  return findings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The ratings of a group of records, a record reported by several sources counted once. */
function uniqueRatings(group: readonly Vulnerability[]): Severity['ratings'] {
  const seen = new Set<string>();
  return group.flatMap((v) =>
    (v.ratings ?? []).filter((r) => {
      const key = `${r.source}\u0000${r.method}\u0000${r.vector ?? r.level}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
}
