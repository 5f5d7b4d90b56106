/**
 * pip-audit's `columns` format: a padded table of findings, then (after a blank line) a table
 * of skipped dependencies. Widths count characters; rows are right-stripped. On a terminal,
 * names and ids become OSC 8 hyperlinks (widths still count only the visible text).
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

interface Cell {
  readonly text: string;
  /** Characters that show (the text without escape sequences). */
  readonly width: number;
}

const OSC8 = (url: string, text: string): string =>
  `\u001b]8;;${url}\u001b\\${text}\u001b]8;;\u001b\\`;

function plain(text: string): Cell {
  return { text, width: [...text].length };
}

function tabulate(rows: readonly (readonly Cell[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.width)));
  const lines = rows.map((row) =>
    row
      .map((c, i) => c.text + ' '.repeat((widths[i] ?? 0) - c.width))
      .join(' ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join(' '));
  return lines;
}

export const columnsFormat: ReportFormat = {
  name: 'columns',
  detailsByDefault: false,
  render(report: AuditReport, options: ReportOptions): string {
    const { vulnerabilities, skipped } = tableRows(report);
    const link = (url: string, text: string): string => (options.isTTY ? OSC8(url, text) : text);
    const toCell = (cell: VulnerabilityCell): Cell => {
      switch (cell.kind) {
        case 'project':
          return { text: link(projectUrl(cell.text), cell.text), width: [...cell.text].length };
        case 'id':
          return {
            text: link(vulnerabilityUrl(cell.text), cell.text),
            width: [...cell.text].length,
          };
        case 'aliases':
          return {
            text: cell.ids.map((id) => link(vulnerabilityUrl(id), id)).join(', '),
            width: [...cell.ids.join(', ')].length,
          };
        case 'text':
          return plain(cell.text);
      }
    };
    const parts: string[] = [];
    if (vulnerabilities.length > 0) {
      const header = vulnerabilityHeader(report, options).map(plain);
      const rows = vulnerabilities.map((row) =>
        vulnerabilityCells(row, report, options).map(toCell),
      );
      parts.push(tabulate([header, ...rows]).join('\n'));
    }
    if (skipped.length > 0) {
      const rows = skipped.map((s) => [plain(s.name), plain(s.reason)]);
      parts.push(tabulate([[plain('Name'), plain('Skip Reason')], ...rows]).join('\n'));
    }
    return parts.join('\n\n');
  },
};
