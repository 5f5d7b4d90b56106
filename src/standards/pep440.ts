/**
 * PEP 440 versions and version specifiers.
 *
 * The semantics follow Python's `packaging` 26 (`packaging.version`, `packaging.specifiers`),
 * which is what pip, uv and pip-audit agree on. Golden fixtures generated from `packaging`
 * live in `test/fixtures/pep440-*.json` and pin this module down case by case.
 *
 * Numbers (epoch, release segments, pre/post/dev numbers) are kept as canonical digit strings
 * (no leading zeros) because release segments such as calendar dates with times can exceed
 * 2^53; they are compared by length, then lexically, which equals numeric order.
 *
 * https://peps.python.org/pep-0440/
 */

export type PreLabel = 'a' | 'b' | 'rc';

/** A parsed, valid PEP 440 version. Immutable. */
export interface Version {
  /** Epoch as a canonical digit string ("0" when absent). */
  readonly epoch: string;
  /** Release segments as canonical digit strings, e.g. ["1", "10", "0"]. */
  readonly release: readonly string[];
  readonly pre: { readonly label: PreLabel; readonly number: string } | null;
  readonly post: string | null;
  readonly dev: string | null;
  /** Local label parts, lower-cased; numeric parts canonical digit strings. */
  readonly local: readonly string[] | null;
  readonly isPrerelease: boolean;
  readonly isPostrelease: boolean;
  readonly isDevrelease: boolean;
}

