/**
 * How bad a finding is. Every OSV record can rate itself in two ways, and both are read:
 *
 * - `severity[]`: CVSS vectors (`CVSS_V2`, `CVSS_V3` for 3.0 and 3.1, `CVSS_V4`). A vector is
 *   checked against its version's metric table first (every base metric present once, every
 *   value allowed), because the calculator scores an incomplete vector as 0; then scored with
 *   `ae-cvss-calculator` and mapped to the specification's qualitative rating (CVSS v3.1 §5,
 *   v4.0 §2; v2 has no "critical": NVD's low/medium/high bands).
 * - `database_specific.severity`: GitHub's `LOW`, `MODERATE`, `HIGH`, `CRITICAL`.
 *
 * Records of the OpenSSF malicious-packages feed (`MAL-` ids, or any record carrying
 * `database_specific.malicious-packages-origins`) are `malicious`, above every score. A record
 * rates as the highest of its ratings; a finding merged from several records as the highest of
 * theirs; a finding with no usable rating is `unknown`.
 */
import type ae from 'ae-cvss-calculator';
import { isJsonObject } from '../core/json-file.js';
import { lazyModule } from '../core/lazy-module.js';
import type { OsvRecord, OsvSeverity } from '../standards/osv.js';

/**
 * The calculator (a 190 kB CommonJS module) is loaded on the first vector, so that an audit
 * with no CVSS vector, and the CLI's start-up, never pay for it. (Being required also keeps
 * it out of the bundled CLI, which requires it from node_modules when needed.)
 */
const loadCalculators = lazyModule<typeof ae>('ae-cvss-calculator');

/** From least to most severe. `unknown` sorts lowest but is never taken to be harmless. */
export const SEVERITY_LEVELS = [
  'unknown',
  'low',
  'medium',
  'high',
  'critical',
  'malicious',
] as const;

export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

export type RatingMethod = 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' | 'GitHub' | 'OpenSSF';

/** One rating a record gives. */
export interface SeverityRating {
  /** The record that gives it. */
  readonly source: string;
  readonly method: RatingMethod;
  readonly level: SeverityLevel;
  /** CVSS score, 0.0–10.0. */
  readonly score?: number;
  readonly vector?: string;
}

/** A finding's severity: the highest rating, and every rating it was chosen from. */
export interface Severity {
  readonly level: SeverityLevel;
  /** The highest CVSS score among the ratings, when any. */
  readonly score?: number;
  readonly ratings: readonly SeverityRating[];
}

export const UNKNOWN_SEVERITY: Severity = { level: 'unknown', ratings: [] };

export function severityRank(level: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(level);
}

export function isSeverityLevel(text: string): text is SeverityLevel {
  return (SEVERITY_LEVELS as readonly string[]).includes(text);
}

// --- CVSS vector validation -------------------------------------------------------------------

type MetricTable = Readonly<Record<string, readonly string[]>>;

interface CvssVersion {
  readonly prefix: string;
  /** Metrics every vector must carry. */
  readonly base: MetricTable;
  /** Metrics a vector may carry. */
  readonly optional: MetricTable;
}

const CIA3 = ['H', 'L', 'N'];
const CVSS3: Omit<CvssVersion, 'prefix'> = {
  base: {
    AV: ['N', 'A', 'L', 'P'],
    AC: ['L', 'H'],
    PR: ['N', 'L', 'H'],
    UI: ['N', 'R'],
    S: ['U', 'C'],
    C: CIA3,
    I: CIA3,
    A: CIA3,
  },
  optional: {
    E: ['X', 'U', 'P', 'F', 'H'],
    RL: ['X', 'O', 'T', 'W', 'U'],
    RC: ['X', 'U', 'R', 'C'],
    CR: ['X', 'L', 'M', 'H'],
    IR: ['X', 'L', 'M', 'H'],
    AR: ['X', 'L', 'M', 'H'],
    MAV: ['X', 'N', 'A', 'L', 'P'],
    MAC: ['X', 'L', 'H'],
    MPR: ['X', 'N', 'L', 'H'],
    MUI: ['X', 'N', 'R'],
    MS: ['X', 'U', 'C'],
    MC: ['X', ...CIA3],
    MI: ['X', ...CIA3],
    MA: ['X', ...CIA3],
  },
};

