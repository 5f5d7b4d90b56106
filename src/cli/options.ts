/**
 * Command-line flags, environment variables and the configuration file → one options object.
 * pip-audit's flags mean the same here; `PIP_AUDIT_*` variables set defaults as they do for
 * pip-audit, and `PYAUDIT_*` twins take precedence over them. Flags beat both; both beat the
 * configuration file, whose keys are these options' long names (src/config).
 */
import { Command, CommanderError, Option } from 'commander';
import type { IgnoreRule } from '../audit/ignore.js';
import {
  FAIL_ON_LEVELS,
  MIN_SEVERITY_LEVELS,
  type FailOnLevel,
  type MinSeverityLevel,
} from '../audit/policy.js';
import { findConfigFile, readConfigFile } from '../config/file.js';
import { applyLayers, type EnvBinding, type Setting } from '../config/layers.js';
import { optionSpecs, type OptionSpec } from '../config/schema.js';
import { readConfigValues, type ConfigValues } from '../config/values.js';
import { inputError, PyauditError } from '../core/errors.js';
import { CYCLONEDX_SPECS, REPORT_FORMATS, type CycloneDxSpec } from '../report/index.js';
import { INPUT_TYPES } from '../sources/project/detect.js';
import { VERSION } from '../version.js';
import { helpEpilogue, optionDescription } from './help.js';

export type Toggle = 'on' | 'off' | 'auto';

export interface CliOptions {
  readonly requirements: string[];
  readonly projectPath?: string;
  readonly format: string;
  readonly services: string[];
  readonly osvUrl?: string;
  readonly dryRun: boolean;
  readonly strict: boolean;
  readonly desc: Toggle;
  readonly aliases: Toggle;
  readonly cacheDir?: string;
  /** `--no-cache` (or `PYAUDIT_NO_CACHE`): no record cache and no index cache at all. */
  readonly noCache: boolean;
  /** `--query-cache-ttl`: seconds a query answer is reused (0: never). */
  readonly queryCacheTtl: number;
  readonly progressSpinner: boolean;
  readonly timeout: number;
  readonly paths: string[];
  readonly local: boolean;
  readonly verbose: number;
  readonly fix: boolean;
  readonly locked: boolean;
  readonly requireHashes: boolean;
  readonly indexUrl?: string;
  readonly extraIndexUrls: string[];
  /** `--find-links`: folders or pages of distributions, beside the indexes. */
  readonly findLinks: string[];
  /** `--pre`: resolution may pick pre-releases. */
  readonly pre: boolean;
  readonly skipEditable: boolean;
  readonly noDeps: boolean;
  readonly disablePip: boolean;
  readonly output?: string;
  readonly ignoreVulns: string[];
  /** The offline database directory (`--db-dir`, `PYAUDIT_DB_DIR`). */
  readonly dbDir?: string;
  /** Warn when the offline database is older than this many days (0: never). */
  readonly maxDbAge: number;
  readonly pypiUrl?: string;
  readonly esmsUrl?: string;
  readonly allowPartial: boolean;
  /** `--python`: the interpreter whose environment to audit. */
  readonly python?: string;
  /** `--exclude`: canonical names to leave out of an environment audit. */
  readonly exclude: string[];
  /** Selection for lock files and manifests. */
  readonly groups: string[];
  readonly onlyGroups: string[];
  readonly noGroups: string[];
  readonly extras: string[];
  readonly allExtras: boolean;
  /** `--no-extra`. */
  readonly noExtras: string[];
  readonly noDev: boolean;
  /** Target environment: `--python-version`, `--platform`, `--marker-env FILE`. */
  readonly pythonVersion?: string;
  readonly platform?: 'linux' | 'macos' | 'windows';
  readonly markerEnv?: string;
  /** `--input-type`: what kind of file a positional PATH is. */
  readonly inputType?: string;
  /** `--show-paths`: a "Via" column with the chain that pulls each package in. */
  readonly showPaths: boolean;
  /** `--severity`: a Severity column in columns/markdown and a `severity` field in json. */
  readonly severity: boolean;
  /** Severity policy: `--min-severity`, `--fail-on`, `--fail-on-unknown`, … */
  readonly minSeverity?: MinSeverityLevel;
  readonly failOn: FailOnLevel;
  readonly failOnUnknown: boolean;
  readonly failOnFixableOnly: boolean;
  readonly ignoreUnfixed: boolean;
  /** `--cyclonedx-spec`: the CycloneDX version the cyclonedx formats write. */
  readonly cyclonedxSpec: CycloneDxSpec;
  /** `--ignore-until-fixed`, the configuration's `ignore` rules, with their origins. */
  readonly ignoreRules: IgnoreRule[];
  /** `--color`: colours on terminals (`auto`, also `NO_COLOR` / `FORCE_COLOR`), always, never. */
  readonly color: 'auto' | 'always' | 'never';
  /** `-q`: only the report and errors. */
  readonly quiet: boolean;
}

