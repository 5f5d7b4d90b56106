/**
 * The ecosyste.ms advisories source (`-s esms`, as in pip-audit):
 * `GET /api/v1/advisories?ecosystem=pypi&package_name={name}` once per package, then each
 * advisory's `vulnerable_version_range` (OSV-style, `=` for equality) is matched locally
 * with the PEP 440 core. The first patched version of a matching range is its fix. An
 * advisory's CVSS vector and GitHub level rate it as they rate an OSV record, and its
 * references become the finding's links.
 */
import type { ResolvedDependency } from '../../core/dependency.js';
import { serviceError } from '../../core/errors.js';
import type { HttpClient } from '../../http/client.js';
import {
  compareVersions,
  normalizeVersion,
  parseSpecifierSet,
  specifierContains,
} from '../../standards/pep440.js';
import { canonicalizeName } from '../../standards/pep503.js';
import { compareIdPreference } from '../../audit/merge.js';
import { recordRatings, type SeverityRating } from '../../audit/severity.js';
import { defineLazy } from '../../core/lazy.js';
import { mapLimit } from '../concurrency.js';
import type { QueryProgress, Vulnerability, VulnerabilityService } from '../types.js';
import { isJsonObject } from '../../core/json-file.js';

export const DEFAULT_ESMS_URL = 'https://advisories.ecosyste.ms';

export interface EsmsServiceOptions {
  readonly http: HttpClient;
  readonly url?: string;
  readonly concurrency?: number;
}

export interface EsmsAdvisory {
  identifiers?: string[];
  title?: string | null;
  description?: string | null;
  withdrawn_at?: string | null;
  published_at?: string | null;
  /** GitHub's qualitative level (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`), when known. */
  severity?: string | null;
  /** A CVSS vector (v2 bare, `CVSS:3.x/…`, `CVSS:4.0/…`), when known. */
  cvss_vector?: string | null;
  references?: Array<string | null> | null;
  packages?: Array<{
    ecosystem?: string;
    package_name?: string;
    versions?: Array<{ vulnerable_version_range?: string; first_patched_version?: string | null }>;
  }>;
}

/** `>= 1.0, < 2` stays; a lone `=` (equality in OSV range syntax) becomes `==`. */
export function esmsRangeToSpecifier(range: string): string {
  return range
    .split(',')
    .map((part) => part.trim().replace(/^=(?!=)\s*/, '=='))
    .join(',');
}

const optionalString = (v: unknown): boolean =>
  v === undefined || v === null || typeof v === 'string';
const listOf = (v: unknown, item: (x: unknown) => boolean): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.every(item));

/**
 * Why an answer is not an advisory this source can read, or null: every field read is checked
 * here, so a malformed answer is an error naming the URL, never a crash or a quiet "clean".
 */
export function advisoryProblem(value: unknown): string | null {
  if (!isJsonObject(value)) return 'not an object';
  if (!listOf(value.identifiers, (x) => typeof x === 'string'))
    return '"identifiers" is not a list of strings';
  for (const key of [
    'title',
    'description',
    'withdrawn_at',
    'published_at',
    'severity',
    'cvss_vector',
  ])
    if (!optionalString(value[key])) return `"${key}" is not a string`;
  if (!listOf(value.references, (x) => x === null || typeof x === 'string'))
    return '"references" is not a list of strings';
  if (!listOf(value.packages, isJsonObject)) return '"packages" is not a list of objects';
  for (const pkg of (value.packages ?? []) as Array<Record<string, unknown>>) {
    if (!optionalString(pkg.ecosystem) || !optionalString(pkg.package_name))
      return 'a package\'s "ecosystem" or "package_name" is not a string';
    if (
      !listOf(
        pkg.versions,
        (v) =>
          isJsonObject(v) &&
          optionalString(v.vulnerable_version_range) &&
          optionalString(v.first_patched_version),
      )
    )
      return 'a package\'s "versions" is not a list of version ranges';
  }
  return null;
}

/** The OSV severity type of a CVSS vector, from its prefix (a v2 vector has none). */
function cvssType(vector: string): string {
  if (vector.startsWith('CVSS:4.')) return 'CVSS_V4';
  if (vector.startsWith('CVSS:3.')) return 'CVSS_V3';
  return 'CVSS_V2';
}

/**
 * What a (checked) advisory reports for one dependency, or null when it does not affect it.
 * `url` names the answer in errors.
 */
