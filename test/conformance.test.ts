/**
 * Drop-in compatibility: every report-format run recorded from pip-audit 2.10.1 in
 * ../shared/pip-audit-conformance/output is replayed against the test OSV server serving the
 * same advisory database. stdout must match byte for byte (aliases compared as sets, per the
 * conformance README), the summary line on stderr must match, and so must the exit code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pythonJsonDumps, type JsonValue } from '../src/report/json/python-json.js';
import { loadAdvisories } from './helpers/advisories.js';
import { runCli } from './helpers/run-cli.js';
import { describeShared, sharedAvailable, sharedPath } from './helpers/shared.js';
import { startOsvServer, type OsvTestServer } from './osv-server.js';

interface Run {
  run: string;
  cwd: string;
  section: string;
  args: string[];
  format: string;
  exit_code: number;
  summary: string | null;
}

const runs: Run[] = sharedAvailable()
  ? (
      JSON.parse(readFileSync(sharedPath('pip-audit-conformance', 'index.json'), 'utf8')) as {
        runs: Run[];
      }
    ).runs
  : [];

/**
 * pyaudit's documented extra fields on a JSON dependency entry (README, "JSON report"):
 * JSON readers ignore them, so they are taken out before comparing with pip-audit's output,
 * and no other field may appear.
 */
const EXTRA_DEPENDENCY_FIELDS = ['direct', 'via', 'groups', 'marker', 'from', 'source'];

function withoutExtraFields(report: JsonValue): JsonValue {
  const { dependencies, ...rest } = report as { dependencies: Array<Record<string, JsonValue>> };
  return {
    ...rest,
    dependencies: dependencies.map((d) =>
      Object.fromEntries(
        Object.entries(d).filter(
          ([k]) => !EXTRA_DEPENDENCY_FIELDS.includes(k) && !(k === 'version' && 'skip_reason' in d),
        ),
      ),
    ),
  } as JsonValue;
}

/**
 * Where pyaudit differs from pip-audit on purpose (README, "Differences from pip-audit"):
 * when dependencies were found but none could be audited, pip-audit says "No known
 * vulnerabilities found" and exits 0; pyaudit prints the same report and exits 2.
 */
const NOTHING_AUDITED = new Set(['pylock/skipped']);

/** Sorts alias lists so that pip-audit's hash-seed order does not matter. */
function normalizeAliases(text: string, format: string): string {
  if (format === 'json') {
    const sortAliases = (value: JsonValue): JsonValue => {
      if (Array.isArray(value)) return value.map(sortAliases);
      if (value !== null && typeof value === 'object') {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [
            k,
            k === 'aliases' && Array.isArray(v) ? [...(v as string[])].sort() : sortAliases(v),
          ]),
        );
      }
      return value;
    };
    const parsed = withoutExtraFields(JSON.parse(text) as JsonValue);
    return `${pythonJsonDumps(sortAliases(parsed))}\n`;
  }
  const list =
    format === 'markdown'
      ? /\[[^\]]+\]\(https:\/\/osv\.dev\/vulnerability\/[^)]+\)(?:, \[[^\]]+\]\(https:\/\/osv\.dev\/vulnerability\/[^)]+\))+/g
      : /\b[A-Z][A-Z0-9]*-[A-Za-z0-9-]+(?:, [A-Z][A-Z0-9]*-[A-Za-z0-9-]+)+/g;
  return text.replace(list, (m) => m.split(', ').sort().join(', '));
}

let server: OsvTestServer;

describeShared('pip-audit 2.10.1 conformance: report formats', () => {
  beforeAll(async () => {
    server = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')));
  });
  afterAll(() => server?.close());

  const outputRuns = runs.filter((r) => r.section === 'output');
  it('has the recorded runs', () => {
    expect(outputRuns.length).toBe(84);
  });

  it.each(outputRuns.map((r) => [r.run, r] as const))('%s', async (_name, run) => {
    const dir = sharedPath('pip-audit-conformance', run.run);
    const args = run.args.map((a) =>
      a.replace('{OSV_URL}', `${server.url}/v1/query`).replace('{OSV_BASE}', server.url),
    );
    const result = await runCli(args, { cwd: sharedPath('pip-audit-conformance', run.cwd) });
    const expectedStdout = readFileSync(path.join(dir, 'stdout'), 'utf8');
    const expectedStderr = readFileSync(path.join(dir, 'stderr'), 'utf8');
    expect(normalizeAliases(result.stdout, run.format)).toBe(
      expectedStdout === '' ? '' : normalizeAliases(expectedStdout, run.format),
    );
    const lastLine = (s: string): string => s.trimEnd().split('\n').pop() ?? '';
    expect(lastLine(result.stderr)).toBe(lastLine(expectedStderr));
    expect(lastLine(result.stderr)).toBe(run.summary);
    expect(result.code).toBe(run.exit_code);
  });
});

describeShared('pip-audit 2.10.1 conformance: pylock.toml (PEP 751)', () => {
  beforeAll(async () => {
    server = await startOsvServer(loadAdvisories(sharedPath('advisory-database', 'vulns')));
  });
  afterAll(() => server?.close());

  const pylockRuns = runs.filter((r) => r.section === 'pylock');
  it('has the recorded runs', () => {
    expect(pylockRuns.length).toBeGreaterThanOrEqual(12);
  });

  it.each(pylockRuns.map((r) => [r.run, r] as const))('%s', async (_name, run) => {
    const dir = sharedPath('pip-audit-conformance', run.run);
    const args = run.args.map((a) => a.replace('{OSV_URL}', `${server.url}/v1/query`));
    const result = await runCli(args, { cwd: sharedPath('pip-audit-conformance', run.cwd) });
    const expectedStdout = readFileSync(path.join(dir, 'stdout'), 'utf8');
    if (run.summary === null) {
      // pip-audit exits 1 with "ERROR:…: <file>: <reason>"; pyaudit exits 2 with the same reason.
      const expected = JSON.parse(
        readFileSync(
          sharedPath('pip-audit-conformance', run.cwd, 'expected-from-test.json'),
          'utf8',
        ),
      ) as { error_matches: string };
      expect(result.stdout).toBe('');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(expected.error_matches);
      expect(result.stderr.trimEnd().split('\n').pop()).toMatch(
        /^pyaudit: error: pylock\.[a-z-]+\.toml(:\d+)?: /,
      );
      return;
    }
    expect(normalizeAliases(result.stdout, run.format)).toBe(
      expectedStdout === '' ? '' : normalizeAliases(expectedStdout, run.format),
    );
    if (NOTHING_AUDITED.has(run.cwd)) {
      expect(run.exit_code).toBe(0);
      expect(result.stderr.trimEnd().split('\n').pop()).toMatch(
        /^pyaudit: error: nothing could be audited: /,
      );
      expect(result.code).toBe(2);
      return;
    }
    expect(result.stderr.trimEnd().split('\n').pop()).toBe(run.summary);
    expect(result.code).toBe(run.exit_code);
  });
});
