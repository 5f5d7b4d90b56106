/**
 * Which indexes to ask, from the same places pip reads them, weakest first: pip's
 * configuration files, `PIP_*` environment variables, pyaudit's flags, then the options
 * inside requirements files (`--index-url` there replaces the main index, as in pip).
 *
 * pip's files (pip 23+): `PIP_CONFIG_FILE` (when it is the null device, no other file is
 * read), the global files (`$XDG_CONFIG_DIRS/pip/pip.conf`, `/etc/pip.conf`), the user files
 * (`~/.pip/pip.conf`, `$XDG_CONFIG_HOME/pip/pip.conf`) and `$VIRTUAL_ENV/pip.conf`; later
 * files win; within a file, the `[install]` section wins over `[global]`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple';

export interface IndexSettings {
  /** The main index, then the extra ones, in the order pip asks them. */
  readonly indexUrls: readonly string[];
  /** `--find-links` locations: folders, `file://` folders, or HTML pages of links. */
  readonly findLinks: readonly string[];
  /** `--pre` from a file, the environment or a flag. */
  readonly pre: boolean;
  /** Where each setting came from, for `-v` and error messages. */
  readonly from: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** INI sections → key → value, keys normalized as pip does (`_` → `-`, lower case). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      if (raw.trim() === '') lastKey = null;
      continue;
    }
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      const name = (section[1] as string).trim().toLowerCase();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = null;
      continue;
    }
    if (/^\s/.test(raw) && current && lastKey) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:]+)[=:](.*)$/.exec(raw);
    if (kv && current) {
      lastKey = (kv[1] as string).trim().toLowerCase().replace(/_/g, '-');
      current.set(lastKey, (kv[2] as string).trim());
    }
  }
  return sections;
}

/** pip's configuration files in load order (later wins). */
export function pipConfigFiles(env: Env, platform = process.platform): string[] {
  const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
  const files: string[] = [];
  const explicit = env.PIP_CONFIG_FILE;
  const devnull = platform === 'win32' ? 'nul' : '/dev/null';
  if (explicit !== undefined && explicit.toLowerCase() === devnull) return [];
  if (platform === 'win32') {
    files.push(path.join(env.ProgramData ?? 'C:\\ProgramData', 'pip', 'pip.ini'));
    files.push(path.join(home, 'pip', 'pip.ini'));
    files.push(path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'pip', 'pip.ini'));
  } else {
    const xdgDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean);
    for (const dir of xdgDirs.reverse()) files.push(path.join(dir, 'pip', 'pip.conf'));
    files.push('/etc/pip.conf');
    if (platform === 'darwin')
      files.push(path.join(home, 'Library', 'Application Support', 'pip', 'pip.conf'));
    files.push(path.join(home, '.pip', 'pip.conf'));
    files.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pip', 'pip.conf'));
  }
  if (env.VIRTUAL_ENV)
    files.push(path.join(env.VIRTUAL_ENV, platform === 'win32' ? 'pip.ini' : 'pip.conf'));
  // pip reads PIP_CONFIG_FILE first, so every other file overrides it.
  if (explicit) files.unshift(explicit);
  return files;
}

const splitWords = (value: string): string[] => value.split(/\s+/).filter(Boolean);
const truthy = (value: string): boolean => /^(1|yes|true|on)$/i.test(value.trim());

export interface IndexSettingsInput {
  readonly env: Env;
  readonly cwd: string;
  /** Flags. */
  readonly indexUrl?: string;
  readonly extraIndexUrls?: readonly string[];
  readonly findLinks?: readonly string[];
  readonly pre?: boolean;
  /** Options from requirements files, in the order read. */
  readonly fileOptions?: ReadonlyArray<{
    readonly file?: string;
    readonly indexUrl?: string | null;
    readonly extraIndexUrls?: readonly string[];
    readonly findLinks?: readonly string[];
    readonly noIndex?: boolean;
    readonly pre?: boolean;
  }>;
  /** Reads a config file (tests pass their own); missing files return null. */
  readonly readConfig?: (file: string) => string | null;
}

const readIfPresent = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Local paths become absolute `file://` URLs; URLs stay as written. */
function asLocation(value: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  return new URL(`file://${path.resolve(base, value)}`).href;
}

export function indexSettings(input: IndexSettingsInput): IndexSettings {
  const read = input.readConfig ?? readIfPresent;
  const from: string[] = [];
  let indexUrl: string = DEFAULT_INDEX_URL;
  let extra: string[] = [];
  let findLinks: string[] = [];
  let pre = false;
  let noIndex = false;
  for (const file of pipConfigFiles(input.env)) {
    const text = read(file);
    if (text === null) continue;
    const ini = parseIni(text);
    const merged = new Map([...(ini.get('global') ?? []), ...(ini.get('install') ?? [])]);
    const base = path.dirname(file);
    if (merged.has('index-url')) indexUrl = merged.get('index-url') as string;
    if (merged.has('extra-index-url')) extra = splitWords(merged.get('extra-index-url') as string);
    if (merged.has('find-links'))
      findLinks = splitWords(merged.get('find-links') as string).map((l) => asLocation(l, base));
    if (merged.has('pre')) pre = truthy(merged.get('pre') as string);
    if (merged.has('no-index')) noIndex = truthy(merged.get('no-index') as string);
    if (['index-url', 'extra-index-url', 'find-links'].some((k) => merged.has(k))) from.push(file);
  }
  const env = input.env;
  if (env.PIP_INDEX_URL) indexUrl = env.PIP_INDEX_URL;
  if (env.PIP_EXTRA_INDEX_URL !== undefined) extra = splitWords(env.PIP_EXTRA_INDEX_URL);
  if (env.PIP_FIND_LINKS !== undefined)
    findLinks = splitWords(env.PIP_FIND_LINKS).map((l) => asLocation(l, input.cwd));
  if (env.PIP_PRE !== undefined) pre = truthy(env.PIP_PRE);
  if (env.PIP_NO_INDEX !== undefined) noIndex = truthy(env.PIP_NO_INDEX);
  if (env.PIP_INDEX_URL || env.PIP_EXTRA_INDEX_URL || env.PIP_FIND_LINKS)
    from.push('PIP_* environment variables');

  if (input.indexUrl !== undefined) indexUrl = input.indexUrl;
  // As in pip, flags add to the extra indexes and find-links from configuration.
  extra = [...extra, ...(input.extraIndexUrls ?? [])];
  findLinks = [...findLinks, ...(input.findLinks ?? []).map((l) => asLocation(l, input.cwd))];
  if (input.pre) pre = true;
  let indexUrls = noIndex ? [] : [indexUrl, ...extra];

  for (const o of input.fileOptions ?? []) {
    const base =
      o.file && o.file !== '-' ? path.dirname(path.resolve(input.cwd, o.file)) : input.cwd;
    if (o.indexUrl) indexUrls = [o.indexUrl, ...indexUrls.slice(1)];
    if (o.extraIndexUrls) indexUrls = [...indexUrls, ...o.extraIndexUrls];
    if (o.findLinks) findLinks = [...findLinks, ...o.findLinks.map((l) => asLocation(l, base))];
    if (o.noIndex) indexUrls = [];
    if (o.pre) pre = true;
  }
  return {
    indexUrls: [...new Set(indexUrls.map((u) => u.replace(/\/+$/, '')))],
    findLinks: [...new Set(findLinks)],
    pre,
    from,
  };
}
