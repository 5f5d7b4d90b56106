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
  /**
   * `--severity`: a Severity column in columns and markdown, a `severity` field in json. The
   * other formats always carry severities.
   */
  readonly severity?: boolean;
  /** The CycloneDX version the cyclonedx formats write (default 1.6). */
  readonly cyclonedxSpec?: CycloneDxSpec;
  /** Colours for formats that use them (columns); none when absent. */
  readonly styles?: Styles;
}

/** Text styles: each returns its input unchanged when colours are off. */
export interface Styles {
  bold(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

export const CYCLONEDX_SPECS = ['1.4', '1.5', '1.6'] as const;
export type CycloneDxSpec = (typeof CYCLONEDX_SPECS)[number];

export interface ReportFormat {
  /** The name `-f` takes. */
  readonly name: string;
  /** Whether `--desc auto` / `--aliases auto` turn on for this format. */
  readonly detailsByDefault: boolean;
  /**
   * Renders the report without a final newline. An empty string means "print nothing at
   * all" (columns and markdown when there is nothing to show). Formats built with a large
   * library load it on demand and answer a promise.
   */
  render(report: AuditReport, options: ReportOptions): string | Promise<string>;
}
