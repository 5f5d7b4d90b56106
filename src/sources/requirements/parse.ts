/**
 * Parses one requirements file's text into entries (requirements, includes) and global
 * options, with pip's rules. Pure: includes are not followed here (see `collect.ts`).
 */
import { parseMarker, type MarkerList } from '../../standards/markers.js';
import {
  InvalidRequirementError,
  parseRequirement,
  type Requirement,
} from '../../standards/pep508.js';
import { logicalLines, shellSplit, splitArgsAndOptions } from './lines.js';
import {
  OptionError,
  parseOptionWords,
  PER_REQUIREMENT_OPTIONS,
  type OptionDest,
  type ParsedOption,
} from './options.js';

/** A requirement as written on one logical line. */
export interface RequirementEntry {
  readonly kind: 'requirement';
  readonly line: number;
  /** The requirement text (after comment removal and continuation joining). */
  readonly text: string;
  /** The PEP 508 requirement, or for a URL/path line its `#egg=` name; `null` if unnamed. */
  readonly requirement: Requirement | null;
  /** A URL or local path for direct references, paths, archives, VCS and editables. */
  readonly link: string | null;
  readonly editable: boolean;
  /** The environment marker of a URL/path line (named requirements carry theirs). */
  readonly marker: MarkerList | null;
  /** `--hash` values, `algorithm:hexdigest`. */
  readonly hashes: readonly string[];
}

export interface IncludeEntry {
  readonly kind: 'include';
  readonly line: number;
  /** `-r` includes requirements, `-c` constraints. */
  readonly type: 'requirements' | 'constraints';
  readonly target: string;
}

export type RequirementsFileEntry = RequirementEntry | IncludeEntry;

/** File-wide options, as pip applies them to the whole install. */
export interface RequirementsGlobalOptions {
  indexUrl?: string;
  extraIndexUrls: string[];
  noIndex: boolean;
  findLinks: string[];
  noBinary: string[];
  onlyBinary: string[];
  preferBinary: boolean;
  requireHashes: boolean;
  pre: boolean;
  trustedHosts: string[];
  useFeatures: string[];
}

export interface RequirementsFileProblem {
  readonly line: number;
  readonly message: string;
  /** Warnings do not stop the audit (pip ignores the text too); errors do. */
  readonly severity: 'error' | 'warning';
}

export interface ParsedRequirementsFile {
  readonly entries: RequirementsFileEntry[];
  readonly options: RequirementsGlobalOptions;
  readonly problems: RequirementsFileProblem[];
}

export function emptyGlobalOptions(): RequirementsGlobalOptions {
  return {
    extraIndexUrls: [],
    noIndex: false,
    findLinks: [],
    noBinary: [],
    onlyBinary: [],
    preferBinary: false,
    requireHashes: false,
    pre: false,
    trustedHosts: [],
    useFeatures: [],
  };
}

const VCS_SCHEMES = ['git', 'hg', 'svn', 'bzr'];
const URL_SCHEMES = new Set([
  'http',
  'https',
  'file',
  'ftp',
  ...VCS_SCHEMES,
  ...VCS_SCHEMES.flatMap((v) =>
    [
      'http',
      'https',
      'ssh',
      'git',
      'file',
      'svn',
      'bzr+ssh',
      'sftp',
      'ftp',
      'static-http',
      'lp',
    ].map((s) => `${v}+${s}`),
  ),
]);
const ARCHIVE_EXTENSIONS = [
  '.zip',
  '.whl',
  '.tar.bz2',
  '.tbz',
  '.tar.xz',
  '.txz',
  '.tlz',
  '.tar.lz',
  '.tar.lzma',
  '.tar.gz',
  '.tgz',
  '.tar',
];
const HASH_ALGORITHMS = new Set(['sha256', 'sha384', 'sha512']);

/** pip's `is_url`: a scheme pip knows, followed by `:`. */
export function isUrl(text: string): boolean {
  const colon = text.indexOf(':');
  if (colon <= 0) return false;
  return URL_SCHEMES.has(text.slice(0, colon).toLowerCase());
}

function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || text.startsWith('.');
}

function isArchive(text: string): boolean {
  const lower = text.toLowerCase();
  return ARCHIVE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * The project name in a URL's `#egg=` fragment (pip's `[#&]egg=([^&]*)`). Only the leading
 * project name is kept: `#egg=pkg[extra]>=1.0` and `#egg=Lasagne==0.2.git` name `pkg` and
 * `Lasagne` (pip 25 rejects such fragments; the name is all an audit needs).
 */
