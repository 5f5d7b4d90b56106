/**
 * `pyproject.toml`: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735
 * `[dependency-groups]` (with `{include-group = "…"}`), Poetry (`tool.poetry.dependencies`,
 * `tool.poetry.group.<name>.dependencies`, the legacy `dev-dependencies`), PDM
 * (`tool.pdm.dev-dependencies`) and uv (`tool.uv.dev-dependencies`). Dependencies the build
 * backend computes (`dynamic = ["dependencies"]`) cannot be read: that is an error, never
 * an empty audit.
 */
import { inputError } from '../../core/errors.js';
import { InvalidRequirementError, parseRequirement } from '../../standards/pep508.js';
import { isTable, optionalTable, parseTomlFile, strings, type Table } from '../lock/toml.js';
import type { DeclaredRequirement } from './declared.js';
import { poetryToPep440 } from './poetry-constraint.js';

export interface Pyproject {
  readonly declared: DeclaredRequirement[];
  /** Groups installed by default (uv: `dev` or `tool.uv.default-groups`; Poetry: non-optional groups; PDM: dev groups). */
  readonly defaultGroups: string[];
  readonly devGroups: string[];
  /** Every group and extra the file declares, for checking what the user asks for. */
  readonly groups: string[];
  readonly extras: string[];
}

/** The 1-based line on which `text` first appears inside `source`, when it does. */
function lineOf(source: string, needle: string): number | undefined {
  const at = source.indexOf(needle);
  return at < 0 ? undefined : source.slice(0, at).split('\n').length;
}

