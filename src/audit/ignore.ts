/**
 * Ignore rules: `--ignore-vuln ID` (pip-audit's), `--ignore-until-fixed ID` (uv's: only while
 * no fix version exists) and the configuration file's `ignore = [{ id, reason, expires,
 * package }]`. A rule matches a finding by its id or any alias, and only in its package when it
 * names one. An expired rule no longer applies; every rule that matched nothing is reported,
 * so ignore lists do not outlive the flaws they were written for.
 */
import { canonicalizeName } from '../standards/pep503.js';
import type { Finding } from './merge.js';

export interface IgnoreRule {
  /** A vulnerability id or alias. */
  readonly id: string;
  readonly reason?: string;
  /** `YYYY-MM-DD`: the rule stops applying on that day (UTC). */
  readonly expires?: string;
  /** Only findings in this package (any spelling; compared PEP 503-normalized). */
  readonly package?: string;
  /** Only while the finding has no fix version (`--ignore-until-fixed`). */
  readonly untilFixed?: boolean;
  /** Where the rule was written: `file:line`, or the flag (`--ignore-vuln`). */
  readonly origin: string;
}

/** A finding an ignore rule set aside: still reported, as ignored. */
export interface IgnoredFinding extends Finding {
  readonly ignoredBy: IgnoreRule;
}

/** Why a finding was ignored, in words: the rule's reason, else where the rule was written. */
export function ignoreJustification(finding: IgnoredFinding): string {
  return finding.ignoredBy.reason ?? `ignored with ${finding.ignoredBy.origin}`;
}

/** What became of the rules in one audit, for the warnings. */
export interface IgnoreUsage {
  /** Rules that ignored at least one finding. */
  readonly used: Set<IgnoreRule>;
  /** `--ignore-until-fixed` rules that matched a finding that now has a fix. */
  readonly fixAvailable: Map<IgnoreRule, readonly string[]>;
}

export const newIgnoreUsage = (): IgnoreUsage => ({ used: new Set(), fixAvailable: new Map() });

/** `--ignore-vuln` ids as rules. */
export function ignoreVulnRules(ids: Iterable<string>, origin = '--ignore-vuln'): IgnoreRule[] {
  return [...ids].map((id) => ({ id, origin }));
}

/** Splits the rules into those in force on `today` (`YYYY-MM-DD`, UTC) and the expired ones. */
export function rulesInForce(
  rules: readonly IgnoreRule[],
  today: string,
): { active: IgnoreRule[]; expired: IgnoreRule[] } {
  const active: IgnoreRule[] = [];
  const expired: IgnoreRule[] = [];
  for (const rule of rules) {
    if (rule.expires !== undefined && rule.expires <= today) expired.push(rule);
    else active.push(rule);
  }
  return { active, expired };
}

function matches(rule: IgnoreRule, finding: Finding, packageName: string): boolean {
  if (rule.id !== finding.id && !finding.aliases.includes(rule.id)) return false;
  return rule.package === undefined || canonicalizeName(rule.package) === packageName;
}

/**
 * Splits one package's findings into those kept and those an (active) rule ignores; records
 * in `usage` which rules were used.
 */
export function partitionIgnored(
  findings: readonly Finding[],
  packageName: string,
  rules: readonly IgnoreRule[],
  usage: IgnoreUsage = newIgnoreUsage(),
): { kept: Finding[]; ignored: IgnoredFinding[] } {
  const kept: Finding[] = [];
  const ignored: IgnoredFinding[] = [];
  for (const finding of findings) {
    // The first rule that applies is the one reported; every rule that applies counts as used.
    let by: IgnoreRule | undefined;
    for (const rule of rules) {
      if (!matches(rule, finding, packageName)) continue;
      if (rule.untilFixed && finding.fixVersions.length > 0) {
        usage.fixAvailable.set(rule, finding.fixVersions);
        continue;
      }
      by ??= rule;
      usage.used.add(rule);
    }
    if (by) ignored.push({ ...finding, ignoredBy: by });
    else kept.push(finding);
  }
  return { kept, ignored };
}

/** The warnings an audit prints about its rules. */
export function ignoreWarnings(
  rules: readonly IgnoreRule[],
  expired: readonly IgnoreRule[],
  usage: IgnoreUsage,
  /** Whether findings were looked for at all (not on a dry run): only then can a rule be unused. */
  audited: boolean,
): string[] {
  const warnings: string[] = [];
  const name = (rule: IgnoreRule): string =>
    `${rule.id}${rule.package !== undefined ? ` in ${rule.package}` : ''}`;
  for (const rule of expired) {
    warnings.push(
      `${rule.origin}: the ignore rule for ${name(rule)} expired on ${rule.expires as string}; it no longer applies`,
    );
  }
  for (const rule of audited ? rules : []) {
    if (usage.used.has(rule)) continue;
    const fixes = usage.fixAvailable.get(rule);
    if (fixes) {
      warnings.push(
        `${rule.origin}: ${rule.id} has a fix now (${fixes.join(', ')}); it is reported again`,
      );
    } else if (!expired.includes(rule)) {
      warnings.push(`${rule.origin}: the ignore rule for ${name(rule)} matched no finding`);
    }
  }
  return warnings;
}
