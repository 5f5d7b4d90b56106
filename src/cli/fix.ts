/**
 * `--fix`: wiring only. Finds what is vulnerable in the report, asks the package index and
 * the vulnerability sources for fix versions (src/fix/plan.ts), hands them to the fixer for
 * the input's kind, then prints the plan, writes the files all or nothing (or, with
 * `--dry-run`, prints their diffs), runs or prints the commands, and audits again.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { audit, type AuditReport, type FixResult } from '../audit/audit.js';
import { ignoreVulnRules } from '../audit/ignore.js';
import type { DependencySource, ResolvedDependency } from '../core/dependency.js';
import { PyauditError } from '../core/errors.js';
import { unifiedDiff } from '../fix/diff.js';
import { fixEnvironment, installFixes } from '../fix/environment.js';
import { fixLock, manifestOf, type LockKind } from '../fix/lock.js';
import { fixManifest } from '../fix/manifest-fix.js';
import { declaredRequiresPython, lowestPython } from '../fix/python.js';
import { planFixes } from '../fix/plan.js';
import { fixRequirements } from '../fix/requirements-fix.js';
import { applyChanges, TransactionError } from '../fix/transaction.js';
import { skipped, type FixOutcome, type Planner } from '../fix/types.js';
import type { HttpClient } from '../http/client.js';
import { createPackageIndex } from '../index/client.js';
import { indexSettings } from '../index/config.js';
import type { PythonEnvironment } from '../sources/environment/index.js';
import type { ProjectInput } from '../sources/project/detect.js';
import {
  collectRequirements,
  type RequirementsCollectOptions,
} from '../sources/requirements/collect.js';
import type { RequirementsGlobalOptions } from '../sources/requirements/parse.js';
import type { MarkerEnvironment } from '../standards/markers.js';
import type { VulnerabilityService } from '../vulns/types.js';
import type { CliIo } from './main.js';
import type { CliOptions } from './options.js';

/** What `--fix` works on: the input the audit read. */
export type FixInput =
  | { readonly kind: 'requirements'; readonly options: RequirementsCollectOptions }
  | {
      readonly kind: 'project';
      readonly project: ProjectInput;
      readonly options: RequirementsCollectOptions;
    }
  | { readonly kind: 'environment'; readonly environment: () => PythonEnvironment | undefined };

export interface FixRun {
  readonly fixes: readonly FixResult[];
  /** The audit after the fixes (of the fixed set on a dry run). */
  readonly after: AuditReport;
}

export interface FixContext {
  readonly o: CliOptions;
  readonly io: CliIo;
  readonly http: HttpClient;
  readonly services: readonly VulnerabilityService[];
  readonly sources: readonly DependencySource[];
  readonly input: FixInput;
  readonly target: MarkerEnvironment | undefined;
}

const say = (io: CliIo, line: string): void => {
  io.stderr.write(`${line}\n`);
};

function vulnerableOf(report: AuditReport): ResolvedDependency[] {
  return report.results.flatMap((r) =>
    r.dependency.kind === 'resolved' && r.findings.length > 0 ? [r.dependency] : [],
  );
}

function pinnedOf(report: AuditReport): ResolvedDependency[] {
  return report.results.flatMap((r) => (r.dependency.kind === 'resolved' ? [r.dependency] : []));
}

/** A planner for the given files' index options and the project's lowest Python. */
type PlannerFor = (
  fileOptions?: readonly RequirementsGlobalOptions[],
  projectPython?: string,
) => Planner;

