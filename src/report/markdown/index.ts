/**
 * pip-audit's `markdown` format: a table of findings, then a table of skipped dependencies,
 * each preceded by a blank line. Names link to PyPI, ids and aliases to osv.dev. Unlike
 * pip-audit, a `|` inside a cell is escaped so that the table stays a table.
 */
import type { AuditReport } from '../../audit/audit.js';
import { projectUrl, vulnerabilityUrl } from '../links.js';
import {
  tableRows,
  vulnerabilityCells,
  vulnerabilityHeader,
  type VulnerabilityCell,
} from '../rows.js';
import type { ReportFormat, ReportOptions } from '../types.js';

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');
const idLink = (id: string): string => `[${id}](${vulnerabilityUrl(id)})`;

function toText(cell: VulnerabilityCell): string {
  switch (cell.kind) {
    case 'project':
      return `[${cell.text}](${projectUrl(cell.text)})`;
    case 'id':
      return idLink(cell.text);
    case 'aliases':
      return cell.ids.map(idLink).join(', ');
    case 'fixes':
    case 'text':
      return escapeCell(cell.text);
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    header.join(' | '),
    header.map(() => '---').join(' | '),
    ...rows.map((r) => r.join(' | ')),
  ].join('\n');
}

export const markdownFormat: ReportFormat = {
  name: 'markdown',
  detailsByDefault: false,
  render(report: AuditReport, options: ReportOptions): string {
    const { vulnerabilities, skipped } = tableRows(report);
    const parts: string[] = [];
    if (vulnerabilities.length > 0) {
      const rows = vulnerabilities.map((row) =>
        vulnerabilityCells(row, report, options).map(toText),
      );
      parts.push(`\n${table(vulnerabilityHeader(report, options), rows)}`);
    }
    if (skipped.length > 0) {
      parts.push(
        `\n${table(
          ['Name', 'Skip Reason'],
          skipped.map((s) => [s.name, escapeCell(s.reason)]),
        )}`,
      );
    }
    return parts.join('\n');
  },
};
