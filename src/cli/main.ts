/**
 * The `pyaudit` command: wires flags to the library (sources → services → audit → report)
 * and owns everything a terminal sees: the report on stdout (or `-o FILE`), warnings and the
 * summary on stderr, the spinner, and the exit code (0 clean, 1 findings, 2 error).
 */
import { lstat, open, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { audit, auditCoverage, nothingAudited, summarize, summaryLine } from '../audit/audit.js';
import { applyReportPolicy, decideFailure, policyNotes } from '../audit/policy.js';
import { monotonicMs } from '../core/clock.js';
import type { DependencySource } from '../core/dependency.js';
import { queryCache, type QueryCache } from '../cache/queries.js';
import { defaultCacheDir, recordCache, type RecordCache } from '../cache/records.js';
import { summaryCache, type SummaryCache } from '../cache/summaries.js';
import { fromSystemError, PyauditError } from '../core/errors.js';
import { plural } from '../core/plural.js';
import { hostMarkerEnvironment } from '../core/host-environment.js';
import { tempFileBeside } from '../core/temp-name.js';
import { createHttpClient, type HttpClient } from '../http/client.js';
import { defaultIndexCacheDir } from '../index/cache.js';
import { REPORT_FORMATS } from '../report/index.js';
import {
  resolvingCondaSource,
  resolvingManifestSource,
  resolvingSource,
  type ResolvingSourceOptions,
} from '../resolve/source.js';
import { buildTarget, hostGlibc, PLATFORM_MARKERS, probePathPython } from '../resolve/target.js';
import { environmentSource } from '../sources/environment/index.js';
import {
  resolveProjectPath,
  type InputType,
  type ProjectInput,
} from '../sources/project/detect.js';
import { parseCondaEnvironment } from '../sources/manifest/conda.js';
import type { DeclaredRequirement } from '../sources/manifest/declared.js';
import { parsePipfile } from '../sources/manifest/pipfile.js';
import { parsePyproject } from '../sources/manifest/pyproject.js';
import { parseScriptMetadata } from '../sources/manifest/script.js';
import { projectSource } from '../sources/project/index.js';
import type { PythonEnvironment } from '../sources/environment/index.js';
import type { RequirementsCollectOptions } from '../sources/requirements/collect.js';
import { requirementsSource } from '../sources/requirements/index.js';
import type { MarkerEnvironment } from '../standards/markers.js';
import { canonicalizeName } from '../standards/pep503.js';
import { VERSION } from '../version.js';
import { createEsmsService } from '../vulns/esms/service.js';
import { ageInDays, defaultDatabaseDir, openDatabase } from '../vulns/local/database.js';
import { createLocalService } from '../vulns/local/service.js';
import { createOsvService } from '../vulns/osv/service.js';
import { createPypiService } from '../vulns/pypi/service.js';
import type { VulnerabilityService } from '../vulns/types.js';
import { parseCommandLine, type CliOptions } from './options.js';
import { runFix, type FixRun } from './fix.js';
import { createSpinner, phaseText } from './spinner.js';
import { colorEnabled, hyperlinksEnabled, stylesFor } from './terminal.js';

/** A stream the CLI writes to; `callback` is called once the chunk is handed on (or failed). */
export interface CliOutput {
  isTTY?: boolean;
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * Called when an audit has run to its report and its options allow writing to the user
   * cache (no `--no-cache`): the launcher may then keep the CLI's compiled code there.
   */
  readonly cacheAllowed?: () => void;
}

export const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * The target environment of `--python-version`, `--platform` and `--marker-env`, or
 * undefined when none is given (lock files then count every marker as true).
 */
async function targetEnvironment(o: CliOptions, io: CliIo): Promise<MarkerEnvironment | undefined> {
  let env: Record<string, unknown> = {};
  if (o.markerEnv !== undefined) {
    const file = path.resolve(io.cwd, o.markerEnv);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new PyauditError('input', 'cannot read the marker environment file', {
        file: o.markerEnv,
      });
    }
    try {
      env = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new PyauditError(
        'input',
        `not a JSON object of marker variables (${(e as Error).message})`,
        { file: o.markerEnv },
      );
    }
    if (typeof env !== 'object' || env === null || Array.isArray(env)) {
      throw new PyauditError('input', 'not a JSON object of marker variables', {
        file: o.markerEnv,
      });
    }
  }
  if (o.pythonVersion !== undefined) {
    // `3.12` means 3.12.0 for `python_full_version`; `3.12.4` gives both variables.
    // A --marker-env that gives the full version of that Python keeps it.
    const parts = o.pythonVersion.split('.');
    const short = parts.slice(0, 2).join('.');
    const given = env.python_full_version;
    const full =
      parts.length > 2
        ? o.pythonVersion
        : typeof given === 'string' && given.startsWith(`${short}.`)
          ? given
          : `${short}.0`;
    env = { ...env, python_version: short, python_full_version: full };
  }
  if (o.platform !== undefined) {
    env = { ...env, ...PLATFORM_MARKERS[o.platform] };
  }
  return Object.keys(env).length > 0 ? (env as MarkerEnvironment) : undefined;
}

