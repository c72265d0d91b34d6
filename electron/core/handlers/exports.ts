// File exports handed to the renderer (CSV or JSON), named after what and when.

import { stringify as stringifyCsv } from 'csv-stringify/sync';

export interface ExportFile {
  filename: string;
  mime: string;
  content: string;
  count: number;
}

export function renderExport(kind: string, format: 'csv' | 'json', rows: Record<string, unknown>[], now: number): ExportFile {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  if (format === 'json') {
    return { filename: `salesvault-${kind}-${stamp}.json`, mime: 'application/json', content: JSON.stringify(rows, null, 2), count: rows.length };
  }
  const columns = rows[0] ? Object.keys(rows[0]) : [];
  // BOM so spreadsheet apps read the Chinese names as UTF-8.
  const content = '\uFEFF' + stringifyCsv(rows, { header: true, columns });
  return { filename: `salesvault-${kind}-${stamp}.csv`, mime: 'text/csv', content, count: rows.length };
}

/** Records in a CSV body: line breaks outside quoted fields, minus the header row. */
export function csvRecordCount(content: string): number {
  let records = 0;
  let quoted = false;
  let sawData = false;
  for (const ch of content) {
    if (ch === '"') quoted = !quoted;
    if (ch === '\n' && !quoted) {
      if (sawData) records++;
      sawData = false;
    } else if (ch !== '\r' && ch !== '\uFEFF') {
      sawData = true;
    }
  }
  if (sawData) records++;
  return Math.max(0, records - 1);
}
