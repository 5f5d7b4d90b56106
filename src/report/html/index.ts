/**
 * The `html` format: one self-contained page (inline CSS, inline SVG, one inline script; no
 * network, no external asset) with the summary, the findings counted by severity as a bar
 * chart, a table of findings that sorts by any column and filters by severity and text, links
 * to each advisory, the chain that pulls each package in, ignored findings (shown on demand),
 * and the dependencies that were not audited with the reason.
 *
 * Every piece of text from the input or the advisories is escaped, links are kept only when
 * they are http(s), and a Content-Security-Policy allows no fetch of any kind and no script but
 * the page's own (by hash), so a hostile advisory cannot run anything even in a browser.
 */
import { createHash } from 'node:crypto';
import { isLeftOut } from '../../core/dependency.js';
import { ignoreJustification, type IgnoredFinding } from '../../audit/ignore.js';
import type { AuditReport } from '../../audit/audit.js';
import type { Finding } from '../../audit/merge.js';
import { SEVERITY_LEVELS, severityRank, type SeverityLevel } from '../../audit/severity.js';
import { plural } from '../../core/plural.js';
import { VERSION } from '../../version.js';
import { printable, projectUrl, safeUrl, vulnerabilityUrl } from '../links.js';
import { severityText } from '../rows.js';
import type { ReportFormat } from '../types.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './assets.js';

/** Most severe first, as the chart and the filters show them. */
const LEVELS: readonly SeverityLevel[] = [...SEVERITY_LEVELS].reverse();

export const SEVERITY_COLOURS: Readonly<Record<SeverityLevel, string>> = {
  malicious: '#7e22ce',
  critical: '#b91c1c',
  high: '#ea580c',
  medium: '#ca8a04',
  low: '#2563eb',
  unknown: '#6b7280',
};

export function escapeHtml(text: string): string {
  return printable(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function link(url: string, text: string): string {
  const safe = safeUrl(url);
  return safe === null
    ? escapeHtml(text)
    : `<a href="${escapeHtml(safe)}" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

interface Row {
  readonly name: string;
  readonly version: string;
  readonly via: readonly string[];
  readonly finding: Finding;
  readonly ignored: boolean;
}

function collectRows(report: AuditReport): Row[] {
  const rows: Row[] = [];
  for (const { dependency, findings, ignored } of report.results) {
    if (dependency.kind !== 'resolved') continue;
    const via = dependency.graph?.via ?? [];
    const base = { name: dependency.name, version: dependency.version, via };
    for (const finding of findings) rows.push({ ...base, finding, ignored: false });
    for (const finding of ignored) rows.push({ ...base, finding, ignored: true });
  }
  return rows;
}

/** Counts by severity as horizontal bars, one per level, with the count at the end. */
export function severityChart(counts: ReadonlyMap<SeverityLevel, number>): string {
  const max = Math.max(1, ...counts.values());
  const barHeight = 22;
  const gap = 8;
  const labelWidth = 90;
  const barSpace = 300;
  const height = LEVELS.length * (barHeight + gap);
  const bars = LEVELS.map((level, i) => {
    const n = counts.get(level) ?? 0;
    const y = i * (barHeight + gap);
    const width = n === 0 ? 0 : Math.max(4, Math.round((n / max) * barSpace));
    return (
      `<g data-level="${level}"><text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${level}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${width}" height="${barHeight}" rx="3" fill="${SEVERITY_COLOURS[level]}"><title>${level}: ${n}</title></rect>` +
      `<text class="count" x="${labelWidth + width + 6}" y="${y + 16}">${n}</text></g>`
    );
  }).join('');
  return `<svg class="chart" role="img" aria-label="Findings by severity" viewBox="0 0 ${labelWidth + barSpace + 40} ${height}" width="${labelWidth + barSpace + 40}" height="${height}">${bars}</svg>`;
}

function findingRow(row: Row): string {
  const f = row.finding;
  const level = f.severity.level;
  const fixes = f.fixVersions.length > 0 ? f.fixVersions.join(', ') : '—';
  const advisories = f.references
    .map((r) => safeUrl(r.url))
    .filter((u): u is string => u !== null)
    .map((u, i) => `<a href="${escapeHtml(u)}" rel="noopener noreferrer">[${i + 1}]</a>`)
    .join(' ');
  const cells = [
    `<td data-sort="${severityRank(level)}${f.severity.score !== undefined ? `.${String(Math.round(f.severity.score * 10)).padStart(3, '0')}` : ''}"><span class="badge sev-${level}">${escapeHtml(severityText(f.severity))}</span>${row.ignored ? ' <span class="badge ignored-badge">ignored</span>' : ''}</td>`,
    `<td>${link(projectUrl(row.name), row.name)}</td>`,
    `<td>${escapeHtml(row.version)}</td>`,
    `<td>${link(vulnerabilityUrl(f.id), f.id)}${f.aliases.length > 0 ? `<div class="aliases">${f.aliases.map((a) => link(vulnerabilityUrl(a), a)).join(', ')}</div>` : ''}</td>`,
    `<td>${escapeHtml(fixes)}</td>`,
    `<td>${row.via.length > 0 ? row.via.map(escapeHtml).join(' → ') : '<span class="muted">direct</span>'}</td>`,
    `<td class="desc">${escapeHtml(f.description)}${advisories ? `<div class="refs">${advisories}</div>` : ''}${row.ignored && 'ignoredBy' in f ? `<div class="muted">ignored: ${escapeHtml(ignoreJustification(f as IgnoredFinding))}</div>` : ''}</td>`,
  ];
  return `<tr data-severity="${level}"${row.ignored ? ' data-ignored="true" class="ignored"' : ''}>${cells.join('')}</tr>`;
}

