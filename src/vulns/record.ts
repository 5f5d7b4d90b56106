/** OSV record → what a vulnerability source reports, the same way for every source. */
import { describeRecord, fixVersions, type OsvRecord } from '../standards/osv.js';
import type { Vulnerability } from './types.js';

export function toVulnerability(
  record: OsvRecord,
  packageName: string,
  source: string,
): Vulnerability {
  return {
    id: record.id,
    aliases: [...(record.aliases ?? [])],
    fixVersions: fixVersions(record, packageName),
    description: describeRecord(record),
    source,
    ...(record.published !== undefined && { published: record.published }),
    ...(record.modified !== undefined && { modified: record.modified }),
  };
}
