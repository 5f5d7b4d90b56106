/**
 * The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml) run real
 * command lines: these tests read both files and run what they run, against the test OSV
 * server, so neither can drift from the CLI's flags.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/cli/options.js';
import { REPORT_FORMATS } from '../src/report/index.js';
import { demoRecords } from './helpers/fixtures.js';
import { REPO_ROOT } from './helpers/shared.js';
import { tempDirs } from './helpers/temp-dirs.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

interface ActionStep {
  name?: string;
  id?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Action {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

interface Hook {
  id: string;
  entry: string;
  language: string;
  args?: string[];
  files: string;
  pass_filenames?: boolean;
}

let server: OsvTestServer;
let project: string;

beforeAll(async () => {
  server = await startOsvServer(demoRecords());
  project = await mkdtemp(path.join(tmpdir(), 'pyaudit-ci-'));
  await writeFile(path.join(project, 'requirements.txt'), 'demo-pkg==1.0.5\n');
});
afterAll(async () => {
  await server.close();
  await rm(project, { recursive: true, force: true });
});

const tempDir = tempDirs();

const load = async <T>(file: string): Promise<T> =>
  yaml.load(await readFile(path.join(REPO_ROOT, file), 'utf8')) as T;

/** What the runner sees for an input: the value given, else the default. */
function expand(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, name: string) => {
    if (!(name in inputs)) throw new Error(`action.yml uses an undeclared input: ${name}`);
    return inputs[name] as string;
  });
}

/** Runs a `shell: bash` step as GitHub does (`bash --noprofile --norc -eo pipefail`). */
async function runStep(
  step: ActionStep,
  inputs: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string; outputs: string }> {
  const dir = tempDir('pyaudit-ci-step-');
  const script = path.join(dir, 'step.sh');
  const outputs = path.join(dir, 'github-output');
  await writeFile(script, step.run as string);
  await writeFile(outputs, '');
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, inputs)]),
  );
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', script],
      {
        cwd: project,
        env: {
          PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
          HOME: dir,
          XDG_CACHE_HOME: dir,
          GITHUB_ACTION_PATH: REPO_ROOT,
          GITHUB_OUTPUT: outputs,
          // As a workflow's `env:` would set it: the test's OSV server.
          PYAUDIT_OSV_URL: server.url,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        void readFile(outputs, 'utf8').then((text) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
            stdout,
            stderr,
            outputs: text,
          }),
        );
      },
    );
  });
}

