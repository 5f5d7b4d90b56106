/**
 * OSV record → what a vulnerability source reports, the same way for every source, in two
 * steps: `summarizeRecord` keeps what one package reports of a record as plain JSON (the OSV
 * service caches it, src/cache/summaries.ts), and `fromSummary` makes the reported
 * vulnerability of it.
 */
import { isMaliciousRecord, recordRatings } from '../audit/severity.js';
import { isJsonObject } from '../core/json-file.js';
import { defineLazy } from '../core/lazy.js';
import {
  describeRecord,
  fixVersions,
  isStringList,
  osvRecordProblem,
  type OsvRecord,
} from '../standards/osv.js';
import type { Vulnerability, VulnerabilityReference } from './types.js';

/** What rates a record (`recordRatings` reads nothing else). */
export type RatingInput = Pick<OsvRecord, 'id' | 'severity' | 'database_specific'>;

/** A record as one package reports it, without its source: plain JSON. */
export interface RecordSummary {
  readonly id: string;
  readonly aliases: readonly string[];
  /** For this package, PEP 440 sorted. */
  readonly fixVersions: readonly string[];
  readonly description: string;
  readonly published?: string;
  readonly modified?: string;
  readonly malicious?: true;
  readonly references?: readonly VulnerabilityReference[];
  /** Scored into ratings when these are first read. */
  readonly rates: RatingInput;
}

export function summarizeRecord(record: OsvRecord, packageName: string): RecordSummary {
  const references = (record.references ?? []).filter(
    (r) => typeof r.url === 'string' && typeof r.type === 'string',
  );
  return {
    id: record.id,
    aliases: [...(record.aliases ?? [])],
    fixVersions: fixVersions(record, packageName),
    description: describeRecord(record),
    ...(record.published !== undefined && { published: record.published }),
    ...(record.modified !== undefined && { modified: record.modified }),
    ...(isMaliciousRecord(record) && { malicious: true as const }),
    ...(references.length > 0 && {
      references: references.map((r) => ({ type: r.type, url: r.url })),
    }),
    // Only what rates the record is kept for its ratings, not the whole record.
    rates: {
      id: record.id,
      ...(record.severity !== undefined && { severity: record.severity }),
      ...(record.database_specific !== undefined && {
        database_specific: record.database_specific,
      }),
    },
  };
}

export function fromSummary(summary: RecordSummary, source: string): Vulnerability {
  const { rates, id, aliases, fixVersions, description, ...rest } = summary;
  const vulnerability: Vulnerability = { id, aliases, fixVersions, description, source, ...rest };
  // Scoring CVSS vectors loads the calculator and costs more than the rest of a warm audit:
  // it is done when something reads the ratings (severity options, SARIF, HTML, CycloneDX).
  return defineLazy(vulnerability, 'ratings', () => {
    const ratings = recordRatings(rates);
    return ratings.length > 0 ? ratings : undefined;
  });
}

export function toVulnerability(
  record: OsvRecord,
  packageName: string,
  source: string,
): Vulnerability {
  return fromSummary(summarizeRecord(record, packageName), source);
}

/** Whether a value read back from a cache is a summary (nothing read from disk is trusted). */
export function isRecordSummary(value: unknown): value is RecordSummary {
  if (!isJsonObject(value)) return false;
  const { id, aliases, fixVersions, description, published, modified, malicious, references } =
    value;
  return (
    typeof id === 'string' &&
    isStringList(aliases) &&
    isStringList(fixVersions) &&
    typeof description === 'string' &&
    (published === undefined || typeof published === 'string') &&
    (modified === undefined || typeof modified === 'string') &&
    (malicious === undefined || malicious === true) &&
    (references === undefined ||
      (Array.isArray(references) &&
        references.every(
          (r) => isJsonObject(r) && typeof r.type === 'string' && typeof r.url === 'string',
        ))) &&
    isJsonObject(value.rates) &&
    value.rates.id === id &&
    osvRecordProblem(value.rates) === null
  );
}
