/**
 * The options pip accepts inside a requirements file, parsed the way pip's optparse-based
 * parser does (`--opt=value`, `--opt value`, `-ovalue`, `-o value`, unique long prefixes).
 */

export interface OptionSpec {
  readonly dest: OptionDest;
  readonly long: readonly string[];
  readonly short?: string;
  readonly takesValue: boolean;
}

export type OptionDest =
  | 'index_url'
  | 'extra_index_urls'
  | 'no_index'
  | 'constraints'
  | 'requirements'
  | 'editables'
  | 'find_links'
  | 'no_binary'
  | 'only_binary'
  | 'prefer_binary'
  | 'require_hashes'
  | 'pre'
  | 'trusted_hosts'
  | 'use_features'
  | 'global_options'
  | 'install_options'
  | 'hashes'
  | 'config_settings';

/** pip's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ (`pip/_internal/req/req_file.py`). */
export const OPTION_SPECS: readonly OptionSpec[] = [
  { dest: 'index_url', long: ['--index-url', '--pypi-url'], short: '-i', takesValue: true },
  { dest: 'extra_index_urls', long: ['--extra-index-url'], takesValue: true },
  { dest: 'no_index', long: ['--no-index'], takesValue: false },
  { dest: 'constraints', long: ['--constraint'], short: '-c', takesValue: true },
  { dest: 'requirements', long: ['--requirement'], short: '-r', takesValue: true },
  { dest: 'editables', long: ['--editable'], short: '-e', takesValue: true },
  { dest: 'find_links', long: ['--find-links'], short: '-f', takesValue: true },
  { dest: 'no_binary', long: ['--no-binary'], takesValue: true },
  { dest: 'only_binary', long: ['--only-binary'], takesValue: true },
  { dest: 'prefer_binary', long: ['--prefer-binary'], takesValue: false },
  { dest: 'require_hashes', long: ['--require-hashes'], takesValue: false },
  { dest: 'pre', long: ['--pre'], takesValue: false },
  { dest: 'trusted_hosts', long: ['--trusted-host'], takesValue: true },
  { dest: 'use_features', long: ['--use-feature'], takesValue: true },
  { dest: 'global_options', long: ['--global-option'], takesValue: true },
  // Removed from pip in 23.1; still found in older files. Accepted with a warning.
  { dest: 'install_options', long: ['--install-option'], takesValue: true },
  { dest: 'hashes', long: ['--hash'], takesValue: true },
  { dest: 'config_settings', long: ['--config-settings', '--config_settings'], takesValue: true },
];

/** Options that may follow a requirement on its own line. */
export const PER_REQUIREMENT_OPTIONS: ReadonlySet<OptionDest> = new Set([
  'global_options',
  'install_options',
  'hashes',
  'config_settings',
]);

export interface ParsedOption {
  readonly dest: OptionDest;
  /** The option as written (for messages). */
  readonly flag: string;
  readonly value: string | true;
}

export class OptionError extends Error {}

function findLong(flag: string): { spec: OptionSpec; name: string } {
  for (const spec of OPTION_SPECS) {
    if (spec.long.includes(flag)) return { spec, name: flag };
  }
  // optparse accepts any unambiguous prefix of a long option.
  const matches = OPTION_SPECS.flatMap((spec) =>
    spec.long.filter((l) => l.startsWith(flag)).map((name) => ({ spec, name })),
  );
  const distinct = new Set(matches.map((m) => m.spec));
  if (matches.length > 0 && distinct.size === 1)
    return matches[0] as { spec: OptionSpec; name: string };
  if (distinct.size > 1) {
    throw new OptionError(`ambiguous option: ${flag} (${matches.map((m) => m.name).join(', ')}?)`);
  }
  throw new OptionError(`no such option: ${flag}`);
}

/**
 * Parses option words. Returns the options and any positional words left over (which pip
 * ignores; the caller decides what to say about them).
 */
export function parseOptionWords(words: readonly string[]): {
  options: ParsedOption[];
  leftover: string[];
} {
  const options: ParsedOption[] = [];
  const leftover: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      for (const word of words.slice(i + 1)) leftover.push(word);
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const flag = eq >= 0 ? word.slice(0, eq) : word;
      const { spec, name } = findLong(flag);
      if (!spec.takesValue) {
        if (eq >= 0) throw new OptionError(`${name} option does not take a value`);
        options.push({ dest: spec.dest, flag: name, value: true });
      } else if (eq >= 0) {
        options.push({ dest: spec.dest, flag: name, value: word.slice(eq + 1) });
      } else {
        const value = words[++i];
        if (value === undefined) throw new OptionError(`${name} option requires 1 argument`);
        options.push({ dest: spec.dest, flag: name, value });
      }
    } else if (word.startsWith('-') && word.length > 1) {
      const flag = word.slice(0, 2);
      const spec = OPTION_SPECS.find((s) => s.short === flag);
      if (!spec) throw new OptionError(`no such option: ${flag}`);
      if (word.length > 2) {
        options.push({ dest: spec.dest, flag, value: word.slice(2) });
      } else {
        const value = words[++i];
        if (value === undefined) throw new OptionError(`${flag} option requires 1 argument`);
        options.push({ dest: spec.dest, flag, value });
      }
    } else {
      leftover.push(word);
    }
  }
  return { options, leftover };
}
