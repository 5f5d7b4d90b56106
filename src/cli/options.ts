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
  /** `--no-cache` (or `PYAUDIT_NO_CACHE`): no record cache at all. */
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

/** A value from its flag, else its environment variable, with what to call it in errors. */
interface Setting {
  readonly value: string;
  /** `argument --flag` or `environment variable PIP_AUDIT_X`. */
  readonly label: string;
}

function setting(
  flag: string,
  flagValue: unknown,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): Setting | undefined {
  if (typeof flagValue === 'string') return { value: flagValue, label: `argument ${flag}` };
  for (const variable of [`PYAUDIT_${name}`, `PIP_AUDIT_${name}`]) {
    const value = env[variable];
    if (value !== undefined) return { value, label: `environment variable ${variable}` };
  }
  return undefined;
}

function usage(message: string): PyauditError {
  return new PyauditError('usage', message);
}

function choice(flag: string, value: string, allowed: readonly string[]): string {
  return choiceOf({ value, label: `argument ${flag}` }, allowed);
}

function choiceOf(s: Setting, allowed: readonly string[]): string {
  if (!allowed.includes(s.value)) {
    throw usage(`${s.label}: invalid choice: '${s.value}' (choose from ${allowed.join(', ')})`);
  }
  return s.value;
}

/** An http:// or https:// URL, checked when the flags are read. */
function urlOf(s: Setting | undefined): string | undefined {
  if (s === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(s.value);
  } catch {
    throw usage(`${s.label}: invalid value: '${s.value}' (expected an http:// or https:// URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(
      `${s.label}: unsupported scheme '${url.protocol.slice(0, -1)}' (only http:// and https:// URLs)`,
    );
  }
  return s.value;
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
      .option('--no-cache', 'do not read or write the vulnerability record cache')
      .option(
        '--query-cache-ttl <SECONDS>',
        'reuse an OSV query answer this long (default: 300; 0 asks every time)',
      )
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
        'base URL of the package index (accepted for pip-audit compatibility)',
      )
      .option('--extra-index-url <URL>', 'extra package index URL (repeatable)', collect, [])
      .option('--skip-editable', "don't audit editable requirements", false)
      .option(
        '--no-deps',
        "don't resolve dependencies: requirements must be pinned (always the case here)",
      )
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

  const format = choiceOf(
    setting('-f/--format', o.format, env, 'FORMAT') ?? {
      value: 'columns',
      label: 'argument -f/--format',
    },
    [...REPORT_FORMATS.keys()],
  );
  const serviceSettings: Setting[] =
    (o.vulnerabilityService as string[]).length > 0
      ? (o.vulnerabilityService as string[]).map((value) => ({
          value,
          label: 'argument -s/--vulnerability-service',
        }))
      : [
          setting('-s/--vulnerability-service', undefined, env, 'VULNERABILITY_SERVICE') ?? {
            value: 'osv',
            label: 'argument -s/--vulnerability-service',
          },
        ];
  let services = serviceSettings.flatMap((s) =>
    s.value
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== '')
      .map((value) => choiceOf({ value, label: s.label }, SERVICES)),
  );
  services = [...new Set(services)];
  if (services.length === 0) services = ['osv'];
  if (o.offline === true) {
    const online =
      (o.vulnerabilityService as string[]).length > 0 ? services.filter((s) => s !== 'local') : [];
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
  const maxAge = setting('--max-db-age', o.maxDbAge, env, 'MAX_DB_AGE') ?? {
    value: '7',
    label: 'argument --max-db-age',
  };
  if (!/^\d+(\.\d+)?$/.test(maxAge.value)) {
    throw usage(`${maxAge.label}: invalid value: '${maxAge.value}' (a number of days)`);
  }
  const maxAgeText = maxAge.value;
  const optional = (value: unknown, envName: string): string | undefined =>
    (value as string | undefined) ?? fromEnv(env, envName);

  const spinnerValue = choiceOf(
    setting('--progress-spinner', o.progressSpinner, env, 'PROGRESS_SPINNER') ?? {
      value: 'on',
      label: 'argument --progress-spinner',
    },
    ['on', 'off'],
  );
  const timeoutSetting = setting('--timeout', o.timeout, env, 'TIMEOUT') ?? {
    value: '15',
    label: 'argument --timeout',
  };
  const timeoutText = timeoutSetting.value;
  const timeout = Number(timeoutText);
  if (!/^\d+(\.\d+)?$/.test(timeoutText) || timeout <= 0) {
    throw usage(
      `${timeoutSetting.label}: invalid value: '${timeoutText}' (a positive number of seconds)`,
    );
  }
  const ttl = setting('--query-cache-ttl', o.queryCacheTtl, env, 'QUERY_CACHE_TTL') ?? {
    value: '300',
    label: 'argument --query-cache-ttl',
  };
  if (!/^\d+(\.\d+)?$/.test(ttl.value))
    throw usage(`${ttl.label}: invalid value: '${ttl.value}' (a number of seconds, 0 for none)`);
  const osvUrl = urlOf(setting('--osv-url', o.osvUrl, env, 'OSV_URL'));
  const pypiUrl = urlOf(setting('--pypi-url', o.pypiUrl, env, 'PYPI_URL'));
  const esmsUrl = urlOf(setting('--esms-url', o.esmsUrl, env, 'ESMS_URL'));
  const toggleOf = (flag: string, value: unknown, name: string): Toggle => {
    if (value === true) return 'on';
    return choiceOf(
      setting(flag, value, env, name) ?? { value: 'auto', label: `argument ${flag}` },
      ['on', 'off', 'auto'],
    ) as Toggle;
  };

  const requirements = o.requirement as string[];
  const options: CliOptions = {
    requirements,
    ...(projectPath !== undefined && { projectPath }),
    format,
    services,
    ...(osvUrl !== undefined && { osvUrl }),
    dryRun: o.dryRun as boolean,
    strict: o.strict as boolean,
    desc: toggleOf('--desc', o.desc, 'DESC'),
    aliases: toggleOf('--aliases', o.aliases, 'ALIASES'),
    ...(((o.cacheDir as string | undefined) ?? fromEnv(env, 'CACHE_DIR')) !== undefined && {
      cacheDir: (o.cacheDir as string | undefined) ?? fromEnv(env, 'CACHE_DIR'),
    }),
    noCache: o.cache === false || /^(1|true|on|yes)$/i.test(fromEnv(env, 'NO_CACHE') ?? ''),
    queryCacheTtl: Number(ttl.value),
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
    ...(pypiUrl !== undefined && { pypiUrl }),
    ...(esmsUrl !== undefined && { esmsUrl }),
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
  if (o.requirements.length === 0) {
    if (o.requireHashes)
      throw usage('The --require-hashes flag can only be used with --requirement (-r)');
    if (o.indexUrl !== undefined)
      throw usage('The --index-url flag can only be used with --requirement (-r)');
    if (o.extraIndexUrls.length > 0)
      throw usage('The --extra-index-url flag can only be used with --requirement (-r)');
    if (o.noDeps) throw usage('The --no-deps flag can only be used with --requirement (-r)');
  }
}