/** Where the options came from, for `pyaudit config show`. */
export interface OptionLayers {
  readonly settings: readonly Setting[];
  /** The configuration file read, if any (as messages name it). */
  readonly configFile?: string;
  /** The file's `ignore` rules. */
  readonly ignore: readonly IgnoreRule[];
}

export type ParsedCommandLine =
  | { readonly kind: 'run'; readonly options: CliOptions; readonly layers: OptionLayers }
  | { readonly kind: 'exit'; readonly code: number; readonly stdout: string };

export const SERVICES = ['osv', 'pypi', 'local', 'esms'] as const;

/** pip-audit's variable and its `PYAUDIT_` twin, which wins. */
const twins = (name: string): EnvBinding => ({ names: [`PYAUDIT_${name}`, `PIP_AUDIT_${name}`] });

/** The environment variables of the options, by long flag: above the configuration file, below flags. */
export const OPTION_ENVIRONMENT: Readonly<Record<string, EnvBinding>> = {
  format: twins('FORMAT'),
  'vulnerability-service': twins('VULNERABILITY_SERVICE'),
  desc: twins('DESC'),
  aliases: twins('ALIASES'),
  'progress-spinner': twins('PROGRESS_SPINNER'),
  output: twins('OUTPUT'),
  'osv-url': twins('OSV_URL'),
  timeout: twins('TIMEOUT'),
  'cache-dir': twins('CACHE_DIR'),
  'no-cache': { names: ['PYAUDIT_NO_CACHE'] },
  'query-cache-ttl': { names: ['PYAUDIT_QUERY_CACHE_TTL'] },
  verbose: {
    names: ['PYAUDIT_LOGLEVEL', 'PIP_AUDIT_LOGLEVEL'],
    parse: (text) => (text.toLowerCase() === 'debug' ? 1 : 0),
  },
  'db-dir': { names: ['PYAUDIT_DB_DIR'] },
  'max-db-age': { names: ['PYAUDIT_MAX_DB_AGE'] },
  'pypi-url': { names: ['PYAUDIT_PYPI_URL'] },
  'esms-url': { names: ['PYAUDIT_ESMS_URL'] },
  'allow-partial': { names: ['PYAUDIT_ALLOW_PARTIAL'] },
  python: { names: ['PYAUDIT_PYTHON'] },
};

function usage(message: string): PyauditError {
  return new PyauditError('usage', message);
}

function choice(flag: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) {
    throw usage(`argument ${flag}: invalid choice: '${value}' (choose from ${allowed.join(', ')})`);
  }
  return value;
}

/**
 * An http:// or https:// URL, checked when the options are read (a value from the
 * environment or the configuration file is named by `locateValueError`).
 */
function urlOf(flag: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usage(
      `argument ${flag}: invalid value: '${value}' (expected an http:// or https:// URL)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(
      `argument ${flag}: unsupported scheme '${url.protocol.slice(0, -1)}' (only http:// and https:// URLs)`,
    );
  }
  return value;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Repeatable, comma-separated values. */
const splitList = (value: unknown): string[] =>
  (value as string[])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

function checked(flag: string, value: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value))
    throw usage(`argument ${flag}: invalid value: '${value}' (expected ${expected})`);
  return value;
}

