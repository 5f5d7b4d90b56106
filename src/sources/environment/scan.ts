/**
 * Finds the distributions installed in one `sys.path` entry, the way `importlib.metadata`
 * (and so pip) does: `*.dist-info` folders (`METADATA`), `*.egg-info` folders or files
 * (`PKG-INFO`, Debian's `name.egg-info` style included), an entry that is itself an `.egg`
 * (`EGG-INFO/`), and pip's `*.egg-link` files for legacy editable installs. PEP 610's
 * `direct_url.json` tells editable, VCS and URL installs apart; a `.dist-info`'s `REQUESTED`
 * file (PEP 376) says the user asked for the distribution rather than pip pulling it in.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { canonicalizeName } from '../../standards/pep503.js';
import { parseCoreMetadata, parseRequiresTxt } from './metadata.js';

/** PEP 610: where a distribution was installed from, when not from an index. */
export interface DirectUrl {
  readonly url: string;
  readonly editable: boolean;
  readonly vcs?: string;
}

export interface InstalledDistribution {
  /** The name as its metadata writes it (as `pip list` shows it). */
  readonly name: string;
  /** The version as written; absent when the metadata has none. */
  readonly version?: string;
  /** The metadata folder or file. */
  readonly location: string;
  readonly requires: readonly string[];
  readonly directUrl?: DirectUrl;
  /** A `.egg-link` (legacy `setup.py develop`) install. */
  readonly eggLink?: boolean;
  /** The `.dist-info` holds pip's `REQUESTED` file: the user asked for this distribution. */
  readonly requested?: boolean;
  /** Why the metadata could not be read, when it could not. */
  readonly error?: string;
}

// Synchronous reads on purpose: hundreds of small files read faster without the thread
// pool's round trips (700 distributions in well under 100 ms).
const readText = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

function stemName(entry: string): string {
  // foo_bar-1.0.dist-info → foo_bar ; cryptography.egg-info → cryptography
  return entry.replace(/\.(dist-info|egg-info|egg-link|egg)$/i, '').split('-')[0] ?? entry;
}

function readDirectUrl(infoDir: string): DirectUrl | undefined {
  const file = path.join(infoDir, 'direct_url.json');
  if (!existsSync(file)) return undefined;
  const text = readText(file);
  if (text === null) return undefined;
  try {
    const data = JSON.parse(text) as {
      url?: string;
      dir_info?: { editable?: boolean };
      vcs_info?: { vcs?: string };
    };
    if (typeof data.url !== 'string') return undefined;
    return {
      url: data.url,
      editable: data.dir_info?.editable === true,
      ...(data.vcs_info?.vcs !== undefined && { vcs: data.vcs_info.vcs }),
    };
  } catch {
    return undefined;
  }
}

function fromMetadataFile(
  location: string,
  metadataFile: string,
  fallbackName: string,
  extra: { requiresTxt?: string; directUrlDir?: string; eggLink?: boolean } = {},
): InstalledDistribution {
  const text = readText(metadataFile);
  if (text === null) {
    return {
      name: fallbackName,
      location,
      requires: [],
      error: `${path.basename(metadataFile)} is missing or unreadable`,
    };
  }
  const meta = parseCoreMetadata(text);
  let requires = meta.requiresDist;
  if (requires.length === 0 && extra.requiresTxt) {
    const txt = readText(extra.requiresTxt);
    if (txt !== null) requires = parseRequiresTxt(txt);
  }
  const directUrl = extra.directUrlDir ? readDirectUrl(extra.directUrlDir) : undefined;
  const requested =
    extra.directUrlDir !== undefined && existsSync(path.join(extra.directUrlDir, 'REQUESTED'));
  return {
    name: meta.name ?? fallbackName,
    ...(meta.version !== undefined && meta.version !== '' && { version: meta.version }),
    location,
    requires,
    ...(directUrl && { directUrl }),
    ...(extra.eggLink && { eggLink: true }),
    ...(requested && { requested: true }),
    ...((meta.version === undefined || meta.version === '') && {
      error: `${path.basename(metadataFile)} has no Version`,
    }),
  };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Distributions in one path entry, in `importlib.metadata`'s order (dist-info first). */
export async function scanPathEntry(entry: string): Promise<InstalledDistribution[]> {
  if (/\.egg$/i.test(entry) && isDirectory(path.join(entry, 'EGG-INFO'))) {
    const info = path.join(entry, 'EGG-INFO');
    return [
      fromMetadataFile(info, path.join(info, 'PKG-INFO'), stemName(path.basename(entry)), {
        requiresTxt: path.join(info, 'requires.txt'),
      }),
    ];
  }
  let names: string[];
  try {
    names = readdirSync(entry).sort();
  } catch {
    return [];
  }
  const distInfo = names.filter((n) => /\.dist-info$/i.test(n));
  const eggInfo = names.filter((n) => /\.egg-info$/i.test(n));
  const eggLinks = names.filter((n) => /\.egg-link$/i.test(n));
  const found = [
    ...distInfo.map((n) => {
      const dir = path.join(entry, n);
      return fromMetadataFile(dir, path.join(dir, 'METADATA'), stemName(n), { directUrlDir: dir });
    }),
    ...eggInfo.map((n) => {
      const p = path.join(entry, n);
      if (isDirectory(p)) {
        return fromMetadataFile(p, path.join(p, 'PKG-INFO'), stemName(n), {
          requiresTxt: path.join(p, 'requires.txt'),
        });
      }
      return fromMetadataFile(p, p, stemName(n));
    }),
  ];
  // pip reads the project folder an .egg-link points to (a `setup.py develop` install).
  for (const n of eggLinks) {
    const target = readText(path.join(entry, n))?.split(/\r?\n/)[0]?.trim();
    if (!target) continue;
    const project = path.resolve(entry, target);
    let children: string[] = [];
    try {
      children = readdirSync(project);
    } catch {
      found.push({
        name: stemName(n),
        location: path.join(entry, n),
        requires: [],
        eggLink: true,
        error: `the .egg-link points to ${project}, which cannot be read`,
      });
      continue;
    }
    const info = children.find(
      (c) =>
        /\.egg-info$/i.test(c) && canonicalizeName(stemName(c)) === canonicalizeName(stemName(n)),
    );
    if (!info) continue;
    const infoDir = path.join(project, info);
    found.push(
      fromMetadataFile(infoDir, path.join(infoDir, 'PKG-INFO'), stemName(n), {
        requiresTxt: path.join(infoDir, 'requires.txt'),
        eggLink: true,
      }),
    );
  }
  return found;
}