// PEP 440 §Appendix B, in the permissive form `packaging` accepts (leading "v", separators,
// alternative spellings). Whitespace around the version is allowed.
const VERSION_RE = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[._-]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[._-]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[._-]?(?<post_l>post|rev|r)[._-]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[._-]?(?<dev_l>dev)[._-]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[._-][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

const SIMPLE_RE = /^[0-9]+(?:\.[0-9]+)*$/;
const DIGITS_RE = /^[0-9]+$/;

/** Strips leading zeros from a digit string ("007" → "7", "0" → "0"). */
function canonicalDigits(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return i === 0 ? digits : digits.slice(i);
}

/** Compares two canonical digit strings numerically. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalizePreLabel(label: string): PreLabel {
  switch (label.toLowerCase()) {
    case 'a':
    case 'alpha':
      return 'a';
    case 'b':
    case 'beta':
      return 'b';
    default:
      // c, rc, pre, preview
      return 'rc';
  }
}

function makeVersion(
  epoch: string,
  release: readonly string[],
  pre: Version['pre'],
  post: string | null,
  dev: string | null,
  local: readonly string[] | null,
): Version {
  return {
    epoch,
    release,
    pre,
    post,
    dev,
    local,
    isPrerelease: pre !== null || dev !== null,
    isPostrelease: post !== null,
    isDevrelease: dev !== null,
  };
}

const versionCache = new Map<string, Version | null>();

/**
 * Parses a PEP 440 version. Returns `null` for anything that is not a valid version
 * (legacy versions such as `2004d`, wildcards such as `3.2.*`); never throws.
 */
export function parseVersion(text: string): Version | null {
  const cached = versionCache.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseVersionUncached(text);
  if (versionCache.size > 50_000) versionCache.clear();
  versionCache.set(text, parsed);
  return parsed;
}

function parseVersionUncached(text: string): Version | null {
  if (SIMPLE_RE.test(text)) {
    return makeVersion('0', text.split('.').map(canonicalDigits), null, null, null, null);
  }
  const match = VERSION_RE.exec(text);
  if (!match?.groups) return null;
  const g = match.groups;
  const release = (g.release ?? '').split('.').map(canonicalDigits);
  const pre = g.pre_l
    ? { label: normalizePreLabel(g.pre_l), number: canonicalDigits(g.pre_n ?? '0') }
    : null;
  let post: string | null = null;
  if (g.post_n1 !== undefined) post = canonicalDigits(g.post_n1);
  else if (g.post_l !== undefined) post = canonicalDigits(g.post_n2 ?? '0');
  const dev = g.dev_l !== undefined ? canonicalDigits(g.dev_n ?? '0') : null;
  const local =
    g.local !== undefined
      ? g.local
          .toLowerCase()
          .split(/[._-]/)
          .map((part) => (DIGITS_RE.test(part) ? canonicalDigits(part) : part))
      : null;
  return makeVersion(canonicalDigits(g.epoch ?? '0'), release, pre, post, dev, local);
}

/** The normalized string form of a version, as `str(packaging.version.Version(...))`. */
export function versionToString(v: Version): string {
  let s = v.release.join('.');
  if (v.epoch !== '0') s = `${v.epoch}!${s}`;
  if (v.pre) s += `${v.pre.label}${v.pre.number}`;
  if (v.post !== null) s += `.post${v.post}`;
  if (v.dev !== null) s += `.dev${v.dev}`;
  if (v.local !== null) s += `+${v.local.join('.')}`;
  return s;
}

/** Normalizes a version string per PEP 440 (`1.0-RC1` → `1.0rc1`), or `null` if invalid. */
export function normalizeVersion(text: string): string | null {
  const v = parseVersion(text);
  return v ? versionToString(v) : null;
}

/** The version without its local label. */
export function publicVersion(v: Version): Version {
  return v.local === null ? v : makeVersion(v.epoch, v.release, v.pre, v.post, v.dev, null);
}

const PRE_RANK: Record<PreLabel, number> = { a: 0, b: 1, rc: 2 };

/**
 * The pre/post/dev suffix as `packaging`'s `_cmpkey` flattens it:
 * (pre_rank, pre_n, post_rank, post_n, dev_rank, dev_n), where a dev-only release ranks
 * before any pre-release and a release without pre-release ranks after `rc`.
 */
function compareSuffix(a: Version, b: Version): number {
  const preRank = (v: Version): number =>
    v.pre ? PRE_RANK[v.pre.label] : v.post === null && v.dev !== null ? -1 : 3;
  let c = preRank(a) - preRank(b);
  if (c !== 0) return c;
  c = compareDigits(a.pre?.number ?? '0', b.pre?.number ?? '0');
  if (c !== 0) return c;
  c = (a.post === null ? 0 : 1) - (b.post === null ? 0 : 1);
  if (c !== 0) return c;
  c = compareDigits(a.post ?? '0', b.post ?? '0');
  if (c !== 0) return c;
  c = (a.dev === null ? 1 : 0) - (b.dev === null ? 1 : 0);
  if (c !== 0) return c;
  return compareDigits(a.dev ?? '0', b.dev ?? '0');
}

function trimmedLength(release: readonly string[]): number {
  let n = release.length;
  while (n > 0 && release[n - 1] === '0') n--;
  return n;
}

/** PEP 440 §Local version identifiers: numeric parts sort above alphanumeric ones. */
function compareLocal(a: readonly string[] | null, b: readonly string[] | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xNum = DIGITS_RE.test(x);
    const yNum = DIGITS_RE.test(y);
    let c: number;
    if (xNum && yNum) c = compareDigits(x, y);
    else if (xNum !== yNum) c = xNum ? 1 : -1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Total order on parsed versions (PEP 440 §Summary of permitted suffixes and relative ordering). */
export function compareParsedVersions(a: Version, b: Version): number {
  let c = compareDigits(a.epoch, b.epoch);
  if (c !== 0) return c;
  const la = trimmedLength(a.release);
  const lb = trimmedLength(b.release);
  for (let i = 0; i < Math.min(la, lb); i++) {
    c = compareDigits(a.release[i] as string, b.release[i] as string);
    if (c !== 0) return c;
  }
  if (la !== lb) return la - lb;
  c = compareSuffix(a, b);
  if (c !== 0) return c;
  return compareLocal(a.local, b.local);
}

/**
 * Compares two versions: negative, 0 or positive. Never throws. Strings that are not valid
 * PEP 440 versions (legacy versions) sort before every valid version and among themselves by
 * their text, as `packaging`'s old `LegacyVersion` did.
 */
export function compareVersions(a: string | Version, b: string | Version): number {
  const va = typeof a === 'string' ? parseVersion(a) : a;
  const vb = typeof b === 'string' ? parseVersion(b) : b;
  if (va && vb) return Math.sign(compareParsedVersions(va, vb));
  if (va) return 1;
  if (vb) return -1;
  const sa = a as string;
  const sb = b as string;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Specifiers (PEP 440 §Version specifiers)
// ---------------------------------------------------------------------------------------

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

/** One clause such as `>=1.0` or `==2.*`. */
export interface Specifier {
  readonly operator: SpecifierOperator;
  /** The version text as written (whitespace trimmed); may end in `.*` for `==`/`!=`. */
  readonly version: string;
}

export class InvalidSpecifierError extends Error {
  constructor(readonly specifier: string) {
    super(`Invalid specifier: '${specifier}'`);
    this.name = 'InvalidSpecifierError';
  }
}

const PRE_PART = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const POST_PART = '(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?';
const DEV_PART = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const SPEC_BODY =
  '(?:' +
  '(?:===\\s*[^\\s;)]*)' +
  '|(?:(?:==|!=)\\s*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*' +
  `(?:\\.\\*|${PRE_PART}${POST_PART}${DEV_PART}(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?)?)` +
  `|(?:~=\\s*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${PRE_PART}${POST_PART}${DEV_PART})` +
  `|(?:(?:<=|>=|<|>)\\s*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${PRE_PART}${POST_PART}${DEV_PART})` +
  ')';

/** The specifier grammar, exported for the PEP 508 tokenizer (sticky use). */
export const SPECIFIER_PATTERN = SPEC_BODY;
const SPECIFIER_RE = new RegExp(`^\\s*${SPEC_BODY}\\s*$`, 'i');

/** Parses one specifier clause, or returns `null` when it is not valid. */
export function parseSpecifier(text: string): Specifier | null {
  if (!SPECIFIER_RE.test(text)) return null;
  const spec = text.trim();
  let operator: SpecifierOperator;
  if (spec.startsWith('===')) operator = '===';
  else if (/^(?:~=|==|!=|<=|>=)/.test(spec)) operator = spec.slice(0, 2) as SpecifierOperator;
  else operator = spec.slice(0, 1) as SpecifierOperator;
  return { operator, version: spec.slice(operator.length).trim() };
}

/** A comma-separated set of specifiers, all of which must hold. */
export interface SpecifierSet {
  readonly specifiers: readonly Specifier[];
}

/** Parses `>=1.0, <2` (an empty string is the empty set, which matches everything). */
export function parseSpecifierSet(text: string): SpecifierSet | null {
  const specifiers: Specifier[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const spec = parseSpecifier(part);
    if (!spec) return null;
    specifiers.push(spec);
  }
  return { specifiers };
}

export function specifierToString(spec: Specifier): string {
  return `${spec.operator}${spec.version}`;
}

export function specifierSetToString(set: SpecifierSet): string {
  return set.specifiers
    .map(specifierToString)
    .sort()
    .filter((s, i, all) => i === 0 || all[i - 1] !== s)
    .join(',');
}

/** Whether a specifier admits pre-releases by itself (`packaging`'s `Specifier.prereleases`). */
export function specifierImpliesPrereleases(spec: Specifier): boolean | null {
  if (spec.operator === '!=') return false;
  if (spec.operator === '==' && spec.version.endsWith('.*')) return false;
  const v = parseVersion(spec.version);
  if (!v) return null;
  return v.isPrerelease;
}

/** `packaging`'s `_version_split`: epoch first, then dot parts, `1rc2` split in two. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const epoch = bang >= 0 ? version.slice(0, bang) : '';
  const rest = bang >= 0 ? version.slice(bang + 1) : version;
  const result = [epoch || '0'];
  for (const item of rest.split('.')) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m) result.push(m[1] as string, m[2] as string);
    else result.push(item);
  }
  return result;
}

function isNotSuffix(segment: string): boolean {
  return !['dev', 'a', 'b', 'rc', 'post'].some((p) => segment.startsWith(p));
}

function numericPrefixLength(split: readonly string[]): number {
  let n = 0;
  for (const s of split) {
    if (!DIGITS_RE.test(s)) break;
    n++;
  }
  return n;
}

/** `canonicalize_version(v, strip_trailing_zero=False)`: normalized, or as given if invalid. */
function canonicalVersionText(text: string): string {
  return normalizeVersion(text) ?? text;
}

function compareEqual(prospective: Version, specVersion: string): boolean {
  if (specVersion.endsWith('.*')) {
    // PEP 440 §Version matching, prefix matching: ignore the local label, zero-pad the
    // candidate's release to the prefix's length, then compare the leading components.
    const splitSpec = versionSplit(canonicalVersionText(specVersion.slice(0, -2)));
    const specNumeric = numericPrefixLength(splitSpec);
    let splitProspective = versionSplit(versionToString(publicVersion(prospective)));
    const numeric = numericPrefixLength(splitProspective);
    if (numeric < specNumeric) {
      splitProspective = [
        ...splitProspective.slice(0, numeric),
        ...Array<string>(specNumeric - numeric).fill('0'),
        ...splitProspective.slice(numeric),
      ];
    }
    if (splitProspective.length < splitSpec.length) return false;
    return splitSpec.every((part, i) => splitProspective[i] === part);
  }
  const spec = parseVersion(specVersion) as Version;
  const candidate = spec.local === null ? publicVersion(prospective) : prospective;
  return compareParsedVersions(candidate, spec) === 0;
}

function compareCompatible(prospective: Version, specVersion: string): boolean {
  // PEP 440 §Compatible release: ~=V.N is >=V.N, ==V.*
  const parts = versionSplit(specVersion);
  const kept: string[] = [];
  for (const p of parts) {
    if (!isNotSuffix(p)) break;
    kept.push(p);
  }
  kept.pop();
  const [epoch, ...rest] = kept;
  const prefix = `${epoch ?? ''}!${rest.join('.')}.*`;
  const spec = parseVersion(specVersion) as Version;
  return (
    compareParsedVersions(publicVersion(prospective), spec) >= 0 &&
    compareEqual(prospective, prefix)
  );
}

function compareLessThan(prospective: Version, specVersion: string): boolean {
  const spec = parseVersion(specVersion) as Version;
  if (!(compareParsedVersions(prospective, spec) < 0)) return false;
  // "<V MUST NOT allow a pre-release of the specified version unless the specified version is
  // itself a pre-release": nothing at or above V.dev0 passes.
  if (!spec.isPrerelease && prospective.isPrerelease) {
    const earliest = makeVersion(spec.epoch, spec.release, spec.pre, spec.post, '0', null);
    if (compareParsedVersions(prospective, earliest) >= 0) return false;
  }
  return true;
}

function compareGreaterThan(prospective: Version, specVersion: string): boolean {
  const spec = parseVersion(specVersion) as Version;
  if (!(compareParsedVersions(prospective, spec) > 0)) return false;
  // ">V MUST NOT allow a post-release of the specified version unless the specified version
  // is itself a post-release."
  if (!spec.isPostrelease && prospective.isPostrelease) {
    const base = makeVersion(
      prospective.epoch,
      prospective.release,
      prospective.pre,
      null,
      null,
      null,
    );
    if (compareParsedVersions(base, spec) === 0) return false;
  }
  // ">V MUST NOT match a local version of the specified version."
  if (prospective.local !== null && compareParsedVersions(publicVersion(prospective), spec) === 0) {
    return false;
  }
  return true;
}

function matchesOne(spec: Specifier, prospective: Version): boolean {
  switch (spec.operator) {
    case '==':
      return compareEqual(prospective, spec.version);
    case '!=':
      return !compareEqual(prospective, spec.version);
    case '~=':
      return compareCompatible(prospective, spec.version);
    case '<=':
      return (
        compareParsedVersions(publicVersion(prospective), parseVersion(spec.version) as Version) <=
        0
      );
    case '>=':
      return (
        compareParsedVersions(publicVersion(prospective), parseVersion(spec.version) as Version) >=
        0
      );
    case '<':
      return compareLessThan(prospective, spec.version);
    case '>':
      return compareGreaterThan(prospective, spec.version);
    case '===':
      return false; // handled by the caller on the raw text
  }
}

export interface ContainsOptions {
  /**
   * `true` admits pre-releases, `false` rejects them, and absent follows PEP 440: a single
   * candidate that matches is admitted even if it is a pre-release (as `packaging` 26 does).
   */
  readonly prereleases?: boolean;
}

/**
 * Whether `version` satisfies every clause of `specifier` (`packaging`'s
 * `SpecifierSet.contains`). Throws {@link InvalidSpecifierError} on an invalid specifier; an
 * invalid version matches only an `===` clause with the same text.
 */
export function specifierContains(
  specifier: string | SpecifierSet,
  version: string | Version,
  options: ContainsOptions = {},
): boolean {
  const set = typeof specifier === 'string' ? parseSpecifierSet(specifier) : specifier;
  if (!set) throw new InvalidSpecifierError(specifier as string);
  const parsed = typeof version === 'string' ? parseVersion(version) : version;
  const rawText = typeof version === 'string' ? version : versionToString(version);

  let prereleases = options.prereleases;
  if (prereleases === undefined && set.specifiers.some((s) => specifierImpliesPrereleases(s))) {
    prereleases = true;
  }
  if (!parsed) {
    // An empty set admits anything, even a string that is not a version.
    return (
      set.specifiers.length === 0 ||
      set.specifiers.every(
        (s) => s.operator === '===' && rawText.toLowerCase() === s.version.toLowerCase(),
      )
    );
  }
  if (prereleases === false && parsed.isPrerelease) return false;
  return set.specifiers.every((s) =>
    s.operator === '==='
      ? rawText.toLowerCase() === s.version.toLowerCase()
      : matchesOne(s, parsed),
  );
}