function buildCommand(version: string): Command {
  return (
    new Command('pyaudit')
      .description('audit Python dependencies for known vulnerabilities (pip-audit compatible)')
      .helpOption('-h, --help', 'show this help message and exit')
      .version(`pyaudit ${version}`, '-V, --version', "show the program's version number and exit")
      .argument('[project_path]', 'audit a local Python project at the given path')
      .option('-l, --local', 'show only results for dependencies in the local environment', false)
      .option(
        '-r, --requirement <REQUIREMENT>',
        'audit the given requirements file (repeatable; - for stdin)',
        collect,
        [],
      )
      .option('--locked', 'audit lock files from the project path only', false)
      .addOption(
        new Option(
          '-f, --format <FORMAT>',
          `the report format (choices: ${[...REPORT_FORMATS.keys()].join(', ')})`,
        ).default('columns'),
      )
      .addOption(
        new Option(
          '-s, --vulnerability-service <SERVICE>',
          `the vulnerability service (choices: ${SERVICES.join(', ')}; repeatable or comma-separated)`,
        )
          .argParser(collect)
          .default([], 'osv'),
      )
      .addOption(
        new Option(
          '--osv-url <OSV_URL>',
          'the OSV API: a base URL or a full …/v1/query URL',
        ).default(undefined, 'https://api.osv.dev'),
      )
      .option('-d, --dry-run', 'collect only; with --fix: plan, change nothing', false)
      .option('-S, --strict', 'fail the audit if any dependency cannot be audited', false)
      .addOption(
        new Option(
          '--desc [{on,off,auto}]',
          'include descriptions; bare --desc means on; auto means on for json',
        ).default('auto'),
      )
      .addOption(
        new Option(
          '--aliases [{on,off,auto}]',
          'include alias ids; bare --aliases means on; auto means on for json',
        ).default('auto'),
      )
      .option('--cache-dir <CACHE_DIR>', 'a directory to cache vulnerability records in')
      .option('--no-cache', 'keep nothing on disk: neither vulnerability records nor index pages')
      .addOption(
        new Option(
          '--query-cache-ttl <SECONDS>',
          'reuse an OSV query answer this long (0 asks every time)',
        ).default('300'),
      )
      .option('--progress-spinner <{on,off}>', 'show a progress spinner on a terminal', 'on')
      .option('--timeout <TIMEOUT>', 'seconds to wait for a service response', '15')
      .option(
        '--path <PATH>',
        'audit the packages installed in this site-packages folder (repeatable)',
        collect,
        [],
      )
      .option(
        '-v, --verbose',
        'debug lines on stderr (repeatable); the report is the same',
        (_v: string, n: number) => n + 1,
        0,
      )
      .option('-q, --quiet', 'only the report and errors: no spinner, warnings or summary', false)
      .addOption(
        new Option(
          '--color <WHEN>',
          'colours: auto (on a terminal, unless NO_COLOR), always, never',
        ).default('auto'),
      )
      .option(
        '--fix',
        'upgrade vulnerable dependencies: rewrite requirements files and manifests in place (all or nothing), print the commands that update lock files, pip install in an environment',
        false,
      )
      .option('--require-hashes', 'require a hash on every requirement', false)
      .option(
        '--index-url <INDEX_URL>',
        "base URL of the package index to resolve from (default: pip's configuration, else PyPI)",
      )
      .option('--extra-index-url <URL>', 'extra package index URL (repeatable)', collect, [])
      .option(
        '--find-links <URL>',
        'also look for distributions in this folder or page (repeatable)',
        collect,
        [],
      )
      .option('--pre', 'let resolution pick pre-release and development versions', false)
      .option('--skip-editable', "don't audit editable requirements", false)
      .option('--no-deps', "don't resolve: audit only the pinned requirements, as written")
      .option('-o, --output <FILE>', 'write the report to FILE (stdout or - for standard output)')
      .option(
        '--ignore-vuln <ID>',
        'ignore a vulnerability by id or alias (repeatable)',
        collect,
        [],
      )
      .option(
        '--ignore-until-fixed <ID>',
        'ignore a vulnerability by id or alias while it has no fix version (repeatable)',
        collect,
        [],
      )
      .option('--disable-pip', "don't use pip (pyaudit never does)", false)
      .option('--offline', 'audit from the local database only (same as -s local)', false)
      .addOption(
        new Option('--db-dir <DIR>', 'the offline database directory').default(
          undefined,
          'the user cache directory',
        ),
      )
      .option(
        '--max-db-age <DAYS>',
        'warn when the offline database is older than this (0 never warns)',
        '7',
      )
      .addOption(
        new Option('--pypi-url <URL>', 'the PyPI JSON API for -s pypi').default(
          undefined,
          'https://pypi.org',
        ),
      )
      .addOption(
        new Option('--esms-url <URL>', 'the ecosyste.ms advisories API for -s esms').default(
          undefined,
          'https://advisories.ecosyste.ms',
        ),
      )
      .option('--python <PYTHON>', 'audit the environment of this Python interpreter')
      .option(
        '--input-type <KIND>',
        `what kind of file PATH is (choices: ${INPUT_TYPES.join(', ')})`,
      )
      .option('--group <GROUP>', 'also install this dependency group (repeatable)', collect, [])
      .option(
        '--only-group <GROUP>',
        'only this dependency group, without the main dependencies (repeatable)',
        collect,
        [],
      )
      // commander reads any `--no-x` flag as a negation, so `--no-group` is renamed on the way in.
      .addOption(
        new Option(
          '--without-group <GROUP>',
          'leave out this dependency group (repeatable); also spelled --no-group',
        )
          .argParser(collect)
          .default([]),
      )
      .option('--extra <EXTRA>', 'install this extra (repeatable)', collect, [])
      .option('--all-extras', 'install every extra', false)
      .addOption(
        new Option(
          '--without-extra <EXTRA>',
          'leave out this extra, even with --all-extras (repeatable); also spelled --no-extra',
        )
          .argParser(collect)
          .default([]),
      )
      .option('--no-dev', 'leave out the development groups')
      .option('--python-version <X.Y>', 'only what would be installed for this Python version')
      .option(
        '--platform <PLATFORM>',
        'only what would be installed on this platform (linux, macos, windows)',
      )
      .option(
        '--marker-env <FILE>',
        'only what would be installed in this marker environment (a JSON object)',
      )
      .option('--show-paths', 'show which packages pull each one in (columns, markdown)', false)
      .option(
        '--exclude <NAME>',
        'leave these packages out of an environment audit (repeatable, comma-separated)',
        collect,
        [],
      )
      .option(
        '--allow-partial',
        'when one of several sources fails, report what the others found (still says so)',
        false,
      )
      .option(
        '--severity',
        "show each finding's severity (a column in columns/markdown, a field in json)",
        false,
      )
      .option(
        '--min-severity <LEVEL>',
        `report only findings of this severity or above (choices: ${MIN_SEVERITY_LEVELS.join(', ')}); unknown ones are always reported`,
      )
      .option(
        '--fail-on <LEVEL>',
        `exit 1 only for findings of this severity or above (choices: ${FAIL_ON_LEVELS.join(', ')}; default: low); malicious packages always fail`,
      )
      .option(
        '--fail-on-unknown <{on,off}>',
        'whether a finding of unknown severity fails as high (default: on)',
      )
      .option('--fail-on-fixable-only', 'only findings that have a fix version make exit 1', false)
      .option('--ignore-unfixed', 'ignore findings that have no fix version', false)
      .option(
        '--cyclonedx-spec <VERSION>',
        `CycloneDX version for -f cyclonedx-json/xml (choices: ${CYCLONEDX_SPECS.join(', ')}; default: 1.6)`,
      )
      .option(
        '--config <FILE>',
        'read options from this file instead of the nearest .pyaudit.toml or pyproject.toml [tool.pyaudit]',
      )
      .option('--no-config', 'read no configuration file')
      .configureHelp({ optionDescription, sortOptions: false })
      .exitOverride()
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
      .allowExcessArguments(false)
  );
}

