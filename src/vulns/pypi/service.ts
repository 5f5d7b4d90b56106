/**
 * The PyPI JSON API source (`-s pypi`, pip-audit's default): `GET /pypi/{name}/{version}/json`
 * and its `vulnerabilities` array (`id`, `aliases`, `summary`, `details`, `fixed_in`,
 * `withdrawn`), one request per distinct (name, version), concurrently. A 404 means PyPI does
 * not know that package or version: the dependency cannot be audited by this source.
 */
import type { ResolvedDependency } from '../../core/dependency.js';
import { serviceError } from '../../core/errors.js';
import type { HttpClient } from '../../http/client.js';
import { compareVersions, normalizeVersion } from '../../standards/pep440.js';
import { mapLimit } from '../concurrency.js';
import type { QueryProgress, ServiceAnswer, VulnerabilityService } from '../types.js';

export const DEFAULT_PYPI_URL = 'https://pypi.org';

export interface PypiServiceOptions {
  readonly http: HttpClient;
  /** The index's base URL (`https://pypi.org`); a mirror that serves the JSON API. */
  readonly url?: string;
  readonly concurrency?: number;
}

interface PypiVulnerability {
  id: string;
  aliases?: string[] | null;
  summary?: string | null;
  details?: string | null;
  fixed_in?: string[] | null;
  withdrawn?: string | null;
}

export function createPypiService(options: PypiServiceOptions): VulnerabilityService {
  const base = (options.url ?? DEFAULT_PYPI_URL).replace(/\/+$/, '');
  const { http } = options;

  async function lookup(d: ResolvedDependency): Promise<ServiceAnswer> {
    const url = `${base}/pypi/${encodeURIComponent(d.name)}/${encodeURIComponent(d.version)}/json`;
    const response = await http.get(url);
    if (response.status === 404) {
      return {
        notFound: `Dependency not found on PyPI and could not be audited: ${d.name} (${d.version})`,
      };
    }
    if (response.status !== 200)
      throw serviceError(`HTTP ${response.status} from the PyPI JSON API`, url);
    const body = http.json<{ vulnerabilities?: PypiVulnerability[] | null } | null>(response, url);
    // A mirror that copies the JSON API without vulnerability data (devpi, some proxies) must
    // not pass for "no vulnerabilities".
    if (body === null || typeof body !== 'object' || !Array.isArray(body.vulnerabilities)) {
      throw serviceError(
        'the answer has no "vulnerabilities" list, so this index cannot say whether the package is vulnerable (a mirror without vulnerability data?); use --pypi-url https://pypi.org or -s osv',
        url,
      );
    }
    for (const v of body.vulnerabilities) {
      const bad =
        v === null ||
        typeof v !== 'object' ||
        typeof v.id !== 'string' ||
        !(v.aliases == null || Array.isArray(v.aliases)) ||
        !(v.fixed_in == null || Array.isArray(v.fixed_in));
      if (bad) throw serviceError('the answer has a malformed "vulnerabilities" entry', url);
    }
    return body.vulnerabilities
      .filter((v) => !v.withdrawn)
      .map((v) => {
        const fixes = (v.fixed_in ?? []).map((f) => {
          const normalized = normalizeVersion(f);
          if (normalized === null)
            throw serviceError(`PyPI answered a malformed fix version '${f}' for ${v.id}`, url);
          return normalized;
        });
        return {
          id: v.id,
          aliases: [...(v.aliases ?? [])],
          fixVersions: [...new Set(fixes)].sort(compareVersions),
          description: (v.summary || v.details || 'N/A').replace(/\n/g, ' '),
          source: 'pypi',
        };
      });
  }

  return {
    name: 'pypi',
    async query(
      dependencies: readonly ResolvedDependency[],
      progress?: QueryProgress,
    ): Promise<ServiceAnswer[]> {
      const key = (d: ResolvedDependency): string => `${d.name}\u0000${d.version}`;
      const unique = [...new Map(dependencies.map((d) => [key(d), d])).values()];
      let done = 0;
      const answers = await mapLimit(unique, options.concurrency ?? 32, async (d) => {
        const answer = await lookup(d);
        progress?.(++done, unique.length);
        return answer;
      });
      const byKey = new Map(unique.map((d, i) => [key(d), answers[i] as ServiceAnswer]));
      return dependencies.map((d) => byKey.get(key(d)) as ServiceAnswer);
    },
  };
}
