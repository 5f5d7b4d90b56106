/**
 * pip-audit's `cyclonedx-json` and `cyclonedx-xml` formats (see build.ts). The CycloneDX
 * library is loaded only when one of them is asked for, so that it costs the other formats
 * nothing at start-up.
 */
import type { AuditReport } from '../../audit/audit.js';
import type { ReportFormat, ReportOptions } from '../types.js';

function cyclonedxFormat(kind: 'json' | 'xml'): ReportFormat {
  return {
    name: `cyclonedx-${kind}`,
    detailsByDefault: true,
    async render(report: AuditReport, options: ReportOptions): Promise<string> {
      const { renderCycloneDx } = await import('./build.js');
      return renderCycloneDx(report, kind, options.cyclonedxSpec ?? '1.6');
    },
  };
}

export const cyclonedxJsonFormat = cyclonedxFormat('json');
export const cyclonedxXmlFormat = cyclonedxFormat('xml');
