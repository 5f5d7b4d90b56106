/**
 * Command-line flags and environment variables → one options object. pip-audit's flags mean
 * the same here; `PIP_AUDIT_*` variables set defaults as they do for pip-audit, and
 * `PYAUDIT_*` twins take precedence over them. Flags beat both.
 */
import { Command, CommanderError, Option } from 'commander';
import { PyauditError } from '../core/errors.js';
import { REPORT_FORMATS } from '../report/index.js';
import { INPUT_TYPES } from '../sources/project/detect.js';

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
  /** `--no-cache`: the index client keeps nothing on disk. */
  readonly noCache: boolean;
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
  readonly noDev: boolean;
  /** Target environment: `--python-version`, `--platform`, `--marker-env FILE`. */
  readonly pythonVersion?: string;
  readonly platform?: 'linux' | 'macos' | 'windows';
  readonly markerEnv?: string;
  /** `--input-type`: what kind of file a positional PATH is. */
  readonly inputType?: string;
  /** `--show-paths`: a "Via" column with the chain that pulls each package in. */
  readonly showPaths: boolean;
}

export type ParsedCommandLine =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'exit'; readonly code: number; readonly stdout: string };

export const SERVICES = ['osv', 'pypi', 'local', 'esms'] as const;

/** `PYAUDIT_X`, else `PIP_AUDIT_X`. */
function fromEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  return env[`PYAUDIT_${name}`] ?? env[`PIP_AUDIT_${name}`];
}

function usage(message: string): PyauditError {
  return new PyauditError('usage', message);
}

function choice(flag: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) {
    throw usage(`argument ${flag}: invalid choice: '${value}' (choose from ${allowed.join(', ')})`);
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
      .option(
        '-f, --format <FORMAT>',
        `the report format (choices: ${[...REPORT_FORMATS.keys()].join(', ')})`,
      )
      .option(
        '-s, --vulnerability-service <SERVICE>',
        `the vulnerability service (choices: ${SERVICES.join(', ')})`,
        collect,
        [],
      )
      .option('--osv-url <OSV_URL>', 'the OSV API: a base URL or a full …/v1/query URL')
      .option('-d, --dry-run', 'collect dependencies but do not audit them', false)
      .option('-S, --strict', 'fail the audit if any dependency cannot be audited', false)
      .addOption(
        new Option('--desc [{on,off,auto}]', 'include descriptions; auto means on for json'),
      )
      .addOption(
        new Option('--aliases [{on,off,auto}]', 'include alias ids; auto means on for json'),
      )
      .option('--cache-dir <CACHE_DIR>', 'a directory to cache vulnerability records in')
      .option(
        '--progress-spinner <{on,off}>',
        'show a progress spinner on a terminal (default: on)',
      )
      .option('--timeout <TIMEOUT>', 'seconds to wait for a service response (default: 15)')
      .option(
        '--path <PATH>',
        'audit the packages installed in this site-packages folder (repeatable)',
        collect,
        [],
      )
      .option(
        '-v, --verbose',
        'more output on stderr (repeatable)',
        (_v: string, n: number) => n + 1,
        0,
      )
      .option('--fix', 'upgrade vulnerable dependencies in place', false)
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
      .option('--no-cache', "don't keep index pages and metadata in the cache folder")
      .option('--skip-editable', "don't audit editable requirements", false)
      .option('--no-deps', "don't resolve: audit only the pinned requirements, as written")
      .option('-o, --output <FILE>', 'write the report to FILE (stdout or - for standard output)')
      .option(
        '--ignore-vuln <ID>',
        'ignore a vulnerability by id or alias (repeatable)',
        collect,
        [],
      )
      .option('--disable-pip', "don't use pip (pyaudit never does)", false)
      .option('--offline', 'audit from the local database only (same as -s local)', false)
      .option(
        '--db-dir <DIR>',
        'the offline database directory (default: user cache, or PYAUDIT_DB_DIR)',
      )
      .option(
        '--max-db-age <DAYS>',
        'warn when the offline database is older than this (default: 7; 0 never warns)',
      )
      .option('--pypi-url <URL>', 'the PyPI JSON API for -s pypi (default: https://pypi.org)')
      .option(
        '--esms-url <URL>',
        'the ecosyste.ms advisories API for -s esms (default: https://advisories.ecosyste.ms)',
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
      .exitOverride()
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
      .allowExcessArguments(false)
  );
}

function toggle(flag: string, value: unknown, envValue: string | undefined): Toggle {
  if (value === true) return 'on';
  const raw = typeof value === 'string' ? value : (envValue ?? 'auto');
  return choice(flag, raw, ['on', 'off', 'auto']) as Toggle;
}