const CVSS_VERSIONS: Readonly<Record<string, CvssVersion>> = {
  // CVSS v2 guide §2 and §3.2.
  '2.0': {
    prefix: '',
    base: {
      AV: ['L', 'A', 'N'],
      AC: ['H', 'M', 'L'],
      Au: ['M', 'S', 'N'],
      C: ['N', 'P', 'C'],
      I: ['N', 'P', 'C'],
      A: ['N', 'P', 'C'],
    },
    optional: {
      E: ['U', 'POC', 'F', 'H', 'ND'],
      RL: ['OF', 'TF', 'W', 'U', 'ND'],
      RC: ['UC', 'UR', 'C', 'ND'],
      CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
      TD: ['N', 'L', 'M', 'H', 'ND'],
      CR: ['L', 'M', 'H', 'ND'],
      IR: ['L', 'M', 'H', 'ND'],
      AR: ['L', 'M', 'H', 'ND'],
    },
  },
  // CVSS v3.0 and v3.1 specification §6 (the same metrics).
  '3.0': { prefix: 'CVSS:3.0/', ...CVSS3 },
  '3.1': { prefix: 'CVSS:3.1/', ...CVSS3 },
  // CVSS v4.0 specification §7.
  '4.0': {
    prefix: 'CVSS:4.0/',
    base: {
      AV: ['N', 'A', 'L', 'P'],
      AC: ['L', 'H'],
      AT: ['N', 'P'],
      PR: ['N', 'L', 'H'],
      UI: ['N', 'P', 'A'],
      VC: CIA3,
      VI: CIA3,
      VA: CIA3,
      SC: CIA3,
      SI: CIA3,
      SA: CIA3,
    },
    optional: {
      E: ['X', 'A', 'P', 'U'],
      CR: ['X', 'H', 'M', 'L'],
      IR: ['X', 'H', 'M', 'L'],
      AR: ['X', 'H', 'M', 'L'],
      MAV: ['X', 'N', 'A', 'L', 'P'],
      MAC: ['X', 'L', 'H'],
      MAT: ['X', 'N', 'P'],
      MPR: ['X', 'N', 'L', 'H'],
      MUI: ['X', 'N', 'P', 'A'],
      MVC: ['X', ...CIA3],
      MVI: ['X', ...CIA3],
      MVA: ['X', ...CIA3],
      MSC: ['X', ...CIA3],
      MSI: ['X', 'S', ...CIA3],
      MSA: ['X', 'S', ...CIA3],
      S: ['X', 'N', 'P'],
      AU: ['X', 'N', 'Y'],
      R: ['X', 'A', 'U', 'I'],
      V: ['X', 'D', 'C'],
      RE: ['X', 'L', 'M', 'H'],
      U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
    },
  },
};

/** The CVSS version a vector claims (`2.0` for a bare v2 vector), or null. */
function claimedVersion(vector: string): string | null {
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (m) return m[1] as string;
  return vector.startsWith('AV:') ? '2.0' : null;
}

/**
 * Whether `vector` is a complete, well-formed CVSS vector of its version: the prefix, then
 * `metric:value` pairs, each metric known and given once, every base metric present.
 * Returns the version (`2.0`, `3.0`, `3.1`, `4.0`) or null.
 */
export function validateCvssVector(vector: string): string | null {
  const version = claimedVersion(vector);
  const table = version !== null ? CVSS_VERSIONS[version] : undefined;
  if (!version || !table) return null;
  const seen = new Set<string>();
  for (const part of vector.slice(table.prefix.length).split('/')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return null;
    const metric = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const allowed = table.base[metric] ?? table.optional[metric];
    if (!allowed || !allowed.includes(value) || seen.has(metric)) return null;
    seen.add(metric);
  }
  return Object.keys(table.base).every((m) => seen.has(m)) ? version : null;
}

/** The OSV `severity[].type` each version belongs under. */
const OSV_TYPE: Readonly<Record<string, string>> = {
  '2.0': 'CVSS_V2',
  '3.0': 'CVSS_V3',
  '3.1': 'CVSS_V3',
  '4.0': 'CVSS_V4',
};

const METHOD: Readonly<Record<string, RatingMethod>> = {
  '2.0': 'CVSSv2',
  '3.0': 'CVSSv3',
  '3.1': 'CVSSv31',
  '4.0': 'CVSSv4',
};