export function eggFragment(link: string): string | null {
  const m = /[#&]egg=([^&]*)/.exec(link);
  const name = m ? /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/.exec(m[1] as string) : null;
  return name ? name[0] : null;
}

/** A wheel file name's project and version (`numpy-1.9.2-cp34-none-win32.whl`), as pip reads it. */
export function wheelNameAndVersion(link: string): { name: string; version: string } | null {
  const file = link.split(/[#?]/, 1)[0]!.split(/[\\/]/).pop() ?? '';
  const m =
    /^(?<name>[^\s-]+?)-(?<version>[^\s-]+?)(?:-(?<build>\d[^-]*))?-[^\s-]+?-[^\s-]+?-[^\s-]+?\.whl$/i.exec(
      file,
    );
  if (!m?.groups) return null;
  return {
    name: (m.groups.name as string).replace(/_/g, '-'),
    version: m.groups.version as string,
  };
}

/** Parses a whole file. `env` supplies `${VAR}` values. */
export function parseRequirementsText(
  text: string,
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedRequirementsFile {
  const entries: RequirementsFileEntry[] = [];
  const options = emptyGlobalOptions();
  const problems: RequirementsFileProblem[] = [];
  for (const { line, text: lineText } of logicalLines(text, env)) {
    try {
      parseLine(lineText, line, entries, options, problems);
    } catch (e) {
      if (e instanceof LineError || e instanceof OptionError) {
        problems.push({ line, message: e.message, severity: 'error' });
      } else if (e instanceof InvalidRequirementError) {
        problems.push({ line, message: `invalid requirement: ${e.reason}`, severity: 'error' });
      } else {
        throw e;
      }
    }
  }
  return { entries, options, problems };
}

class LineError extends Error {}

function parseLine(
  lineText: string,
  line: number,
  entries: RequirementsFileEntry[],
  global: RequirementsGlobalOptions,
  problems: RequirementsFileProblem[],
): void {
  const { args, options: optionText } = splitArgsAndOptions(lineText);
  let words: string[];
  try {
    words = shellSplit(optionText);
  } catch (e) {
    throw new LineError(`cannot split options: ${(e as Error).message}`);
  }
  const { options, leftover } = parseOptionWords(words);
  const editables = options.filter((o) => o.dest === 'editables');

  if (args || editables.length > 0) {
    // A requirement line: only per-requirement options may follow it.
    const misplaced = options.filter(
      (o) => o.dest !== 'editables' && !PER_REQUIREMENT_OPTIONS.has(o.dest),
    );
    if (misplaced.length > 0) {
      throw new LineError(
        `option ${misplaced[0]?.flag} cannot follow a requirement on the same line`,
      );
    }
    if (leftover.length > 0) {
      throw new LineError(`unexpected text after the options: ${leftover.join(' ')}`);
    }
    const hashes = options.filter((o) => o.dest === 'hashes').map((o) => validateHash(o));
    if (options.some((o) => o.dest === 'install_options')) {
      problems.push({
        line,
        message: '--install-option was removed in pip 23.1; it is ignored',
        severity: 'warning',
      });
    }
    if (editables.length > 0) {
      if (args) throw new LineError(`unexpected text before -e: ${args}`);
      for (const e of editables) entries.push(editableEntry(String(e.value), line, hashes));
    } else {
      entries.push(requirementEntry(args, line, hashes));
    }
    return;
  }

  for (const option of options) applyGlobalOption(option, line, entries, global);
  if (leftover.length > 0) {
    problems.push({
      line,
      message: `ignored text after the options (pip ignores it too): ${leftover.join(' ')}`,
      severity: 'warning',
    });
  }
}

function validateHash(option: ParsedOption): string {
  const value = String(option.value);
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new LineError(
      `--hash takes a hash name followed by a value, like --hash=sha256:abcdef…, not '${value}'`,
    );
  }
  const algorithm = value.slice(0, colon).toLowerCase();
  if (!HASH_ALGORITHMS.has(algorithm)) {
    throw new LineError(`unknown hash name '${algorithm}' (pip accepts sha256, sha384, sha512)`);
  }
  return `${algorithm}:${value.slice(colon + 1)}`;
}

type ListOption =
  'extraIndexUrls' | 'findLinks' | 'noBinary' | 'onlyBinary' | 'trustedHosts' | 'useFeatures';
type FlagOption = 'noIndex' | 'preferBinary' | 'requireHashes' | 'pre';

/** Where each file-wide option lands in {@link RequirementsGlobalOptions}. */
const GLOBAL_OPTIONS: Partial<
  Record<OptionDest, { list: ListOption } | { flag: FlagOption } | { value: 'indexUrl' }>
> = {
  index_url: { value: 'indexUrl' },
  extra_index_urls: { list: 'extraIndexUrls' },
  find_links: { list: 'findLinks' },
  no_binary: { list: 'noBinary' },
  only_binary: { list: 'onlyBinary' },
  trusted_hosts: { list: 'trustedHosts' },
  use_features: { list: 'useFeatures' },
  no_index: { flag: 'noIndex' },
  prefer_binary: { flag: 'preferBinary' },
  require_hashes: { flag: 'requireHashes' },
  pre: { flag: 'pre' },
};

function applyGlobalOption(
  option: ParsedOption,
  line: number,
  entries: RequirementsFileEntry[],
  g: RequirementsGlobalOptions,
): void {
  const value = String(option.value);
  if (option.dest === 'requirements' || option.dest === 'constraints') {
    entries.push({ kind: 'include', line, type: option.dest, target: value });
    return;
  }
  if (option.dest === 'editables') return; // handled as a requirement line
  const target = GLOBAL_OPTIONS[option.dest];
  if (!target) {
    // --hash, --global-option, --config-settings, --install-option
    throw new LineError(`option ${option.flag} must follow a requirement on the same line`);
  }
  if ('list' in target) g[target.list].push(value);
  else if ('flag' in target) g[target.flag] = true;
  else g[target.value] = value;
}

/** Splits `; marker` off a line; URLs need `; ` (with a space) since `;` is legal in URLs. */
function splitMarker(text: string): { body: string; marker: MarkerList | null } {
  const sep = isUrl(text) ? '; ' : ';';
  const at = text.indexOf(sep);
  if (at < 0) return { body: text.trim(), marker: null };
  const markerText = text.slice(at + sep.length).trim();
  let marker: MarkerList | null = null;
  if (markerText) {
    try {
      marker = parseMarker(markerText);
    } catch (e) {
      throw new LineError(`invalid marker '${markerText}': ${(e as Error).message}`);
    }
  }
  return { body: text.slice(0, at).trim(), marker };
}

/** The name a URL or path line carries: a wheel's file name (pinned) or its `#egg=`. */
function namedFromLink(link: string): Requirement | null {
  const wheel = wheelNameAndVersion(link);
  if (wheel) {
    try {
      return parseRequirement(`${wheel.name}==${wheel.version.replace(/_/g, '-')}`);
    } catch {
      throw new LineError(`invalid wheel file name in ${link}`);
    }
  }
  const egg = eggFragment(link);
  return egg ? parseRequirement(egg) : null;
}

function linkEntry(
  text: string,
  body: string,
  marker: MarkerList | null,
  line: number,
  hashes: string[],
): RequirementEntry {
  // `./pkg[extra]`: extras after a path are split off, as pip's `_strip_extras` does.
  const extrasMatch = isUrl(body) ? null : /^(.+)(\[[^\]]+\])$/.exec(body);
  const link = extrasMatch ? (extrasMatch[1] as string) : body;
  return {
    kind: 'requirement',
    line,
    text,
    requirement: namedFromLink(link),
    link,
    editable: false,
    marker,
    hashes,
  };
}

/** Whether text can only be a local path (pip would check the disk; this decides by shape). */
function isExplicitPath(text: string): boolean {
  if (/^(?:\.{1,2}(?:[\\/]|$)|[\\/~]|[A-Za-z]:[\\/])/.test(text)) return true;
  // An archive name is a path unless it is `name@url` (pip's `_get_url_from_path`).
  const at = text.indexOf('@');
  return isArchive(text) && (at < 0 || looksLikePath(text.slice(0, at)));
}

/**
 * pip's `parse_req_from_line`: a URL, a local path or archive, or a PEP 508 requirement.
 * A path-looking line that is not valid PEP 508 (`sub/dir#egg=name`) is a local path; one
 * with spaces is an invalid requirement, as pip reports when no such directory exists.
 */
function requirementEntry(args: string, line: number, hashes: string[]): RequirementEntry {
  const text = args.trim();
  const { body, marker } = splitMarker(text);
  if (isUrl(body) || isExplicitPath(body)) return linkEntry(text, body, marker, line, hashes);
  let requirement: Requirement;
  try {
    requirement = parseRequirement(text);
  } catch (e) {
    if (!(e instanceof InvalidRequirementError)) throw e;
    if (looksLikePath(body) && !/\s/.test(body)) return linkEntry(text, body, marker, line, hashes);
    const unset = /\$\{([A-Z0-9_]+)\}/.exec(text);
    const hint = unset
      ? ` (the environment variable ${unset[1]} is not set)`
      : text.includes('=') && !/[<>=!~]=|[<>]/.test(text)
        ? ' (= is not a valid operator; did you mean ==?)'
        : '';
    throw new LineError(`invalid requirement '${text}': ${e.reason}${hint}`);
  }
  return {
    kind: 'requirement',
    line,
    text,
    requirement,
    link: requirement.url,
    editable: false,
    marker: requirement.marker,
    hashes,
  };
}

function editableEntry(target: string, line: number, hashes: string[]): RequirementEntry {
  const { body, marker } = splitMarker(target);
  const extrasMatch = /^(.+)(\[[^\]]+\])$/.exec(body);
  const link = !isUrl(body) && extrasMatch ? (extrasMatch[1] as string) : body;
  // pip's `parse_editable`: a local project directory, a file: URL, or a VCS URL.
  if (isUrl(link) && !/^(?:git|hg|svn|bzr)(?:\+|:)/i.test(link) && !/^file:/i.test(link)) {
    throw new LineError(
      `-e ${target} is not a valid editable requirement: use a path to a local project or a VCS URL such as git+https://…`,
    );
  }
  return {
    kind: 'requirement',
    line,
    text: `-e ${target}`,
    requirement: namedFromLink(link),
    link,
    editable: true,
    marker,
    hashes,
  };
}
