/**
 * The interface every report format implements.
 */
import type { AuditReport } from '../audit/audit.js';

export interface ReportOptions {
  /** Include descriptions (`--desc`). */
  readonly desc: boolean;
  /** Include aliases (`--aliases`). */
  readonly aliases: boolean;
  /** Add a "Via" column: the chain of packages that pulls each one in (`--show-paths`). */
  readonly showPaths?: boolean;
  /** Whether the report goes to a terminal (columns adds OSC 8 hyperlinks then). */
  readonly isTTY?: boolean;
}

export interface ReportFormat {
  /** The name `-f` takes. */
  readonly name: string;
  /** Whether `--desc auto` / `--aliases auto` turn on for this format. */
  readonly detailsByDefault: boolean;
  /**
   * Renders the report without a final newline. An empty string means "print nothing at
   * all" (columns and markdown when there is nothing to show).
   */
  render(report: AuditReport, options: ReportOptions): string;
}
