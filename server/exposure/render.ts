// The exposure report as a file: JSON (the report itself), CSV (one row per record, the field
// names it holds in one column per level) or PDF (pdf.ts). Shared by the admin route and the CLI.

import { stringify } from 'csv-stringify/sync';
import type { EntityType } from '../../shared/domain/model';
import { EXPOSURE_LEVELS, type ExposureFile, type ExposureFormat, type ExposureLang, type ExposureReport } from '../../shared/protocol/exposure';
import { exposureLabels } from './labels';
import { renderExposurePdf } from './pdf';

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'device';
}

export function exposureFileName(report: ExposureReport, format: ExposureFormat): string {
  const day = new Date(report.generatedAt).toISOString().slice(0, 10);
  return `exposure-${safeName(report.device.hostName ?? report.device.name)}-${report.device.id.slice(0, 8)}-${day}.${format}`;
}

export function exposureCsv(report: ExposureReport, lang: ExposureLang): string {
  const l = exposureLabels(lang);
  const names = new Map(report.customers.map((c) => [c.id, c.name ?? '']));
  const rows: string[][] = [[l.csv.entity, l.csv.id, l.csv.customerId, l.csv.customerName, l.csv.status, ...EXPOSURE_LEVELS.map((v) => l.csv.level(v))]];
  const lists: [EntityType, ExposureReport['contacts']][] = [
    ['customer', report.customers], ['contact', report.contacts], ['opportunity', report.opportunities], ['activity', report.activities],
  ];
  for (const [entity, list] of lists) {
    for (const item of list) {
      const set = report.fieldSets[item.fieldSet]?.fields ?? [];
      rows.push([
        l.entity[entity], item.id, item.customerId, names.get(item.customerId) ?? '', l.holding[item.status],
        ...EXPOSURE_LEVELS.map((v) => set.filter((f) => f.level === v).map((f) => f.name).join(' ')),
      ]);
    }
  }
  // A BOM so spreadsheet programs read the Chinese names as UTF-8.
  return `\uFEFF${stringify(rows)}`;
}

export async function renderExposure(report: ExposureReport, format: ExposureFormat, lang: ExposureLang): Promise<ExposureFile> {
  const fileName = exposureFileName(report, format);
  const customers = report.customers.length;
  if (format === 'json') {
    return { fileName, mimeType: 'application/json', base64: Buffer.from(JSON.stringify(report, null, 2)).toString('base64'), customers };
  }
  if (format === 'csv') {
    return { fileName, mimeType: 'text/csv', base64: Buffer.from(exposureCsv(report, lang)).toString('base64'), customers };
  }
  const pdf = await renderExposurePdf(report, lang);
  return { fileName, mimeType: 'application/pdf', base64: pdf.bytes.toString('base64'), customers, cjkFont: pdf.cjkFont };
}
