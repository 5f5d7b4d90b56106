/**
 * One audit with findings of every severity, for the report-format tests: the test OSV server
 * serving test/fixtures/severity/records (critical, high, medium, low, unknown and two
 * malicious packages), and the CLI run on test/fixtures/severity/project (a uv.lock with a
 * dependency graph, a skipped local package and a clean one).
 */
import path from 'node:path';
import { loadAdvisories } from './advisories.js';
import { runCli, type CliRun } from './run-cli.js';
import { REPO_ROOT } from './shared.js';
import { startOsvServer, type OsvTestServer } from '../osv-server.js';

export const SEVERITY_RECORDS = path.join(REPO_ROOT, 'test/fixtures/severity/records');
export const SEVERITY_PROJECT = path.join(REPO_ROOT, 'test/fixtures/severity/project');

export interface SeverityAudit {
  run(args: readonly string[], cwd?: string): Promise<CliRun>;
  close(): Promise<void>;
}

export async function startSeverityAudit(): Promise<SeverityAudit> {
  const server: OsvTestServer = await startOsvServer(loadAdvisories(SEVERITY_RECORDS));
  return {
    run: (args, cwd = SEVERITY_PROJECT) =>
      runCli(['--osv-url', server.url, '--progress-spinner', 'off', ...args], { cwd }),
    close: () => server.close(),
  };
}
