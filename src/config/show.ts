/**
 * `pyaudit config show`: the effective configuration as TOML that a `.pyaudit.toml` could hold,
 * each line followed by where its value came from (flag, environment variable, file:line,
 * default).
 */
import type { IgnoreRule } from '../audit/ignore.js';
import { describeSource, type Setting } from './layers.js';

/** A TOML basic string (JSON's escapes are all valid TOML escapes). */
const tomlString = (s: string): string => JSON.stringify(s);

function tomlValue(setting: Setting): string | undefined {
  const { value, spec } = setting;
  if (value === undefined) return undefined;
  if (spec.kind === 'negated') return String(value === false);
  if (spec.kind === 'optional-value' && value === true) return 'true';
  if (Array.isArray(value)) return `[${value.map((v) => tomlString(String(v))).join(', ')}]`;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return tomlString(String(value));
}

function ruleValue(rule: IgnoreRule): string {
  const fields = [
    `id = ${tomlString(rule.id)}`,
    ...(rule.reason !== undefined ? [`reason = ${tomlString(rule.reason)}`] : []),
    ...(rule.expires !== undefined ? [`expires = ${rule.expires}`] : []),
    ...(rule.package !== undefined ? [`package = ${tomlString(rule.package)}`] : []),
  ];
  return `{ ${fields.join(', ')} }`;
}

export function renderEffectiveConfig(
  settings: readonly Setting[],
  ignore: readonly IgnoreRule[],
  file: string | undefined,
): string {
  const rows: Array<[string, string]> = settings.map((s) => {
    const value = tomlValue(s);
    // A default the code applies (the OSV API's URL, the `osv` source) is named, not shown as unset.
    const described =
      s.source.kind === 'default' ? s.spec.option.defaultValueDescription : undefined;
    const text =
      described !== undefined
        ? `# ${s.spec.key}: ${described}`
        : value === undefined
          ? `# ${s.spec.key} (not set)`
          : `${s.spec.key} = ${value}`;
    return [text, describeSource(s.source)];
  });
  const width = Math.max(...rows.map(([text]) => text.length));
  const lines = [
    `# configuration file: ${file ?? 'none'}`,
    ...rows.map(([text, source]) => `${text.padEnd(width)}  # ${source}`),
  ];
  if (ignore.length > 0) {
    lines.push(
      'ignore = [',
      ...ignore.map((rule) => `  ${ruleValue(rule)},  # ${rule.origin}`),
      ']',
    );
  }
  return `${lines.join('\n')}\n`;
}
