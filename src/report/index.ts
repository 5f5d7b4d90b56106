/** The report formats, by the name `-f` takes. */
import { columnsFormat } from './columns/index.js';
import { cyclonedxJsonFormat, cyclonedxXmlFormat } from './cyclonedx/index.js';
import { htmlFormat } from './html/index.js';
import { jsonFormat } from './json/index.js';
import { markdownFormat } from './markdown/index.js';
import { sarifFormat } from './sarif/index.js';
import type { ReportFormat } from './types.js';

export const REPORT_FORMATS: ReadonlyMap<string, ReportFormat> = new Map(
  [
    columnsFormat,
    jsonFormat,
    markdownFormat,
    cyclonedxJsonFormat,
    cyclonedxXmlFormat,
    sarifFormat,
    htmlFormat,
  ].map((f) => [f.name, f]),
);

export { CYCLONEDX_SPECS } from './types.js';
export type { CycloneDxSpec, ReportFormat, ReportOptions } from './types.js';