/**
 * Parses arguments (without `node` and the script). Usage problems throw a `PyauditError`
 * of kind `usage`; `--help` and `--version` return what to print.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  version: string,
): ParsedCommandLine {
  const command = buildCommand(version);
  // uv's spelling `--no-group G` (commander would read it as a negated `--group`).
  const args = argv.map((a) =>
    a === '--no-group'
      ? '--without-group'
      : a.startsWith('--no-group=')
        ? `--without-group=${a.slice(11)}`
        : a,
  );
  try {
    command.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed')
        return { kind: 'exit', code: 0, stdout: command.helpInformation() };
      if (error.code === 'commander.version')
        return { kind: 'exit', code: 0, stdout: `pyaudit ${version}\n` };
      throw usage(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const o = command.opts<Record<string, unknown>>();
  const projectPath = command.args[0];

  const format = choice(
    '-f/--format',
    (o.format as string | undefined) ?? fromEnv(env, 'FORMAT') ?? 'columns',
    [...REPORT_FORMATS.keys()],
  );
  let services = (o.vulnerabilityService as string[]).flatMap((s) => s.split(','));
  if (services.length === 0) services = [fromEnv(env, 'VULNERABILITY_SERVICE') ?? 'osv'];
  for (const s of services) choice('-s/--vulnerability-service', s.trim().toLowerCase(), SERVICES);
  services = [...new Set(services.map((s) => s.trim().toLowerCase()))];
  if (o.offline === true) {
    const online =
      (o.vulnerabilityService as string[]).length > 0 ? services.filter((s) => s !== 'local') : [];
    if (online.length > 0)
      throw usage(`argument --offline: not allowed with -s ${online.join(',')}`);
    services = ['local'];
  }
  const maxAgeText = (o.maxDbAge as string | undefined) ?? fromEnv(env, 'MAX_DB_AGE') ?? '7';
  if (!/^\d+(\.\d+)?$/.test(maxAgeText)) {
    throw usage(`argument --max-db-age: invalid value: '${maxAgeText}' (a number of days)`);
  }
  const optional = (value: unknown, envName: string): string | undefined =>
    (value as string | undefined) ?? fromEnv(env, envName);

  const spinnerValue =
    (o.progressSpinner as string | undefined) ?? fromEnv(env, 'PROGRESS_SPINNER') ?? 'on';
  choice('--progress-spinner', spinnerValue, ['on', 'off']);
  const timeoutText = (o.timeout as string | undefined) ?? fromEnv(env, 'TIMEOUT') ?? '15';
  const timeout = Number(timeoutText);
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || timeout <= 0) {
    throw usage(
      `argument --timeout: invalid value: '${timeoutText}' (a positive number of seconds)`,
    );
  }

  const requirements = o.requirement as string[];
  const options: CliOptions = {
    requirements,
    ...(projectPath !== undefined && { projectPath }),
    format,
    services,
    ...(((o.osvUrl as string | undefined) ?? fromEnv(env, 'OSV_URL')) !== undefined && {
      osvUrl: (o.osvUrl as string | undefined) ?? fromEnv(env, 'OSV_URL'),
    }),
    dryRun: o.dryRun as boolean,
    strict: o.strict as boolean,
    desc: toggle('--desc', o.desc, fromEnv(env, 'DESC')),
    aliases: toggle('--aliases', o.aliases, fromEnv(env, 'ALIASES')),
    ...(((o.cacheDir as string | undefined) ?? fromEnv(env, 'CACHE_DIR')) !== undefined && {
      cacheDir: (o.cacheDir as string | undefined) ?? fromEnv(env, 'CACHE_DIR'),
    }),
    progressSpinner: spinnerValue === 'on',
    timeout,
    paths: o.path as string[],
    local: o.local as boolean,
    verbose: (o.verbose as number) + (fromEnv(env, 'LOGLEVEL')?.toLowerCase() === 'debug' ? 1 : 0),
    fix: o.fix as boolean,
    locked: o.locked as boolean,
    requireHashes: o.requireHashes as boolean,
    ...(o.indexUrl !== undefined && { indexUrl: o.indexUrl as string }),
    extraIndexUrls: o.extraIndexUrl as string[],
    findLinks: o.findLinks as string[],
    pre: o.pre === true,
    // commander turns `--no-cache` into `cache: false`.
    noCache: o.cache === false,
    skipEditable: o.skipEditable as boolean,
    // commander turns `--no-deps` into `deps: false`.
    noDeps: o.deps === false,
    disablePip: o.disablePip as boolean,
    ...(((o.output as string | undefined) ?? fromEnv(env, 'OUTPUT')) !== undefined && {
      output: (o.output as string | undefined) ?? fromEnv(env, 'OUTPUT'),
    }),
    ignoreVulns: o.ignoreVuln as string[],
    ...(optional(o.dbDir, 'DB_DIR') !== undefined && { dbDir: optional(o.dbDir, 'DB_DIR') }),
    maxDbAge: Number(maxAgeText),
    ...(optional(o.pypiUrl, 'PYPI_URL') !== undefined && {
      pypiUrl: optional(o.pypiUrl, 'PYPI_URL'),
    }),
    ...(optional(o.esmsUrl, 'ESMS_URL') !== undefined && {
      esmsUrl: optional(o.esmsUrl, 'ESMS_URL'),
    }),
    allowPartial:
      o.allowPartial === true || /^(1|true|on|yes)$/i.test(fromEnv(env, 'ALLOW_PARTIAL') ?? ''),
    ...(optional(o.python, 'PYTHON') !== undefined && { python: optional(o.python, 'PYTHON') }),
    showPaths: o.showPaths === true,
    groups: splitList(o.group),
    onlyGroups: splitList(o.onlyGroup),
    noGroups: splitList(o.withoutGroup),
    extras: splitList(o.extra),
    allExtras: o.allExtras === true,
    // commander turns `--no-dev` into `dev: false`.
    noDev: o.dev === false,
    ...(o.pythonVersion !== undefined && {
      pythonVersion: checked(
        '--python-version',
        o.pythonVersion as string,
        /^\d+\.\d+$/,
        'X.Y, such as 3.12',
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
    exclude: (o.exclude as string[])
      .flatMap((e) => e.split(','))
      .map((e) => e.trim())
      .filter(Boolean),
  };
  validate(options);
  return { kind: 'run', options };
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
