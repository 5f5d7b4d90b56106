/** OSV record → what a vulnerability source reports, the same way for every source. */
import { recordRatings } from '../audit/severity.js';
import { describeRecord, fixVersions, type OsvRecord } from '../standards/osv.js';
import type { Vulnerability } from './types.js';

export function toVulnerability(
  record: OsvRecord,
  packageName: string,
  source: string,
): Vulnerability {
  const ratings = recordRatings(record);
  const references = (record.references ?? []).filter(
    (r) => typeof r.url === 'string' && typeof r.type === 'string',
  );
  return {
    id: record.id,
    aliases: [...(record.aliases ?? [])],
    fixVersions: fixVersions(record, packageName),
    description: describeRecord(record),
    source,
    ...(record.published !== undefined && { published: record.published }),
    ...(record.modified !== undefined && { modified: record.modified }),
    ...(ratings.length > 0 && { ratings }),
    ...(references.length > 0 && {
      references: references.map((r) => ({ type: r.type, url: r.url })),
    }),
  };
}