/** The fixes' outcome for the input's kind. */
async function outcomeFor(
  ctx: FixContext,
  vulnerable: readonly ResolvedDependency[],
  plannerFor: PlannerFor,
): Promise<FixOutcome> {
  const { o, io, input } = ctx;
  switch (input.kind) {
    case 'requirements': {
      const collected = await collectRequirements(o.requirements, input.options);
      return fixRequirements({
        vulnerable,
        located: collected.requirements,
        roots: o.requirements,
        resolve: (f) => path.resolve(io.cwd, f),
        readFile: (f) => input.options.readFile(f),
        // The files' own index options count, as pip reads them.
        plan: plannerFor(collected.options),
      });
    }
    case 'project': {
      if (input.project.type === 'requirements') {
        const collected = await collectRequirements(input.project.files, input.options);
        return fixRequirements({
          vulnerable,
          located: collected.requirements,
          roots: input.project.files,
          resolve: (f) => path.resolve(io.cwd, f),
          readFile: (f) => input.options.readFile(f),
          plan: plannerFor(collected.options),
        });
      }
      return fixProject(ctx, input.project, vulnerable, plannerFor);
    }
    case 'environment': {
      const python = o.paths.length === 0 ? input.environment()?.python : undefined;
      return fixEnvironment({
        vulnerable,
        python: python
          ? { path: python }
          : {
              unavailable:
                o.paths.length > 0
                  ? '--path folders are never changed; install the fix with the tool that manages them'
                  : 'no interpreter of this environment can run here, so pip cannot install into it',
            },
        plan: plannerFor(),
      });
    }
  }
}

const LOCKS: readonly string[] = ['uv-lock', 'poetry-lock', 'pdm-lock', 'pipfile-lock', 'pylock'];

/** Manifests are rewritten in place; lock files get commands; other kinds are not fixed. */
async function fixProject(
  ctx: FixContext,
  project: ProjectInput,
  vulnerable: readonly ResolvedDependency[],
  plannerFor: PlannerFor,
): Promise<FixOutcome> {
  const file = project.files[0] as string;
  const absolute = path.resolve(ctx.io.cwd, file);
  /** The lowest Python the project declares, which a fix must still support. */
  const lowest = (...texts: Array<string | null>): string | undefined => {
    for (const text of texts) {
      const spec = text === null ? null : declaredRequiresPython(text);
      const python = spec === null ? null : lowestPython(spec);
      if (python !== null) return python;
    }
    return undefined;
  };
  if (project.type === 'pyproject' || project.type === 'pipfile') {
    const bytes = await readFile(absolute);
    return fixManifest({
      vulnerable,
      file: absolute,
      display: file,
      kind: project.type,
      bytes,
      plan: plannerFor([], lowest(bytes.toString('utf8'))),
    });
  }
  if (LOCKS.includes(project.type)) {
    const kind = project.type as LockKind;
    const manifest = manifestOf(kind);
    let text: string | null = null;
    const manifestPath = manifest ? path.join(path.dirname(absolute), manifest.name) : null;
    if (manifestPath) text = await readFile(manifestPath, 'utf8').catch(() => null);
    const lockText = await readFile(absolute, 'utf8').catch(() => null);
    const planner = plannerFor([], lowest(text, lockText));
    return fixLock({
      vulnerable,
      kind,
      display: file,
      manifest:
        manifestPath && text !== null
          ? { display: path.relative(ctx.io.cwd, manifestPath) || manifestPath, text }
          : null,
      plan: planner,
    });
  }
  const planned = await plannerFor()(vulnerable, new Map());
  return {
    fixes: planned.map((p) =>
      p.kind === 'skip'
        ? skipped(p.dependency, p.reason)
        : skipped(p.dependency, `${file} is not a file --fix changes (upgrade to ${p.version})`),
    ),
    changes: [],
    commands: [],
    notes: [],
  };
}

/** Audits the fixed set without writing anything (a dry run): the planned versions, asked. */
async function auditPlanned(
  ctx: FixContext,
  report: AuditReport,
  fixes: readonly FixResult[],
): Promise<AuditReport> {
  const upgraded = new Map(
    fixes.flatMap((f) => ('newVersion' in f ? [[f.name, f.newVersion] as const] : [])),
  );
  const dependencies = report.results.map((r) => {
    const d = r.dependency;
    const v = d.kind === 'resolved' ? upgraded.get(d.name) : undefined;
    return v !== undefined && d.kind === 'resolved' ? { ...d, version: v } : d;
  });
  return audit({
    sources: [
      { description: 'the fixed set', collect: async () => ({ dependencies, warnings: [] }) },
    ],
    services: ctx.services,
    ignore: ctx.o.ignoreVulns,
    ignoreRules: ctx.o.ignoreRules,
  });
}

