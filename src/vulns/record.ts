/** OSV record → what a vulnerability source reports, the same way for every source. */
import { isMaliciousRecord, recordRatings } from '../audit/severity.js';
import { defineLazy } from '../core/lazy.js';
import { describeRecord, fixVersions, type OsvRecord } from '../standards/osv.js';
import type { Vulnerability } from './types.js';

export function toVulnerability(
  record: OsvRecord,
  packageName: string,
  source: string,
): Vulnerability {
  const references = (record.references ?? []).filter(
    (r) => typeof r.url === 'string' && typeof r.type === 'string',
  );
  const vulnerability: Vulnerability = {
    id: record.id,
    aliases: [...(record.aliases ?? [])],
    fixVersions: fixVersions(record, packageName),
    description: describeRecord(record),
    source,
    ...(record.published !== undefined && { published: record.published }),
    ...(record.modified !== undefined && { modified: record.modified }),
    ...(isMaliciousRecord(record) && { malicious: true }),
    ...(references.length > 0 && {
      references: references.map((r) => ({ type: r.type, url: r.url })),
    }),
  };
  // Scoring CVSS vectors loads the calculator and costs more than the rest of a warm audit:
  // it is done when something reads the ratings (severity options, SARIF, HTML, CycloneDX).
  // Only what rates the record is kept for it, not the whole record.
  const rates = {
    id: record.id,
    severity: record.severity,
    database_specific: record.database_specific,
  };
  return defineLazy(vulnerability, 'ratings', () => {
    const ratings = recordRatings(rates);
    return ratings.length > 0 ? ratings : undefined;
  });
}