/** The OSV service's caches in the cache folder (none with --no-cache or a dry run). */
interface OsvCaches {
  readonly records?: RecordCache;
  readonly queries?: QueryCache;
  readonly summaries?: SummaryCache;
}

/** Builds one vulnerability source by its `-s` name. */
function createService(
  name: string,
  o: CliOptions,
  io: CliIo,
  http: HttpClient,
  warn: (text: string) => void,
  caches: OsvCaches,
): VulnerabilityService {
  switch (name) {
    case 'local': {
      const dir =
        o.dbDir !== undefined ? path.resolve(io.cwd, o.dbDir) : defaultDatabaseDir(io.env);
      const { header, store } = openDatabase(dir);
      const age = ageInDays(header);
      if (o.maxDbAge > 0 && age > o.maxDbAge) {
        warn(
          `the offline database is ${Math.floor(age)} days old (built ${header.built}); refresh it with \`pyaudit db update\` (--max-db-age ${o.maxDbAge})`,
        );
      }
      return createLocalService(store);
    }
    case 'pypi':
      return createPypiService({ http, ...(o.pypiUrl !== undefined && { url: o.pypiUrl }) });
    case 'esms':
      return createEsmsService({ http, ...(o.esmsUrl !== undefined && { url: o.esmsUrl }) });
    default:
      return createOsvService({
        http,
        ...(o.osvUrl !== undefined && { url: o.osvUrl }),
        ...(caches.records !== undefined && { cache: caches.records }),
        ...(caches.queries !== undefined && { queryCache: caches.queries }),
        ...(caches.summaries !== undefined && { summaries: caches.summaries }),
      });
  }
}

