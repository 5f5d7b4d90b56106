/**
 * Loads OSV records from a tree of YAML/JSON files (the PyPA advisory database layout,
 * `vulns/<package>/<ID>.yaml`). YAML is read with the failsafe schema so that versions such
 * as `1.10` stay strings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { OsvRecord } from '../../src/standards/osv.js';

const cache = new Map<string, OsvRecord[]>();

export function loadAdvisories(root: string): OsvRecord[] {
  const cached = cache.get(root);
  if (cached) return cached;
  const records: OsvRecord[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.yaml') || entry.endsWith('.yml')) {
        records.push(
          yaml.load(readFileSync(full, 'utf8'), { schema: yaml.FAILSAFE_SCHEMA }) as OsvRecord,
        );
      } else if (entry.endsWith('.json')) {
        records.push(JSON.parse(readFileSync(full, 'utf8')) as OsvRecord);
      }
    }
  };
  walk(root);
  cache.set(root, records);
  return records;
}