function toggle(flag: string, value: unknown): Toggle {
  if (value === true) return 'on';
  return choice(flag, typeof value === 'string' ? value : 'auto', ['on', 'off', 'auto']) as Toggle;
}

/** Where configuration comes from: discovery from `cwd`, or none (the library's callers). */
export interface ConfigLookup {
  readonly cwd: string;
}

/**
 * The configuration file's values: `--config FILE` (`choice`), none with `--no-config`
 * (`false`), else the file discovered from `cwd`.
 */
function configValuesFor(
  choice: string | false | undefined,
  cwd: string,
  specs: readonly OptionSpec[],
): ConfigValues | undefined {
  if (choice === false) return undefined;
  const file = choice ?? findConfigFile(cwd);
  if (file === undefined) return undefined;
  return readConfigValues(readConfigFile(file, cwd), specs, cwd);
}

function loadConfig(command: Command, lookup: ConfigLookup | undefined): ConfigValues | undefined {
  if (lookup === undefined) return undefined;
  const choice = command.getOptionValue('config') as string | false | undefined;
  return configValuesFor(choice, lookup.cwd, optionSpecs(command));
}

/**
 * What the configuration file gives one option (`key`: its long flag without the dashes), read
 * and checked as the audit reads it. The `db` commands take `db-dir` from it, so that they
 * manage the database the audit reads.
 */
