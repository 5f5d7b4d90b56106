/** The project's own small fixtures under test/fixtures. */
import path from 'node:path';
import type { OsvRecord } from '../../src/standards/osv.js';
import { loadAdvisories } from './advisories.js';
import { REPO_ROOT } from './shared.js';

export const FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures');

/** Self-written OSV records for the demo-pkg / other-pkg cases. */
export function demoRecords(): OsvRecord[] {
  return loadAdvisories(path.join(FIXTURES_DIR, 'osv'));
}