/** The qualitative rating of a score: CVSS v3/v4 bands, or NVD's v2 bands (no critical). */
export function levelOfScore(score: number, version: string): SeverityLevel {
  if (version === '2.0') return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  // 0.0 is "None" in the specification; a finding that exists is rated low, never dropped.
  return 'low';
}

/** Scores by vector: records repeat the same few vectors, and a calculator is not cheap. */
const scoreCache = new Map<string, { version: string; score: number } | null>();

/** A CVSS base score (v2, v3.x) or the v4.0 score of a validated vector; null if invalid. */
export function cvssScore(vector: string): { version: string; score: number } | null {
  let scored = scoreCache.get(vector);
  if (scored === undefined) {
    scored = computeCvssScore(vector);
    if (scoreCache.size > 10_000) scoreCache.clear();
    scoreCache.set(vector, scored);
  }
  return scored && { ...scored };
}

function computeCvssScore(vector: string): { version: string; score: number } | null {
  const version = validateCvssVector(vector);
  if (!version) return null;
  const cvss = loadCalculators();
  const calculator =
    version === '2.0'
      ? new cvss.Cvss2(vector)
      : version === '3.0'
        ? new cvss.Cvss3P0(vector)
        : version === '3.1'
          ? new cvss.Cvss3P1(vector)
          : new cvss.Cvss4P0(vector);
  const scores = calculator.calculateScores() as { base?: number; overall: number };
  // v2/v3 severities are rated on the base score; a v4 vector's score is its overall score.
  const score = version === '4.0' ? scores.overall : (scores.base ?? scores.overall);
  if (!Number.isFinite(score)) return null;
  return { version, score };
}

/** One OSV `severity[]` entry as a rating, or null when its vector is not valid for its type. */
export function ratingOfSeverityEntry(entry: OsvSeverity, source: string): SeverityRating | null {
  if (typeof entry.score !== 'string') return null;
  const scored = cvssScore(entry.score.trim());
  if (!scored || OSV_TYPE[scored.version] !== entry.type) return null;
  return {
    source,
    method: METHOD[scored.version] as RatingMethod,
    level: levelOfScore(scored.score, scored.version),
    score: scored.score,
    vector: entry.score.trim(),
  };
}

const GITHUB_LEVELS: Readonly<Record<string, SeverityLevel>> = {
  LOW: 'low',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
};

function objectField(value: unknown, key: string): unknown {
  return isJsonObject(value) ? value[key] : undefined;
}

/** Whether a record comes from the OpenSSF malicious-packages feed. */
export function isMaliciousRecord(record: Pick<OsvRecord, 'id' | 'database_specific'>): boolean {
  return (
    record.id.startsWith('MAL-') ||
    objectField(record.database_specific, 'malicious-packages-origins') !== undefined
  );
}

/** Every rating one OSV record gives (none: the record does not rate itself). */
export function recordRatings(
  record: Pick<OsvRecord, 'id' | 'severity' | 'database_specific'>,
): SeverityRating[] {
  const ratings: SeverityRating[] = [];
  if (isMaliciousRecord(record)) {
    ratings.push({ source: record.id, method: 'OpenSSF', level: 'malicious' });
  }
  for (const entry of record.severity ?? []) {
    const rating = ratingOfSeverityEntry(entry, record.id);
    if (rating) ratings.push(rating);
  }
  const github = objectField(record.database_specific, 'severity');
  if (typeof github === 'string' && GITHUB_LEVELS[github.toUpperCase()]) {
    ratings.push({
      source: record.id,
      method: 'GitHub',
      level: GITHUB_LEVELS[github.toUpperCase()] as SeverityLevel,
    });
  }
  return ratings;
}

/** The severity of a finding from all its records' ratings: the highest of them. */
export function severityOf(ratings: readonly SeverityRating[]): Severity {
  if (ratings.length === 0) return UNKNOWN_SEVERITY;
  let level: SeverityLevel = 'unknown';
  let score: number | undefined;
  for (const r of ratings) {
    if (severityRank(r.level) > severityRank(level)) level = r.level;
    if (r.score !== undefined && (score === undefined || r.score > score)) score = r.score;
  }
  return { level, ...(score !== undefined && { score }), ratings };
}