describe('action.yml', () => {
  it('is a composite action that sets up Node, installs, runs, and uploads SARIF when asked', async () => {
    const action = await load<Action>('action.yml');
    expect(action.runs.using).toBe('composite');
    const [setup, install, run, upload, fail] = action.runs.steps as [
      ActionStep,
      ActionStep,
      ActionStep,
      ActionStep,
      ActionStep,
    ];
    expect(setup).toMatchObject({
      uses: 'actions/setup-node@v4',
      with: { 'node-version': '${{ inputs.node-version }}' },
    });
    expect(install.run).toBe('npm ci --prefix "$GITHUB_ACTION_PATH" --no-audit --no-fund');
    expect(run.id).toBe('run');
    expect(upload).toMatchObject({
      uses: 'github/codeql-action/upload-sarif@v3',
      if: "${{ inputs.sarif == 'true' && steps.run.outputs.exit-code != '2' }}",
      with: { sarif_file: '${{ inputs.sarif-file }}' },
    });
    expect(fail.if).toBe(
      "${{ inputs.fail-on-findings == 'true' && steps.run.outputs.exit-code == '1' }}",
    );
    expect(action.outputs['exit-code']?.value).toBe('${{ steps.run.outputs.exit-code }}');
    // Inputs reach scripts through the environment only: never spliced into shell text.
    for (const step of action.runs.steps) expect(step.run ?? '').not.toContain('${{');
    expect(Object.keys(action.inputs)).toEqual([
      'args',
      'format',
      'output',
      'sarif',
      'sarif-file',
      'fail-on-findings',
      'node-version',
    ]);
  });

  const defaults = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      Object.entries((await load<Action>('action.yml')).inputs).map(([k, v]) => [
        k,
        v.default ?? '',
      ]),
    );
  const runStepOf = async (): Promise<ActionStep> =>
    (await load<Action>('action.yml')).runs.steps.find((s) => s.id === 'run') as ActionStep;

  it('runs pyaudit with its default inputs: the report in the log, exit-code=1', async () => {
    const result = await runStep(await runStepOf(), await defaults());
    expect(result.code).toBe(0);
    expect(result.outputs).toBe('exit-code=1\n');
    expect(result.stdout).toBe(
      'Name     Version ID           Fix Versions\n' +
        '-------- ------- ------------ ------------\n' +
        'demo-pkg 1.0.5   OSV-2099-7\n' +
        'demo-pkg 1.0.5   PYSEC-2099-1 1.2.0,2.0.3\n' +
        'demo-pkg 1.0.5   PYSEC-2099-2\n',
    );
    expect(result.stderr).toBe(
      'pyaudit: auditing requirements.txt (found in .)\nFound 3 known vulnerabilities in 1 package\n',
    );
  });

  it('passes args, format and output through; a bad flag fails the step with exit-code=2', async () => {
    const inputs = {
      ...(await defaults()),
      args: '-r requirements.txt  --desc off --aliases off',
      format: 'json',
      output: 'audit.json',
    };
    const result = await runStep(await runStepOf(), inputs);
    expect(result.outputs).toBe('exit-code=1\n');
    expect(await readFile(path.join(project, 'audit.json'), 'utf8')).toBe(
      '{"dependencies": [{"name": "demo-pkg", "version": "1.0.5", "vulns": [{"id": "OSV-2099-7", "fix_versions": []}, ' +
        '{"id": "PYSEC-2099-1", "fix_versions": ["1.2.0", "2.0.3"]}, {"id": "PYSEC-2099-2", "fix_versions": []}]}], "fixes": []}\n',
    );
    const bad = await runStep(await runStepOf(), { ...inputs, args: '--frobnicate *' });
    expect(bad.code).toBe(1);
    expect(bad.outputs).toBe('exit-code=2\n');
    // `*` reaches pyaudit as is: the arguments are never globbed.
    expect(bad.stderr).toBe("pyaudit: error: unknown option '--frobnicate'\n");
  });

  it('with sarif: true, writes the SARIF report for the upload step', async () => {
    const inputs = { ...(await defaults()), sarif: 'true', 'sarif-file': 'out.sarif' };
    const result = await runStep(await runStepOf(), inputs);
    if (REPORT_FORMATS.has('sarif')) {
      expect(result.outputs).toBe('exit-code=1\n');
      const sarif = JSON.parse(await readFile(path.join(project, 'out.sarif'), 'utf8')) as {
        version: string;
      };
      expect(sarif.version).toBe('2.1.0');
    } else {
      // Until the SARIF format lands, asking for it is an error that fails the step.
      expect(result.code).toBe(1);
      expect(result.outputs).toBe('exit-code=2\n');
      expect(result.stderr).toContain(
        "pyaudit: error: argument -f/--format: invalid choice: 'sarif'",
      );
    }
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('runs the pyaudit bin with arguments the CLI accepts, on dependency files only', async () => {
    const hooks = await load<Hook[]>('.pre-commit-hooks.yaml');
    expect(hooks.map((h) => h.id)).toEqual(['pyaudit']);
    const [hook] = hooks as [Hook];
    expect(hook.language).toBe('node');
    expect(hook.pass_filenames).toBe(false);
    const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const [program, ...entryArgs] = hook.entry.split(/\s+/);
    expect(Object.keys(pkg.bin)).toContain(program);
    const args = [...entryArgs, ...(hook.args ?? [])];
    expect(parseCommandLine(args, {}, '0').kind).toBe('run');

    const files = new RegExp(hook.files);
    const matched = [
      'requirements.txt',
      'requirements-dev.in',
      'sub/requirements-prod.txt',
      'pyproject.toml',
      'uv.lock',
      'poetry.lock',
      'pdm.lock',
      'Pipfile',
      'Pipfile.lock',
      'pylock.toml',
      'pylock.dev.toml',
      '.pyaudit.toml',
    ];
    for (const file of matched) expect([file, files.test(file)]).toEqual([file, true]);
    for (const file of ['README.md', 'src/app.py', 'notrequirements.txt', 'uv.lock.bak'])
      expect([file, files.test(file)]).toEqual([file, false]);

    // And what pre-commit runs, run for real in a project.
    const bin = path.join(REPO_ROOT, 'bin', 'pyaudit.js');
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        {
          cwd: project,
          env: { HOME: project, XDG_CACHE_HOME: project, PYAUDIT_OSV_URL: server.url },
        },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(result).toEqual({
      code: 1,
      stderr:
        'pyaudit: auditing requirements.txt (found in .)\nFound 3 known vulnerabilities in 1 package\n',
    });
  });
});
