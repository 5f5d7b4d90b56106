/**
 * What a distribution's file name says: wheels (PEP 427 / the binary distribution format
 * spec: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`) and sdists
 * (`{name}-{version}.tar.gz` or `.zip`, plus the legacy archive kinds pip still accepts).
 */
import { canonicalizeName } from '../standards/pep503.js';

export interface WheelName {
  readonly kind: 'wheel';
  readonly name: string;
  readonly version: string;
  /** Every `python-abi-platform` tag the file supports (compressed tag sets expanded). */
  readonly tags: readonly string[];
}

export interface SdistName {
  readonly kind: 'sdist';
  readonly name: string;
  readonly version: string;
  readonly archive: 'tar.gz' | 'zip' | 'tar.bz2' | 'tar.xz' | 'tgz' | 'tar';
}

const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'] as const;

/** Parses a wheel file name, or returns null when it is not one. */
export function parseWheelName(filename: string): WheelName | null {
  if (!filename.endsWith('.whl')) return null;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const [name, version] = parts as [string, string];
  const [python, abi, platform] = parts.slice(-3) as [string, string, string];
  const tags: string[] = [];
  for (const p of python.split('.'))
    for (const a of abi.split('.'))
      for (const pl of platform.split('.')) tags.push(`${p}-${a}-${pl}`);
  return { kind: 'wheel', name, version: version.replace(/_/g, '-'), tags };
}

/**
 * Parses an sdist file name for a known project: the version is what follows the part that
 * canonicalizes to the project's name (names may contain `-`, as in `python-dateutil-2.9.tar.gz`).
 */
export function parseSdistName(filename: string, project: string): SdistName | null {
  const suffix = SDIST_SUFFIXES.find((s) => filename.toLowerCase().endsWith(s));
  if (!suffix) return null;
  const stem = filename.slice(0, -suffix.length);
  const canonical = canonicalizeName(project);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (canonicalizeName(stem.slice(0, i)) === canonical) {
      const version = stem.slice(i + 1);
      if (version === '') return null;
      return {
        kind: 'sdist',
        name: stem.slice(0, i),
        version,
        archive: suffix.slice(1) as SdistName['archive'],
      };
    }
  }
  return null;
}

/** A distribution file name of either kind, for a known project. */
export function parseDistributionName(
  filename: string,
  project: string,
): WheelName | SdistName | null {
  const wheel = parseWheelName(filename);
  if (wheel) return canonicalizeName(wheel.name) === canonicalizeName(project) ? wheel : null;
  return parseSdistName(filename, project);
}