export function matchAdvisory(
  advisory: EsmsAdvisory,
  name: string,
  version: string,
  url: string,
): Vulnerability | null {
  if (advisory.withdrawn_at) return null;
  const ids = [...(advisory.identifiers ?? [])].sort(compareIdPreference);
  if (ids.length === 0) return null;
  let vulnerable = false;
  const fixes = new Set<string>();
  for (const pkg of advisory.packages ?? []) {
    if (pkg.ecosystem !== 'pypi' || canonicalizeName(pkg.package_name ?? '') !== name) continue;
    for (const v of pkg.versions ?? []) {
      const spec = esmsRangeToSpecifier(v.vulnerable_version_range ?? '');
      const set = parseSpecifierSet(spec);
      if (!set)
        throw serviceError(
          `ecosyste.ms answered an unreadable version range '${v.vulnerable_version_range}' for ${ids[0]}`,
          url,
        );
      if (!specifierContains(set, version, { prereleases: true })) continue;
      vulnerable = true;
      if (v.first_patched_version)
        fixes.add(normalizeVersion(v.first_patched_version) ?? v.first_patched_version);
      break;
    }
  }
  if (!vulnerable) return null;
  const id = ids[0] as string;
  const references = (advisory.references ?? []).filter(
    (r): r is string => typeof r === 'string' && /^https?:\/\//.test(r),
  );
  // An OpenSSF malicious-packages id among its identifiers: a malicious package.
  const maliciousId = ids.find((i) => i.startsWith('MAL-'));
  const vulnerability: Vulnerability = {
    id,
    aliases: ids.slice(1),
    ...(maliciousId !== undefined && { malicious: true }),
    fixVersions: [...fixes].sort(compareVersions),
    description: (advisory.title || advisory.description || 'N/A').replace(/\n/g, ' '),
    source: 'esms',
    ...(advisory.published_at && { published: advisory.published_at }),
    ...(references.length > 0 && {
      references: references.map((url) => ({ type: 'WEB', url })),
    }),
  };
  // Rated the way an OSV record is: the CVSS vector scored, GitHub's level read, and
  // malicious when one of its ids is the malicious-packages feed's.
  return defineLazy(vulnerability, 'ratings', () => {
    const ratings: SeverityRating[] =
      maliciousId !== undefined && maliciousId !== id
        ? [{ source: maliciousId, method: 'OpenSSF', level: 'malicious' }]
        : [];
    ratings.push(
      ...recordRatings({
        id,
        ...(typeof advisory.cvss_vector === 'string' &&
          advisory.cvss_vector !== '' && {
            severity: [{ type: cvssType(advisory.cvss_vector), score: advisory.cvss_vector }],
          }),
        ...(typeof advisory.severity === 'string' && {
          database_specific: { severity: advisory.severity },
        }),
      }),
    );
    return ratings.length > 0 ? ratings : undefined;
  });
}

export function createEsmsService(options: EsmsServiceOptions): VulnerabilityService {
  const base = (options.url ?? DEFAULT_ESMS_URL).replace(/\/+$/, '');
  const { http } = options;

  async function advisories(name: string): Promise<EsmsAdvisory[]> {
    const url = `${base}/api/v1/advisories?${new URLSearchParams({ ecosystem: 'pypi', package_name: name })}`;
    const response = await http.get(url);
    if (response.status !== 200)
      throw serviceError(`HTTP ${response.status} from the ecosyste.ms advisories API`, url);
    const body = http.json<unknown>(response, url);
    if (body !== null && !Array.isArray(body))
      throw serviceError('the ecosyste.ms advisories API did not answer a list', url);
    for (const [i, advisory] of (body ?? []).entries()) {
      const problem = advisoryProblem(advisory);
      if (problem !== null)
        throw serviceError(
          `the ecosyste.ms advisories API answered a malformed advisory (item ${i}: ${problem})`,
          url,
        );
    }
    return (body ?? []) as EsmsAdvisory[];
  }

  return {
    name: 'esms',
    async query(
      dependencies: readonly ResolvedDependency[],
      progress?: QueryProgress,
    ): Promise<Vulnerability[][]> {
      const names = [...new Set(dependencies.map((d) => d.name))];
      let done = 0;
      const lists = await mapLimit(names, options.concurrency ?? 16, async (name) => {
        const list = await advisories(name);
        progress?.(++done, names.length);
        return list;
      });
      const byName = new Map(names.map((n, i) => [n, lists[i] as EsmsAdvisory[]]));
      return dependencies.map((d) => {
        const url = `${base}/api/v1/advisories`;
        return (byName.get(d.name) ?? []).flatMap(
          (a) => matchAdvisory(a, d.name, d.version, url) ?? [],
        );
      });
    },
  };
}
