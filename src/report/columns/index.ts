/**
 * pip-audit's `columns` format: a padded table of findings, then (after a blank line) a table
 * of skipped dependencies. Widths count characters; rows are right-stripped. On a terminal,
 * names and ids become OSC 8 hyperlinks and, with colours on, headers are bold, ids red and
 * fix versions green (widths still count only the visible text).
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
    const style = options.styles;
    const header = (text: string): Cell => ({
      text: style ? style.bold(text) : text,
      width: [...text].length,
    });
    const toCell = (cell: VulnerabilityCell): Cell => {
      switch (cell.kind) {
        case 'project':
          return { text: link(projectUrl(cell.text), cell.text), width: [...cell.text].length };
        case 'id': {
          const linked = link(vulnerabilityUrl(cell.text), cell.text);
          return { text: style ? style.red(linked) : linked, width: [...cell.text].length };
        }
        case 'aliases':
          return {
            text: cell.ids.map((id) => link(vulnerabilityUrl(id), id)).join(', '),
            width: [...cell.ids.join(', ')].length,
          };
        case 'fixes':
          return style && cell.text !== ''
            ? { text: style.green(cell.text), width: [...cell.text].length }
            : plain(cell.text);
        case 'text':
          return plain(cell.text);
      }
    };
    const parts: string[] = [];
    if (vulnerabilities.length > 0) {
      const rows = vulnerabilities.map((row) =>
        vulnerabilityCells(row, report, options).map(toCell),
      );
      parts.push(tabulate([vulnerabilityHeader(report, options).map(header), ...rows]).join('\n'));
    }
    if (skipped.length > 0) {
      const rows = skipped.map((s) => [plain(s.name), plain(s.reason)]);
      parts.push(tabulate([[header('Name'), header('Skip Reason')], ...rows]).join('\n'));
    }
    return parts.join('\n\n');
  },
};
