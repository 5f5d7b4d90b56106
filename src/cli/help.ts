/**
 * What `pyaudit --help` adds to commander's option list: each option's default, the commands,
 * the exit codes and the environment variables.
 */
import type { Option } from 'commander';
import type { EnvBinding } from '../config/layers.js';

/** Variables read outside the option table, for `--help`. */
const OTHER_ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['NO_COLOR', 'no colours (unless --color always)'],
  [
    'FORCE_COLOR',
    'colours even off a terminal (unless --color never; FORCE_COLOR=0 turns them off)',
  ],
  ['HTTPS_PROXY, HTTP_PROXY, NO_PROXY', 'proxies (either case)'],
  ['XDG_CACHE_HOME', 'where the offline database lives by default'],
];

const EXIT_CODES = `Exit codes:
  0  no known vulnerabilities (apart from ignored ones)
  1  vulnerabilities found
  2  error or incomplete audit (bad flags or configuration, unreadable input, a failed service,
     --strict with a dependency that could not be audited, or nothing could be audited)`;

const COMMANDS = `Commands:
  pyaudit db update|import|status|serve   the offline vulnerability database (pyaudit db --help)
  pyaudit config show [OPTIONS]           the effective configuration and where each value comes from
  pyaudit cache dir|clean                 the record cache's folder; remove the cached records`;

function environmentHelp(bindings: Readonly<Record<string, EnvBinding>>): string {
  const rows: Array<[string, string]> = [
    ...Object.entries(bindings).map(([key, b]): [string, string] => [
      b.names.join(', '),
      `--${key}`,
    ]),
    ...OTHER_ENVIRONMENT.map(([names, what]): [string, string] => [names, what]),
  ];
  const width = Math.max(...rows.map(([n]) => n.length));
  return `Environment variables (flags win over them; they win over the configuration file):\n${rows
    .map(([n, what]) => `  ${n.padEnd(width)}  ${what}`)
    .join('\n')}`;
}

/** Each option's default as help shows it: none for switches, counters and empty lists. */
export function optionDescription(option: Option): string {
  const extra: string[] = [];
  const value: unknown = option.defaultValue;
  const shown = option.defaultValueDescription ?? (typeof value === 'string' ? value : undefined);
  if (shown !== undefined) extra.push(`default: ${shown}`);
  return extra.length > 0 ? `${option.description} (${extra.join('; ')})` : option.description;
}

/** What `--help` prints after the options. */
export function helpEpilogue(bindings: Readonly<Record<string, EnvBinding>>): string {
  return `\n${COMMANDS}\n\n${EXIT_CODES}\n\n${environmentHelp(bindings)}\n`;
}