/** Writes to standard output and waits until the stream has taken it (or failed). */
function writeOut(stream: CliOutput, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      stream.write(text, (error) => {
        if (!error) return resolve();
        // Said once, by the caller: bin/pyaudit.js leaves errors marked so alone.
        Object.assign(error, { reportedByPyaudit: true });
        reject(error);
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/**
 * Writes the report to standard output or `output`, checked and flushed before the exit code
 * is decided. A regular file is replaced atomically (a temporary file beside it, synced, then
 * renamed); a device or pipe (`/dev/stdout`, `/dev/null`) is written in place.
 */
async function writeReport(io: CliIo, output: string | undefined, text: string): Promise<void> {
  if (output === undefined || output === '-' || output === 'stdout') {
    try {
      await writeOut(io.stdout, text);
    } catch (e) {
      // A reader that closed early (`| head`) wanted no more: not an error.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw reportError(e, 'standard output');
    }
    return;
  }
  let target = path.resolve(io.cwd, output);
  try {
    const info = await lstat(target).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (info?.isSymbolicLink()) target = await realpath(target);
    const real = info?.isSymbolicLink() ? await lstat(target) : info;
    if (real?.isDirectory())
      throw Object.assign(new Error('is a folder'), { code: 'EISDIR', path: target });
    if (real && !real.isFile()) {
      await writeFile(target, text);
      return;
    }
    const temp = tempFileBeside(target);
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new PyauditError(
        'input',
        `cannot write the report: the folder ${path.dirname(output) || '.'} does not exist (ENOENT)`,
        { file: output },
      );
    throw reportError(e, output);
  }
}

/**
 * Requirements with unpinned lines are resolved against the package index for the target
 * environment (unless `--no-deps`): the flags and environment that decide how.
 */
function resolutionOptions(
  o: CliOptions,
  io: CliIo,
  target: MarkerEnvironment | undefined,
  http: HttpClient,
): ResolvingSourceOptions {
  const cacheDir = o.noCache
    ? null
    : o.cacheDir !== undefined
      ? path.join(path.resolve(io.cwd, o.cacheDir), 'index')
      : defaultIndexCacheDir(io.env);
  return {
    http,
    env: io.env,
    cwd: io.cwd,
    ...(o.indexUrl !== undefined && { indexUrl: o.indexUrl }),
    extraIndexUrls: o.extraIndexUrls,
    findLinks: o.findLinks,
    pre: o.pre,
    cacheDir,
    // With --python-version the target is that version; otherwise the python3 on PATH says.
    target: async () => {
      const probe =
        o.pythonVersion !== undefined
          ? null
          : await probePathPython(
              { ...io.env, PATH: io.env.PATH ?? process.env.PATH },
              io.cwd,
              cacheDir,
            );
      const glibc = probe ? undefined : hostGlibc();
      return buildTarget({
        ...(o.pythonVersion !== undefined && { pythonVersion: o.pythonVersion }),
        ...(o.platform !== undefined && { platform: o.platform }),
        ...(o.markerEnv !== undefined && target !== undefined && { markerOverrides: target }),
        host: hostMarkerEnvironment(),
        ...(glibc !== undefined && { hostGlibc: glibc }),
        probe,
      });
    },
    strict: o.strict,
    // On a terminal the spinner's line is cleared first.
    onStart: (message) =>
      io.stderr.write(`${io.stderr.isTTY ? '\r\u001b[2K' : ''}pyaudit: ${message}\n`),
    onDone: (resolution, stats, ms) => {
      if (o.verbose > 0) {
        io.stderr.write(
          `pyaudit: debug: resolved ${plural(resolution.packages.length, 'package', 'packages')} in ${Math.round(ms)} ms (${resolution.rounds} pins, ${stats.requests} index requests, at most ${stats.peakInFlight} at once)\n`,
        );
      }
    },
  };
}

function withResolution(
  source: ReturnType<typeof requirementsSource>,
  o: CliOptions,
  io: CliIo,
  target: MarkerEnvironment | undefined,
  http: HttpClient,
): DependencySource {
  return o.noDeps ? source : resolvingSource(source, resolutionOptions(o, io, target, http));
}

/** The requirements a manifest declares (pyproject.toml, Pipfile, PEP 723 script), for resolution. */
async function declaredRequirements(
  type: string,
  files: readonly string[],
  cwd: string,
): Promise<DeclaredRequirement[]> {
  const all: DeclaredRequirement[] = [];
  for (const file of files) {
    const text = await readFile(path.resolve(cwd, file), 'utf8');
    if (type === 'pyproject') all.push(...parsePyproject(text, file).declared);
    else if (type === 'pipfile') all.push(...parsePipfile(text, file));
    else all.push(...parseScriptMetadata(text, file));
  }
  return all;
}

function reportError(error: unknown, where: string): unknown {
  const converted = fromSystemError(error, where, 'cannot write the report');
  return converted instanceof PyauditError
    ? converted
    : new PyauditError('input', `cannot write the report (${(error as Error).message})`, {
        file: where,
      });
}

/** How requirements files are read (also by `--fix`). */
function requirementsOptionsFor(
  o: CliOptions,
  io: CliIo,
  target: MarkerEnvironment | undefined,
): RequirementsCollectOptions {
  const stdinCache: { bytes?: Promise<Uint8Array> } = {};
  return {
    readFile: (file: string) => {
      if (file === '-') return (stdinCache.bytes ??= readAll(io.stdin));
      return readFile(path.resolve(io.cwd, file));
    },
    env: io.env,
    requireHashes: o.requireHashes,
    // A requirements file is for this machine unless a target says otherwise.
    markerEnvironment: { ...hostMarkerEnvironment(), ...target },
    skipEditable: o.skipEditable,
  };
}

/** The dependency source the flags ask for: requirements files, a project path, or an environment. */
function buildSources(
  o: CliOptions,
  io: CliIo,
  target: MarkerEnvironment | undefined,
  requirementsOptions: RequirementsCollectOptions,
  /** Filled with what was found: the project's files, the environment (for `--fix`). */
  seen: { project?: ProjectInput; environment?: PythonEnvironment },
  info: (line: string) => void,
  http: HttpClient,
): DependencySource[] {
  if (o.requirements.length > 0) {
    return [
      withResolution(requirementsSource(o.requirements, requirementsOptions), o, io, target, http),
    ];
  } else if (o.projectPath !== undefined) {
    const project = resolveProjectPath(o.projectPath, io.cwd, {
      locked: o.locked,
      ...(o.inputType !== undefined && { inputType: o.inputType as InputType }),
    });
    info(`pyaudit: auditing ${project.note}`);
    seen.project = project;
    if (project.type === 'requirements') {
      const source = requirementsSource(project.files, requirementsOptions);
      return [withResolution(source, o, io, target, http)];
    }
    const manifest = ['pyproject', 'pipfile', 'script'].includes(project.type);
    const source = projectSource(project, {
      resolve: (f) => path.resolve(io.cwd, f),
      requirements: requirementsOptions,
      selection: {
        groups: o.groups,
        onlyGroups: o.onlyGroups,
        noGroups: o.noGroups,
        noDev: o.noDev,
        extras: o.extras,
        allExtras: o.allExtras,
        noExtras: o.noExtras,
        skipEditable: o.skipEditable,
        ...(target !== undefined && { environment: target }),
      },
    });
    if (project.type === 'conda' && !o.noDeps) {
      // The pip section is collected under this name (see src/sources/project).
      const file = project.files[0] as string;
      return [
        resolvingCondaSource(
          source,
          async () => {
            const env = parseCondaEnvironment(
              await readFile(path.resolve(io.cwd, file), 'utf8'),
              file,
            );
            return env.pipRequirements
              ? { virtual: `${file} (pip section)`, text: env.pipRequirements }
              : null;
          },
          requirementsOptions,
          resolutionOptions(o, io, target, http),
        ),
      ];
    }
    if (manifest && !o.noDeps) {
      return [
        resolvingManifestSource(
          source,
          () => declaredRequirements(project.type, project.files, io.cwd),
          resolutionOptions(o, io, target, http),
        ),
      ];
    }
    return [source];
  } else {
    return [
      environmentSource({
        paths: o.paths,
        ...(o.python !== undefined && { python: o.python }),
        local: o.local,
        env: io.env,
        cwd: io.cwd,
        hostMarkers: hostMarkerEnvironment(),
        skipEditable: o.skipEditable,
        exclude: new Set(o.exclude.map(canonicalizeName)),
        onLocated: (environment) => {
          seen.environment = environment;
          info(`pyaudit: auditing ${environment.description}`);
        },
      }),
    ];
  }
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  // Loaded on demand: the database tools (zip and YAML readers) cost start-up time otherwise.
  if (argv[0] === 'db') return (await import('./db.js')).dbMain(argv.slice(1), io);
  if (argv[0] === 'config') return (await import('./config.js')).configMain(argv.slice(1), io);
  if (argv[0] === 'cache') return (await import('./cache.js')).cacheMain(argv.slice(1), io);
  // Writes that may finish after the report (the caches'), awaited before returning.
  const background: Array<Promise<unknown> | undefined> = [];
  try {
    return await auditMain(argv, io, background);
  } finally {
    await Promise.all(background);
  }
}

async function auditMain(
  argv: readonly string[],
  io: CliIo,
  background: Array<Promise<unknown> | undefined>,
): Promise<number> {
  const debug = (o: CliOptions | undefined, message: string): void => {
    if (o && o.verbose > 0) io.stderr.write(`pyaudit: debug: ${message}\n`);
  };
  let options: CliOptions | undefined;
  // Before the flags are read, colours follow the environment and the terminal.
  let err = stylesFor(colorEnabled('auto', io.stderr, io.env));
  try {
    const parsed = parseCommandLine(argv, io.env, VERSION, { cwd: io.cwd });
    if (parsed.kind === 'exit') {
      io.stdout.write(parsed.stdout);
      return parsed.code;
    }
    options = parsed.options;
    const o = options;
    err = stylesFor(colorEnabled(o.color, io.stderr, io.env));
    const info = (line: string): void => {
      if (!o.quiet) io.stderr.write(`${line}\n`);
    };
    const warn = (text: string): void => info(`pyaudit: ${err.yellow('warning:')} ${text}`);
    debug(o, `configuration file: ${parsed.layers.configFile ?? 'none'}`);

    const started = monotonicMs();
    const target = await targetEnvironment(o, io);
    // `--fix --dry-run` audits (and then changes nothing); a plain dry run asks no source.
    const collectOnly = o.dryRun && !o.fix;

    const requests = { count: 0, failed: 0, bytes: 0, ms: 0 };
    const http = createHttpClient({
      timeoutSeconds: o.timeout,
      env: io.env,
      userAgent: `pyaudit/${VERSION}`,
      onRequest: (e) => {
        requests.count++;
        requests.bytes += e.bytes;
        requests.ms += e.ms;
        if (typeof e.status !== 'number' || e.status >= 400) requests.failed++;
        if (o.verbose > 1)
          debug(
            o,
            `${e.method} ${e.url} → ${e.status} in ${Math.round(e.ms)} ms (${e.bytes} bytes${e.attempt > 1 ? `, attempt ${e.attempt}` : ''})`,
          );
      },
    });
    const cacheCounts = { hit: 0, miss: 0, discarded: 0 };
    let cache: RecordCache | undefined;
    let queries: QueryCache | undefined;
    let summaries: SummaryCache | undefined;
    if (!o.dryRun && !o.noCache && o.services.includes('osv')) {
      const dir =
        o.cacheDir !== undefined ? path.resolve(io.cwd, o.cacheDir) : defaultCacheDir(io.env);
      cache = recordCache(dir, (event) => {
        if (event.kind === 'unwritable') {
          warn(
            `cannot write the record cache in ${event.dir} (${event.code}); records are fetched again next time (--cache-dir DIR or --no-cache)`,
          );
          return;
        }
        cacheCounts[event.kind]++;
        if (o.verbose > 1) debug(o, `cache ${event.kind}: ${event.id}`);
      });
      if (o.queryCacheTtl > 0) queries = queryCache(dir, o.queryCacheTtl);
      summaries = summaryCache(dir, {
        onHit: (id) => {
          cacheCounts.hit++;
          if (o.verbose > 1) debug(o, `cache hit: ${id} (summary)`);
        },
      });
      debug(o, `record cache: ${dir}`);
    }
    const requirementsOptions = requirementsOptionsFor(o, io, target);
    const seen: { project?: ProjectInput; environment?: PythonEnvironment } = {};
    const sources = buildSources(o, io, target, requirementsOptions, seen, info, http);
    // A dry run asks no source (so it needs no database or network either).
    const services = collectOnly
      ? []
      : o.services.map((name) =>
          createService(name, o, io, http, warn, { records: cache, queries, summaries }),
        );
    const spinner = createSpinner(io.stderr, o.progressSpinner && !o.quiet);
    let report;
    try {
      report = await audit({
        sources,
        services,
        ignore: o.ignoreVulns,
        ignoreRules: o.ignoreRules,
        strict: o.strict,
        dryRun: collectOnly,
        allowPartial: o.allowPartial,
        onPhase: (phase) => spinner.update(phaseText(phase)),
      });
    } finally {
      spinner.stop();
      // A failed audit closes the connections here; otherwise after `--fix` below.
      if (report === undefined) await http.close();
    }
    const audited = monotonicMs();
    // The caches are written while the report is made and written (waiting cost ~8 ms of a
    // warm audit); their writes never fail the run.
    background.push(cache?.prune(), queries?.flush(), summaries?.flush());
    if (o.verbose > 0) {
      const files = new Map<string, number>();
      for (const r of report.results)
        files.set(r.dependency.origin.file, (files.get(r.dependency.origin.file) ?? 0) + 1);
      for (const [file, n] of files)
        debug(o, `read ${file}: ${plural(n, 'dependency', 'dependencies')}`);
      debug(
        o,
        `${plural(requests.count, 'request', 'requests')} (${requests.failed} failed, ${requests.bytes} bytes, ${Math.round(requests.ms)} ms in total)`,
      );
      if (cache)
        debug(
          o,
          `record cache: ${cacheCounts.hit} hits, ${cacheCounts.miss} misses${cacheCounts.discarded > 0 ? `, ${cacheCounts.discarded} corrupt entries discarded` : ''}`,
        );
    }
    for (const note of report.notes ?? []) info(`pyaudit: ${note}`);
    for (const warning of report.warnings) warn(warning);
    for (const failed of report.incomplete ?? []) {
      warn(
        `the audit is incomplete: the ${failed.service} source failed (${failed.reason}); findings are from the other sources only (--allow-partial)`,
      );
    }
    let fixRun: FixRun | undefined;
    try {
      if (o.fix) {
        fixRun = await runFix(
          {
            o,
            io,
            http,
            services,
            sources,
            target,
            input:
              o.requirements.length > 0
                ? { kind: 'requirements', options: requirementsOptions }
                : seen.project
                  ? { kind: 'project', project: seen.project, options: requirementsOptions }
                  : { kind: 'environment', environment: () => seen.environment },
          },
          report,
        );
        report = { ...report, fixes: fixRun.fixes };
      }
    } finally {
      await http.close();
    }
    const resolved = report.results.filter((r) => r.dependency.kind === 'resolved').length;
    debug(
      o,
      `${plural(report.results.length, 'dependency', 'dependencies')} (${resolved} audited, ${report.results.length - resolved} skipped) in ${Math.round(monotonicMs() - started)} ms`,
    );

    // --ignore-unfixed and --min-severity shape what is reported (not a dry run's list).
    const policy = applyReportPolicy(report, o.dryRun ? {} : o);
    report = policy.report;
    const format = REPORT_FORMATS.get(o.format)!;
    const toStdout = o.output === undefined || o.output === '-' || o.output === 'stdout';
    const rendered = await format.render(report, {
      desc: o.desc === 'on' || (o.desc === 'auto' && format.detailsByDefault),
      aliases: o.aliases === 'on' || (o.aliases === 'auto' && format.detailsByDefault),
      isTTY: toStdout && hyperlinksEnabled(io.stdout, io.env),
      showPaths: o.showPaths,
      ...(toStdout && colorEnabled(o.color, io.stdout, io.env) && { styles: stylesFor(true) }),
      severity: o.severity,
      cyclonedxSpec: o.cyclonedxSpec,
    });
    if (rendered !== '') await writeReport(io, o.output, `${rendered}\n`);
    debug(o, `report written in ${Math.round(monotonicMs() - audited)} ms`);
    // A whole audit ran, so its compiled code is worth keeping (never after an error, which
    // would keep little of it).
    if (!o.noCache && !collectOnly) io.cacheAllowed?.();
    const summary = summarize(report);
    if (collectOnly) {
      info(
        `Dry run: collected ${plural(report.results.length, 'dependency', 'dependencies')} (${resolved} auditable); nothing was audited`,
      );
      return 0;
    }
    const coverage = auditCoverage(report);
    if (coverage.leftOut > 0) {
      info(
        `pyaudit: ${coverage.leftOut} of ${plural(report.results.length, 'dependency', 'dependencies')} left out on purpose (not selected, not for the target environment, or excluded); -f json lists them`,
      );
    }
    if (coverage.notAudited > 0) {
      warn(
        `${coverage.notAudited} of ${plural(coverage.considered, 'dependency', 'dependencies')} ${coverage.notAudited === 1 ? 'was' : 'were'} not audited (see Skip Reason)${coverage.strictFailures > 0 ? '; --strict makes that an error' : ''}`,
      );
    }
    const nothing = nothingAudited(coverage);
    if (nothing !== null) {
      io.stderr.write(`pyaudit: ${err.red('error:')} ${nothing}\n`);
      return 2;
    }
    const decision = decideFailure(report, o);
    const { warnings: policyWarnings, notes } = policyNotes(policy, decision, o);
    for (const warning of policyWarnings) warn(warning);
    for (const note of notes) info(`pyaudit: ${note}`);
    const incomplete = (report.incomplete ?? []).map((f) => f.service);
    const line = summaryLine(summary);
    info(
      `${summary.vulnerabilities > 0 ? err.red(line) : err.green(line)}${incomplete.length > 0 ? ` (incomplete: ${incomplete.join(', ')} failed)` : ''}`,
    );
    if (fixRun && fixRun.fixes.length > 0) {
      // After real fixes, the exit code is the policy's decision on what remains (a dry run
      // fixes nothing, so its code is the decision above).
      info(
        `${o.dryRun ? 'After the fixes (not applied: --dry-run)' : 'After the fixes'}: ${summaryLine(summarize(fixRun.after))}`,
      );
      if (!o.dryRun)
        return decideFailure(applyReportPolicy(fixRun.after, o).report, o).failing > 0 ? 1 : 0;
    }
    return decision.failing > 0 ? 1 : 0;
  } catch (error) {
    // One line, whatever the message holds.
    const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
    const converted = fromSystemError(error);
    if (converted instanceof PyauditError) {
      io.stderr.write(`pyaudit: ${err.red('error:')} ${oneLine(converted.message)}\n`);
      if (!(error instanceof PyauditError)) debug(options, (error as Error).stack ?? '');
      return 2;
    }
    io.stderr.write(
      `pyaudit: ${err.red('internal error:')} ${oneLine((error as Error).message)}\n`,
    );
    debug(options, (error as Error).stack ?? '');
    return 2;
  }
}