export function configFileValue(
  key: string,
  choice: string | false | undefined,
  cwd: string,
): unknown {
  return configValuesFor(choice, cwd, optionSpecs(buildCommand(VERSION)))?.values.get(key)?.value;
}

/** A bad value from the environment or the file names where it was set. */
function locateValueError(error: unknown, settings: readonly Setting[]): unknown {
  if (!(error instanceof PyauditError) || error.kind !== 'usage') return error;
  const flag = /^argument (\S+):/.exec(error.message)?.[1];
  const setting = settings.find((s) => s.spec.display === flag || s.spec.option.long === flag);
  if (setting?.source.kind === 'env') {
    const reason = error.message.replace(/^argument \S+: /, '');
    return usage(`environment variable ${setting.source.name}: ${reason}`);
  }
  if (setting?.source.kind === 'file') {
    return inputError(error.message, setting.source.file, setting.source.line);
  }
  return error;
}

/**
 * Parses arguments (without `node` and the script) over the environment and, given `config`,
 * the configuration file. Usage problems throw a `PyauditError` of kind `usage`; a bad
 * configuration file one of kind `input`; `--help` and `--version` return what to print.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  version: string,
  config?: ConfigLookup,
): ParsedCommandLine {
  const command = buildCommand(version);
  // uv's spelling `--no-group G` (commander would read it as a negated `--group`).
  const args = argv.map((a) => {
    for (const name of ['group', 'extra']) {
      if (a === `--no-${name}`) return `--without-${name}`;
      if (a.startsWith(`--no-${name}=`)) return `--without-${name}=${a.slice(name.length + 6)}`;
    }
    return a;
  });
  try {
    command.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed')
        return {
          kind: 'exit',
          code: 0,
          stdout: `${command.helpInformation()}${helpEpilogue(OPTION_ENVIRONMENT)}`,
        };
      if (error.code === 'commander.version')
        return { kind: 'exit', code: 0, stdout: `pyaudit ${version}\n` };
      throw usage(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const configValues = loadConfig(command, config);
  const settings = applyLayers(
    command,
    optionSpecs(command),
    env,
    OPTION_ENVIRONMENT,
    configValues,
  );
  try {
    const options = optionsFrom(command, settings, configValues);
    validate(options);
    return {
      kind: 'run',
      options,
      layers: {
        settings,
        ...(configValues && { configFile: configValues.file.display }),
        ignore: configValues?.ignore ?? [],
      },
    };
  } catch (error) {
    throw locateValueError(error, settings);
  }
}

function optionsFrom(
  command: Command,
  settings: readonly Setting[],
  configValues: ConfigValues | undefined,
): CliOptions {
  const o = command.opts<Record<string, unknown>>();
  const projectPath = command.args[0];
  const sourceOf = (key: string): Setting['source'] | undefined =>
    settings.find((s) => s.spec.key === key)?.source;
  const where = (key: string, flag: string): string => {
    const source = sourceOf(key);
    if (source?.kind !== 'file') return flag;
    return source.line !== undefined ? `${source.file}:${source.line}` : source.file;
  };

  const format = choice('-f/--format', o.format as string, [...REPORT_FORMATS.keys()]);
  let services = (o.vulnerabilityService as string[]).flatMap((s) => s.split(','));
  if (services.length === 0) services = ['osv'];
  for (const s of services) choice('-s/--vulnerability-service', s.trim().toLowerCase(), SERVICES);
  services = [...new Set(services.map((s) => s.trim().toLowerCase()))];
  if (o.offline === true) {
    // --offline replaces the sources of the environment or the file; given as flags, they conflict.
    const online =
      sourceOf('vulnerability-service')?.kind === 'flag'
        ? services.filter((s) => s !== 'local')
        : [];
    if (online.length > 0)
      throw usage(`argument --offline: not allowed with -s ${online.join(',')}`);
    for (const [flag, value] of [
      ['--osv-url', o.osvUrl],
      ['--pypi-url', o.pypiUrl],
      ['--esms-url', o.esmsUrl],
    ] as const) {
      if (value !== undefined)
        throw usage(`argument --offline: not allowed with ${flag} (an offline audit asks no URL)`);
    }
    services = ['local'];
  }
  const maxAgeText = o.maxDbAge as string;
  if (!/^\d+(\.\d+)?$/.test(maxAgeText)) {
    throw usage(`argument --max-db-age: invalid value: '${maxAgeText}' (a number of days)`);
  }
  const optional = (value: unknown): string | undefined => value as string | undefined;

  const spinnerValue = o.progressSpinner as string;
  choice('--progress-spinner', spinnerValue, ['on', 'off']);
  const timeoutText = o.timeout as string;
  const timeout = Number(timeoutText);
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || timeout <= 0) {
    throw usage(
      `argument --timeout: invalid value: '${timeoutText}' (a positive number of seconds)`,
    );
  }
  const ttl = o.queryCacheTtl as string;
  if (!/^\d+(\.\d+)?$/.test(ttl))
    throw usage(
      `argument --query-cache-ttl: invalid value: '${ttl}' (a number of seconds, 0 for none)`,
    );
  const osvUrl = urlOf('--osv-url', o.osvUrl);
  const pypiUrl = urlOf('--pypi-url', o.pypiUrl);
  const esmsUrl = urlOf('--esms-url', o.esmsUrl);

  // What to audit is one choice: given on the command line (-r, --path, --python or PATH), it
  // replaces the environment's or the file's, which would otherwise conflict with it.
  const fromCommandLine = (key: string): boolean => sourceOf(key)?.kind === 'flag';
  const inputOnCommandLine =
    projectPath !== undefined || ['requirement', 'path', 'python'].some(fromCommandLine);
  const input = <T>(key: string, value: T, none: T): T =>
    inputOnCommandLine && !fromCommandLine(key) ? none : value;
  const requirements = input('requirement', o.requirement as string[], []);
  return {
    requirements,
    ...(projectPath !== undefined && { projectPath }),
    format,
    services,
    ...(osvUrl !== undefined && { osvUrl }),
    dryRun: o.dryRun as boolean,
    strict: o.strict as boolean,
    desc: toggle('--desc', o.desc),
    aliases: toggle('--aliases', o.aliases),
    ...(optional(o.cacheDir) !== undefined && { cacheDir: optional(o.cacheDir) }),
    noCache: o.cache === false,
    queryCacheTtl: Number(ttl),
    progressSpinner: spinnerValue === 'on',
    timeout,
    paths: input('path', o.path as string[], []),
    local: o.local as boolean,
    verbose: o.verbose as number,
    fix: o.fix as boolean,
    locked: o.locked as boolean,
    requireHashes: o.requireHashes as boolean,
    ...(o.indexUrl !== undefined && { indexUrl: o.indexUrl as string }),
    extraIndexUrls: o.extraIndexUrl as string[],
    findLinks: o.findLinks as string[],
    pre: o.pre === true,
    skipEditable: o.skipEditable as boolean,
    // commander turns `--no-deps` into `deps: false`.
    noDeps: o.deps === false,
    disablePip: o.disablePip as boolean,
    ...(optional(o.output) !== undefined && { output: optional(o.output) }),
    // From a file, `ignore-vuln` ids are rules that name the file (below).
    ignoreVulns: sourceOf('ignore-vuln')?.kind === 'file' ? [] : (o.ignoreVuln as string[]),
    ...(optional(o.dbDir) !== undefined && { dbDir: optional(o.dbDir) }),
    maxDbAge: Number(maxAgeText),
    ...(pypiUrl !== undefined && { pypiUrl }),
    ...(esmsUrl !== undefined && { esmsUrl }),
    allowPartial: o.allowPartial === true,
    ...(input('python', optional(o.python), undefined) !== undefined && {
      python: optional(o.python),
    }),
    showPaths: o.showPaths === true,
    groups: splitList(o.group),
    onlyGroups: splitList(o.onlyGroup),
    noGroups: splitList(o.withoutGroup),
    extras: splitList(o.extra),
    noExtras: splitList(o.withoutExtra),
    allExtras: o.allExtras === true,
    // commander turns `--no-dev` into `dev: false`.
    noDev: o.dev === false,
    ...(o.pythonVersion !== undefined && {
      pythonVersion: checked(
        '--python-version',
        o.pythonVersion as string,
        /^\d+\.\d+(\.\d+)?$/,
        'X.Y or X.Y.Z, such as 3.12',
      ),
    }),
    ...(o.platform !== undefined && {
      platform: choice('--platform', o.platform as string, ['linux', 'macos', 'windows']) as
        'linux' | 'macos' | 'windows',
    }),
    ...(o.markerEnv !== undefined && { markerEnv: o.markerEnv as string }),
    ...(o.inputType !== undefined && {
      inputType: choice('--input-type', o.inputType as string, INPUT_TYPES),
    }),
    severity: o.severity === true,
    ...(o.minSeverity !== undefined && {
      minSeverity: choice(
        '--min-severity',
        o.minSeverity as string,
        MIN_SEVERITY_LEVELS,
      ) as MinSeverityLevel,
    }),
    failOn: choice(
      '--fail-on',
      (o.failOn as string | undefined) ?? 'low',
      FAIL_ON_LEVELS,
    ) as FailOnLevel,
    failOnUnknown:
      choice('--fail-on-unknown', (o.failOnUnknown as string | undefined) ?? 'on', [
        'on',
        'off',
      ]) === 'on',
    failOnFixableOnly: o.failOnFixableOnly === true,
    ignoreUnfixed: o.ignoreUnfixed === true,
    cyclonedxSpec: choice(
      '--cyclonedx-spec',
      (o.cyclonedxSpec as string | undefined) ?? '1.6',
      CYCLONEDX_SPECS,
    ) as CycloneDxSpec,
    exclude: (o.exclude as string[])
      .flatMap((e) => e.split(','))
      .map((e) => e.trim())
      .filter(Boolean),
    ignoreRules: [
      // Ids from the file's `ignore-vuln` name the file's line; from the flag, the flag.
      ...(sourceOf('ignore-vuln')?.kind === 'file'
        ? (o.ignoreVuln as string[]).map((id) => ({ id, origin: where('ignore-vuln', '') }))
        : []),
      ...(o.ignoreUntilFixed as string[]).map((id) => ({
        id,
        untilFixed: true,
        origin: where('ignore-until-fixed', '--ignore-until-fixed'),
      })),
      ...(configValues?.ignore ?? []),
    ],
    color: choice('--color', o.color as string, ['auto', 'always', 'never']) as
      'auto' | 'always' | 'never',
    quiet: o.quiet === true,
  };
}

/** The combinations pip-audit rejects, with its wording. */
function validate(o: CliOptions): void {
  if (o.requirements.length > 0 && o.projectPath !== undefined) {
    throw usage('argument project_path: not allowed with argument -r/--requirement');
  }
  if (o.paths.length > 0 && (o.requirements.length > 0 || o.projectPath !== undefined)) {
    throw usage('argument --path: not allowed with argument -r/--requirement or project_path');
  }
  if (
    o.python !== undefined &&
    (o.requirements.length > 0 || o.projectPath !== undefined || o.paths.length > 0)
  ) {
    throw usage('argument --python: not allowed with -r/--requirement, --path or project_path');
  }
  if (o.exclude.length > 0 && (o.requirements.length > 0 || o.projectPath !== undefined)) {
    throw usage('argument --exclude: only for environment audits (not with -r or project_path)');
  }
  const selectionFlags: Array<[string, boolean]> = [
    ['--group', o.groups.length > 0],
    ['--only-group', o.onlyGroups.length > 0],
    ['--no-group', o.noGroups.length > 0],
    ['--extra', o.extras.length > 0],
    ['--all-extras', o.allExtras],
    ['--no-extra', o.noExtras.length > 0],
    ['--no-dev', o.noDev],
  ];
  const misplaced = selectionFlags.find(([, given]) => given);
  if (misplaced && o.projectPath === undefined) {
    throw usage(
      `argument ${misplaced[0]}: only for lock files and manifests (a project PATH), not with -r or an environment`,
    );
  }
  if (o.inputType !== undefined && o.projectPath === undefined) {
    throw usage('argument --input-type: only with a project path (PATH)');
  }
  if (o.locked && o.projectPath === undefined) {
    throw usage('The --locked flag can only be used with a project path');
  }
  if (o.requirements.length === 0 && o.projectPath === undefined) {
    if (o.indexUrl !== undefined)
      throw usage('The --index-url flag can only be used with --requirement (-r)');
    if (o.extraIndexUrls.length > 0)
      throw usage('The --extra-index-url flag can only be used with --requirement (-r)');
    if (o.findLinks.length > 0)
      throw usage('The --find-links flag can only be used with --requirement (-r)');
    if (o.noDeps) throw usage('The --no-deps flag can only be used with --requirement (-r)');
  }
  if (o.requirements.length === 0) {
    if (o.requireHashes)
      throw usage('The --require-hashes flag can only be used with --requirement (-r)');
  }
}
