/**
 * The `pyaudit` command: wires flags to the library (sources → services → audit → report)
 * and owns everything a terminal sees: the report on stdout (or `-o FILE`), warnings and the
 * summary on stderr, the spinner, and the exit code (0 clean, 1 findings, 2 error).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { audit, exitCodeFor, summarize, summaryLine } from '../audit/audit.js';
import { isDeliberateSkip, type DependencySource } from '../core/dependency.js';
import { PyauditError } from '../core/errors.js';
import { hostMarkerEnvironment } from '../core/host-environment.js';
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
import { resolveProjectPath, type InputType } from '../sources/project/detect.js';
import { parseCondaEnvironment } from '../sources/manifest/conda.js';
import type { DeclaredRequirement } from '../sources/manifest/declared.js';
import { parsePipfile } from '../sources/manifest/pipfile.js';
import { parsePyproject } from '../sources/manifest/pyproject.js';
import { parseScriptMetadata } from '../sources/manifest/script.js';
import { projectSource } from '../sources/project/index.js';
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
import { createSpinner } from './spinner.js';

export interface CliIo {
  readonly stdout: { isTTY?: boolean; write(chunk: string): unknown };
  readonly stderr: { isTTY?: boolean; write(chunk: string): unknown };
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

const defaultIo = (): CliIo => ({
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
  if (o.pythonVersion !== undefined) env = { ...env, python_version: o.pythonVersion };
  if (o.platform !== undefined) {
    env = { ...env, ...PLATFORM_MARKERS[o.platform] };
  }
  return Object.keys(env).length > 0 ? (env as MarkerEnvironment) : undefined;
}

/** Builds one vulnerability source by its `-s` name. */
function createService(
  name: string,
  o: CliOptions,
  io: CliIo,
  http: HttpClient,
): VulnerabilityService {
  switch (name) {
    case 'local': {
      const dir =
        o.dbDir !== undefined ? path.resolve(io.cwd, o.dbDir) : defaultDatabaseDir(io.env);
      const { header, store } = openDatabase(dir);
      const age = ageInDays(header);
      if (o.maxDbAge > 0 && age > o.maxDbAge) {
        io.stderr.write(
          `pyaudit: warning: the offline database is ${Math.floor(age)} days old (built ${header.built}); refresh it with \`pyaudit db update\` (--max-db-age ${o.maxDbAge})\n`,
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
        ...(o.cacheDir !== undefined && { cacheDir: path.resolve(io.cwd, o.cacheDir) }),
      });
  }
}

/** Why a mode pip-audit has cannot run yet: said plainly, exit 2, never a silent empty audit. */
function unsupportedMode(o: CliOptions): string | null {
  if (o.fix)
    return '--fix is not supported yet: pyaudit reports fix versions but does not rewrite files';
  return null;
}

async function writeReport(io: CliIo, output: string | undefined, text: string): Promise<void> {
  if (output === undefined || output === '-' || output === 'stdout') {
    io.stdout.write(text);
    return;
  }
  const target = path.resolve(io.cwd, output);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, target);
  } catch (e) {
    throw new PyauditError(
      'input',
      `cannot write the report: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        file: output,
      },
    );
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
  const home = io.env.HOME ?? io.env.USERPROFILE ?? os.homedir();
  const cacheDir = o.noCache
    ? null
    : o.cacheDir !== undefined
      ? path.join(path.resolve(io.cwd, o.cacheDir), 'index')
      : defaultIndexCacheDir(io.env, home);
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

/** The dependency source the flags ask for: requirements files, a project path, or an environment. */
function buildSources(
  o: CliOptions,
  io: CliIo,
  target: MarkerEnvironment | undefined,
  http: HttpClient,
): DependencySource[] {
  const stdinCache: { bytes?: Promise<Uint8Array> } = {};
  const requirementsOptions = {
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
  if (o.requirements.length > 0) {
    return [
      withResolution(requirementsSource(o.requirements, requirementsOptions), o, io, target, http),
    ];
  } else if (o.projectPath !== undefined) {
    const project = resolveProjectPath(o.projectPath, io.cwd, {
      locked: o.locked,
      ...(o.inputType !== undefined && { inputType: o.inputType as InputType }),
    });
    io.stderr.write(`pyaudit: auditing ${project.note}\n`);
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
        onLocated: (environment) =>
          io.stderr.write(`pyaudit: auditing ${environment.description}\n`),
      }),
    ];
  }
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  // Loaded on demand: the database tools (zip and YAML readers) cost start-up time otherwise.
  if (argv[0] === 'db') return (await import('./db.js')).dbMain(argv.slice(1), io);
  const debug = (o: CliOptions | undefined, message: string): void => {
    if (o && o.verbose > 0) io.stderr.write(`pyaudit: debug: ${message}\n`);
  };
  let options: CliOptions | undefined;
  try {
    const parsed = parseCommandLine(argv, io.env, VERSION);
    if (parsed.kind === 'exit') {
      io.stdout.write(parsed.stdout);
      return parsed.code;
    }
    options = parsed.options;
    const o = options;
    const unsupported = unsupportedMode(o);
    if (unsupported) throw new PyauditError('usage', unsupported);

    const started = performance.now();
    const target = await targetEnvironment(o, io);
    const http = createHttpClient({
      timeoutSeconds: o.timeout,
      env: io.env,
      userAgent: `pyaudit/${VERSION}`,
    });
    const sources = buildSources(o, io, target, http);
    // A dry run asks no source (so it needs no database or network either).
    const services = o.dryRun ? [] : o.services.map((name) => createService(name, o, io, http));
    const spinner = createSpinner(io.stderr, o.progressSpinner);
    spinner.update('Collecting dependencies');
    let report;
    try {
      report = await audit({
        sources,
        services,
        ignore: o.ignoreVulns,
        strict: o.strict,
        dryRun: o.dryRun,
        allowPartial: o.allowPartial,
        progress: (done, total) =>
          spinner.update(`Fetching vulnerability records ${done}/${total}`),
      });
    } finally {
      spinner.stop();
      await http.close();
    }
    for (const warning of report.warnings) io.stderr.write(`pyaudit: warning: ${warning}\n`);
    for (const failed of report.incomplete ?? []) {
      io.stderr.write(
        `pyaudit: warning: the audit is incomplete: the ${failed.service} source failed (${failed.reason}); findings are from the other sources only (--allow-partial)\n`,
      );
    }
    const resolved = report.results.filter((r) => r.dependency.kind === 'resolved').length;
    debug(
      o,
      `${plural(report.results.length, 'dependency', 'dependencies')} (${resolved} audited, ${report.results.length - resolved} skipped) in ${Math.round(performance.now() - started)} ms`,
    );

    const format = REPORT_FORMATS.get(o.format)!;
    const rendered = format.render(report, {
      desc: o.desc === 'on' || (o.desc === 'auto' && format.detailsByDefault),
      aliases: o.aliases === 'on' || (o.aliases === 'auto' && format.detailsByDefault),
      isTTY: o.output === undefined && io.stdout.isTTY === true,
      showPaths: o.showPaths || o.verbose > 0,
    });
    if (rendered !== '') await writeReport(io, o.output, `${rendered}\n`);
    const summary = summarize(report);
    if (o.dryRun) {
      io.stderr.write(
        `Dry run: collected ${plural(report.results.length, 'dependency', 'dependencies')} (${resolved} auditable); nothing was audited\n`,
      );
      return 0;
    }
    const notAudited = report.results.filter(
      (r) => r.dependency.kind === 'skipped' && !isDeliberateSkip(r.dependency.skipKind),
    ).length;
    if (notAudited > 0) {
      io.stderr.write(
        `pyaudit: warning: ${notAudited} ${notAudited === 1 ? 'dependency was' : 'dependencies were'} not audited (see Skip Reason); --strict makes that an error\n`,
      );
    }
    const incomplete = (report.incomplete ?? []).map((f) => f.service);
    io.stderr.write(
      `${summaryLine(summary)}${incomplete.length > 0 ? ` (incomplete: ${incomplete.join(', ')} failed)` : ''}\n`,
    );
    return exitCodeFor(summary);
  } catch (error) {
    // One line, whatever the message holds.
    const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');
    if (error instanceof PyauditError) {
      io.stderr.write(`pyaudit: error: ${oneLine(error.message)}\n`);
      return 2;
    }
    io.stderr.write(`pyaudit: internal error: ${oneLine((error as Error).message)}\n`);
    debug(options, (error as Error).stack ?? '');
    return 2;
  }
}