function parse(
  text: string,
  file: string,
  line: number | undefined,
): ReturnType<typeof parseRequirement> {
  try {
    return parseRequirement(text);
  } catch (e) {
    if (e instanceof InvalidRequirementError)
      throw inputError(`invalid requirement '${text}': ${e.reason}`, file, line);
    throw e;
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The line of a string written as an array element (`"entry",` or `'entry'`), if found. */
function lineOfEntry(source: string, entry: string): number | undefined {
  const quoted = `(?:${escapeRegExp(JSON.stringify(entry))}|'${escapeRegExp(entry)}')`;
  const m = new RegExp(`(?:^|[\\[,])[ \\t]*${quoted}[ \\t]*(?:,|\\]|#|$)`, 'm').exec(source);
  return m
    ? source.slice(0, m.index + (m[0].length - m[0].trimStart().length)).split('\n').length
    : lineOf(source, entry);
}

/** PEP 735 groups, with `include-group` expanded (cycles are an error, as the PEP asks). */
function dependencyGroups(table: Table, file: string, source: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const expand = (group: string, stack: string[]): string[] => {
    if (stack.includes(group))
      throw inputError(`dependency group cycle: ${[...stack, group].join(' → ')}`, file);
    const entries = table[group];
    if (entries === undefined)
      throw inputError(
        `dependency group '${stack[stack.length - 1]}' includes '${group}', which is not defined`,
        file,
        lineOf(source, group),
      );
    if (!Array.isArray(entries))
      throw inputError(
        `dependency group '${group}' must be an array of requirements, not ${typeof entries === 'string' ? 'a string' : isTable(entries) ? 'a table' : typeof entries}`,
        file,
        lineOf(source, `${group} =`) ?? lineOf(source, group),
      );
    return entries.flatMap((e) => {
      if (typeof e === 'string') return [e];
      if (isTable(e) && typeof e['include-group'] === 'string')
        return expand(e['include-group'], [...stack, group]);
      throw inputError(
        `dependency group '${group}' has an entry that is neither a requirement nor {include-group = …}`,
        file,
        lineOf(source, `${group} =`) ?? lineOf(source, group),
      );
    });
  };
  for (const group of Object.keys(table)) out.set(group, expand(group, []));
  return out;
}

function poetryEntry(
  name: string,
  spec: unknown,
  group: string | null,
  file: string,
  source: string,
): DeclaredRequirement | null {
  if (name.toLowerCase() === 'python') return null;
  const kind = group === null ? 'main' : 'group';
  const line = lineOf(source, `${name} =`) ?? lineOf(source, `${name}=`);
  if (typeof spec !== 'string' && !isTable(spec) && !Array.isArray(spec))
    throw inputError(`${name}: must be a version constraint or a table`, file, line);
  // Several constraints by marker (`[{version = "…", markers = "…"}, …]`): the first counts here.
  const first: unknown = Array.isArray(spec) ? spec[0] : spec;
  if (typeof first !== 'string' && !isTable(first))
    throw inputError(`${name}: must be a version constraint or a table`, file, line);
  const table = isTable(first) ? first : { version: first };
  const place = { file, line, what: name };
  const extras = strings(table.extras, { ...place, what: `${name}.extras` });
  if (table.markers !== undefined && typeof table.markers !== 'string')
    throw inputError(`${name}.markers must be a string`, file, line);
  const marker = typeof table.markers === 'string' ? `; ${table.markers}` : '';
  const directKey = ['git', 'path', 'url', 'file'].find((k) => typeof table[k] === 'string');
  const constraint = typeof table.version === 'string' ? table.version : directKey ? '' : '*';
  const pep440 = poetryToPep440(constraint);
  const text = `${name}${extras.length > 0 ? `[${extras.join(',')}]` : ''}${pep440 ?? ''}${marker}`;
  const requirement = parse(pep440 === null ? `${name}${marker}` : text, file, line);
  return {
    requirement,
    text: pep440 === null ? `${name} ${constraint}` : `${name}${pep440 ? pep440 : ''}`,
    group,
    kind,
    ...(line !== undefined && { line }),
    ...(directKey && { directSource: `${directKey} ${String(table[directKey])}` }),
    ...(table.develop === true && { editable: true }),
  };
}

export function parsePyproject(text: string, file: string): Pyproject {
  const doc = parseTomlFile(text, file, 'pyproject.toml');
  const declared: DeclaredRequirement[] = [];
  /** A list of requirement strings at `key`; anything else is an error with its line. */
  const list = (value: unknown, key: string): string[] =>
    strings(value, { file, what: key, line: lineOf(text, `${key.split('.').pop() as string} =`) });
  const add = (
    entries: readonly string[],
    group: string | null,
    kind: DeclaredRequirement['kind'],
  ): void => {
    for (const entry of entries) {
      const line = lineOfEntry(text, entry);
      declared.push({
        requirement: parse(entry, file, line),
        text: entry,
        group,
        kind,
        ...(line !== undefined && { line }),
      });
    }
  };
  const defaultGroups = new Set<string>();
  const devGroups = new Set<string>();

  const project = isTable(doc.project) ? doc.project : undefined;
  if (project) {
    if (list(project.dynamic, 'project.dynamic').includes('dependencies')) {
      throw inputError(
        "the project's dependencies are dynamic (computed by its build backend), so they cannot be read here; audit its lock file or its installed environment instead",
        file,
        lineOf(text, 'dynamic'),
      );
    }
    add(list(project.dependencies, 'project.dependencies'), null, 'main');
    const optional = optionalTable(project['optional-dependencies'], {
      file,
      what: 'project.optional-dependencies',
      line: lineOf(text, 'optional-dependencies'),
    });
    for (const [extra, entries] of Object.entries(optional ?? {}))
      add(list(entries, `project.optional-dependencies.${extra}`), extra, 'extra');
  }
  const groupsTable = optionalTable(doc['dependency-groups'], {
    file,
    what: 'dependency-groups',
    line: lineOf(text, 'dependency-groups'),
  });
  if (groupsTable) {
    for (const [group, entries] of dependencyGroups(groupsTable, file, text))
      add(entries, group, 'group');
  }

  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : undefined;
  if (poetry) {
    const pushAll = (deps: unknown, group: string | null): void => {
      if (!isTable(deps)) return;
      for (const [name, spec] of Object.entries(deps)) {
        const d = poetryEntry(name, spec, group, file, text);
        if (d) declared.push(d);
      }
    };
    pushAll(poetry.dependencies, null);
    if (poetry['dev-dependencies'] !== undefined) {
      pushAll(poetry['dev-dependencies'], 'dev');
      defaultGroups.add('dev');
      devGroups.add('dev');
    }
    if (isTable(poetry.group)) {
      for (const [group, def] of Object.entries(poetry.group)) {
        if (!isTable(def)) continue;
        pushAll(def.dependencies, group);
        if (def.optional !== true) defaultGroups.add(group);
        if (group === 'dev') devGroups.add(group);
      }
    }
    // Poetry's optional main dependencies are installed through extras.
    if (isTable(poetry.extras)) {
      for (const [extra, names] of Object.entries(poetry.extras)) {
        for (const name of list(names, `tool.poetry.extras.${extra}`)) {
          const found = declared.find((d) => d.kind === 'main' && d.requirement.name === name);
          if (found) declared.push({ ...found, group: extra, kind: 'extra' });
        }
      }
    }
  }
  const pdm = isTable(tool.pdm) ? tool.pdm : undefined;
  if (pdm && isTable(pdm['dev-dependencies'])) {
    for (const [group, entries] of Object.entries(pdm['dev-dependencies'])) {
      add(list(entries, `tool.pdm.dev-dependencies.${group}`), group, 'group');
      defaultGroups.add(group);
      devGroups.add(group);
    }
  }
  const uv = isTable(tool.uv) ? tool.uv : undefined;
  if (uv && uv['dev-dependencies'] !== undefined)
    add(list(uv['dev-dependencies'], 'tool.uv.dev-dependencies'), 'dev', 'group');
  if (isTable(doc['dependency-groups']) || uv) {
    const chosen =
      uv && uv['default-groups'] !== undefined
        ? list(uv['default-groups'], 'tool.uv.default-groups')
        : ['dev'];
    for (const g of chosen) defaultGroups.add(g);
    devGroups.add('dev');
  }

  if (!project && !poetry && !isTable(doc['dependency-groups']) && !pdm && !uv) {
    throw inputError(
      'no dependencies declared here ([project], [dependency-groups], [tool.poetry], [tool.pdm] or [tool.uv])',
      file,
    );
  }
  const names = (kind: DeclaredRequirement['kind']): string[] =>
    declared.filter((d) => d.kind === kind).map((d) => d.group as string);
  const groups = new Set([
    ...names('group'),
    ...defaultGroups,
    ...Object.keys(groupsTable ?? {}),
    ...Object.keys(poetry && isTable(poetry.group) ? poetry.group : {}),
  ]);
  // Poetry's optional main dependencies count only through their extras.
  return {
    declared: declared.filter(
      (d) => !(d.kind === 'main' && isOptionalPoetry(poetry, d.requirement.name)),
    ),
    defaultGroups: [...defaultGroups],
    devGroups: [...devGroups],
    groups: [...groups].sort(),
    extras: [...new Set(names('extra'))].sort(),
  };
}

function isOptionalPoetry(poetry: Table | undefined, name: string): boolean {
  const deps = poetry && isTable(poetry.dependencies) ? poetry.dependencies : undefined;
  const spec = deps?.[name];
  return isTable(spec) && spec.optional === true;
}