/** Runs `--fix` after the audit; returns the fixes for the report and the audit after them. */
export async function runFix(ctx: FixContext, report: AuditReport): Promise<FixRun> {
  const { o, io } = ctx;
  const vulnerable = vulnerableOf(report);
  if (vulnerable.length === 0) return { fixes: [], after: report };
  const markers: MarkerEnvironment = {
    ...(ctx.input.kind === 'environment' ? ctx.input.environment()?.markers : {}),
    ...ctx.target,
  };
  const plannerFor =
    (fileOptions: readonly RequirementsGlobalOptions[] = [], projectPython?: string): Planner =>
    (deps, constraints) => {
      // The target Python: --python-version, else the environment's, else the lowest the project declares.
      const pythonVersion = o.pythonVersion ?? markers.python_version ?? projectPython;
      const settings = indexSettings({
        env: io.env,
        cwd: io.cwd,
        ...(o.indexUrl !== undefined && { indexUrl: o.indexUrl }),
        extraIndexUrls: o.extraIndexUrls,
        fileOptions,
      });
      const index = createPackageIndex({
        http: ctx.http,
        indexUrls: settings.indexUrls,
        findLinks: settings.findLinks,
        env: io.env,
      });
      return planFixes(deps, {
        index,
        services: ctx.services,
        ignore: [...ignoreVulnRules(o.ignoreVulns), ...o.ignoreRules],
        pinned: pinnedOf(report),
        constraints,
        ...(pythonVersion !== undefined && { pythonVersion }),
        markerEnvironment: markers,
        warn: (m) => say(io, `pyaudit: warning: ${m}`),
      });
    };
  const outcome = await outcomeFor(ctx, vulnerable, plannerFor);

  // The plan first, then the changes.
  for (const fix of outcome.fixes) {
    say(
      io,
      'newVersion' in fix
        ? `${o.dryRun ? 'Would upgrade' : 'Upgrading'} ${fix.name} ${fix.version} => ${fix.newVersion}`
        : `Cannot fix ${fix.name} ${fix.version}: ${fix.skipReason}`,
    );
  }
  for (const note of outcome.notes) say(io, note);
  if (o.dryRun) {
    for (const change of outcome.changes) {
      const name = path.relative(io.cwd, change.file) || change.file;
      io.stderr.write(
        unifiedDiff(
          Buffer.from(change.before).toString('utf8'),
          Buffer.from(change.after).toString('utf8'),
          `a/${name}`,
          `b/${name}`,
        ),
      );
    }
    if (ctx.input.kind === 'environment')
      for (const command of outcome.commands) say(io, `Would run: ${command}`);
    return { fixes: outcome.fixes, after: await auditPlanned(ctx, report, outcome.fixes) };
  }
  try {
    await applyChanges(outcome.changes);
  } catch (e) {
    if (!(e instanceof TransactionError)) throw e;
    const restored =
      e.unrestored.length === 0
        ? 'every file is as it was'
        : `could not restore ${e.unrestored.join(', ')}`;
    throw new PyauditError('input', `--fix failed: ${e.message}; ${restored}`);
  }
  let fixes: readonly FixResult[] = outcome.fixes;
  const python = ctx.input.kind === 'environment' ? ctx.input.environment()?.python : undefined;
  if (python && outcome.commands.length > 0) {
    for (const command of outcome.commands) say(io, `Running: ${command}`);
    fixes = await installFixes(python, outcome.fixes, { cwd: io.cwd, env: io.env });
  }
  for (const change of outcome.changes)
    say(io, `Changed ${path.relative(io.cwd, change.file) || change.file}`);
  // Audit again what is now on disk.
  const after = await audit({
    sources: ctx.sources,
    services: ctx.services,
    ignore: o.ignoreVulns,
    ignoreRules: o.ignoreRules,
  });
  return { fixes, after };
}