function skippedSection(report: AuditReport): string {
  // What could not be audited; what was left out on purpose is counted in the summary.
  const skipped = report.results.filter(
    (r) => r.dependency.kind === 'skipped' && !isLeftOut(r.dependency.skipKind),
  );
  if (skipped.length === 0) return '';
  const rows = skipped
    .map(({ dependency }) => {
      const where =
        dependency.origin.line !== undefined
          ? `${dependency.origin.file}:${dependency.origin.line}`
          : dependency.origin.file;
      const reason = dependency.kind === 'skipped' ? dependency.skipReason : '';
      return `<tr><td>${escapeHtml(dependency.name)}</td><td>${escapeHtml(reason)}</td><td><code>${escapeHtml(where)}</code></td></tr>`;
    })
    .join('');
  return `<section id="skipped"><h2>Not audited (${skipped.length})</h2><p>These dependencies could not be checked; the report says nothing about them.</p><table class="plain"><thead><tr><th>Name</th><th>Why</th><th>Declared at</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function renderHtml(report: AuditReport): string {
  const rows = collectRows(report).sort(
    (a, b) =>
      severityRank(b.finding.severity.level) - severityRank(a.finding.severity.level) ||
      (b.finding.severity.score ?? -1) - (a.finding.severity.score ?? -1) ||
      a.name.localeCompare(b.name) ||
      a.finding.id.localeCompare(b.finding.id),
  );
  const reported = rows.filter((r) => !r.ignored);
  const counts = new Map<SeverityLevel, number>();
  for (const r of reported)
    counts.set(r.finding.severity.level, (counts.get(r.finding.severity.level) ?? 0) + 1);
  const packages = new Set(reported.map((r) => r.name)).size;
  const ignored = rows.length - reported.length;
  const audited = report.results.filter((r) => r.dependency.kind === 'resolved').length;
  const leftOut = report.results.filter(
    (r) => r.dependency.kind === 'skipped' && isLeftOut(r.dependency.skipKind),
  ).length;
  const notAudited = report.results.length - audited - leftOut;
  const incomplete = report.incomplete ?? [];

  const headline =
    reported.length === 0
      ? 'No known vulnerabilities found'
      : `Found ${plural(reported.length, 'known vulnerability', 'known vulnerabilities')} in ${plural(packages, 'package', 'packages')}`;
  const facts = [
    `${plural(audited, 'dependency', 'dependencies')} audited`,
    ...(notAudited > 0 ? [`<a href="#skipped">${notAudited} not audited</a>`] : []),
    ...(leftOut > 0 ? [`${leftOut} left out on purpose`] : []),
    ...(ignored > 0 ? [`${ignored} ignored`] : []),
    ...((report.sources?.length ?? 0) > 0
      ? [`sources: ${report.sources!.map(escapeHtml).join(', ')}`]
      : []),
  ];
  const warnings = incomplete
    .map(
      (f) =>
        `<p class="warning">Incomplete: the ${escapeHtml(f.service)} source failed (${escapeHtml(f.reason)}); findings are from the other sources only.</p>`,
    )
    .join('');
  const filters = LEVELS.map(
    (level) =>
      `<label class="filter"><input type="checkbox" name="severity" value="${level}" checked> <span class="badge sev-${level}">${level}</span> <span class="n">${counts.get(level) ?? 0}</span></label>`,
  ).join('');
  const headers = [
    'Severity',
    'Package',
    'Version',
    'ID',
    'Fix versions',
    'Pulled in by',
    'Description',
  ]
    .map(
      (h, i) => `<th data-column="${i}" aria-sort="none"><button type="button">${h}</button></th>`,
    )
    .join('');
  const table =
    rows.length === 0
      ? '<p class="clean">Nothing to show.</p>'
      : `<div class="controls">${filters}<label class="filter"><input type="checkbox" id="show-ignored"> show ignored</label><input type="search" id="search" placeholder="Filter by package, id or text" aria-label="Filter"></div>` +
        `<p class="muted" id="showing"></p>` +
        `<table id="findings"><thead><tr>${headers}</tr></thead><tbody>${rows.map(findingRow).join('')}</tbody></table>`;

  const script = PAGE_SCRIPT;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; form-action 'none'; base-uri 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>pyaudit report</title>',
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    '<h1>pyaudit report</h1>',
    `<p class="headline" id="headline">${escapeHtml(headline)}</p>`,
    `<p class="facts">${facts.join(' · ')}</p>`,
    warnings,
    '</header>',
    '<main>',
    `<section id="summary"><h2>By severity</h2>${severityChart(counts)}</section>`,
    `<section id="vulnerabilities"><h2>Findings</h2>${table}</section>`,
    skippedSection(report),
    '</main>',
    `<footer>Generated by pyaudit ${escapeHtml(VERSION)}. Advisory data from OSV; each id links to its record.</footer>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export const htmlFormat: ReportFormat = {
  name: 'html',
  detailsByDefault: true,
  render: renderHtml,
};
