// The exposure report as a PDF (pdfkit), rendered on the server. Chinese needs a CJK font: the
// one named by SV_PDF_FONT ("path" or "path#PostScriptName" for a .ttc collection), else the
// first found of the usual system fonts (WenQuanYi, Noto CJK, macOS PingFang, Windows YaHei).
// Without one the PDF is written with the built-in Latin font, English labels, '?' for every
// character it cannot show, and a note saying so.

import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { ENTITY_TYPES } from '../../shared/domain/model';
import type { ExposureLang, ExposureReport } from '../../shared/protocol/exposure';
import { countText, exposureLabels, formatDuration, formatTime } from './labels';

const FONT_CANDIDATES: { path: string; family?: string }[] = [
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/System/Library/Fonts/PingFang.ttc', family: 'PingFangSC-Regular' },
  { path: 'C:\\Windows\\Fonts\\msyh.ttc', family: 'MicrosoftYaHei' },
];

export function findCjkFont(env: NodeJS.ProcessEnv = process.env): { path: string; family?: string } | null {
  const configured = env.SV_PDF_FONT?.trim();
  if (configured) {
    const [path, family] = configured.split('#') as [string, string | undefined];
    return existsSync(path) ? { path, ...(family ? { family } : {}) } : null;
  }
  return FONT_CANDIDATES.find((f) => existsSync(f.path)) ?? null;
}

/** Latin-1 only: what the built-in Helvetica can show. */
function latin(text: string): string {
  return text.replace(/[^\u0020-\u00FF]/g, '?');
}

export async function renderExposurePdf(report: ExposureReport, lang: ExposureLang, env: NodeJS.ProcessEnv = process.env): Promise<{ bytes: Buffer; cjkFont: boolean }> {
  const font = findCjkFont(env);
  const cjk = font !== null;
  const l = exposureLabels(cjk ? lang : 'en');
  const t = (text: string) => (cjk ? text : latin(text));
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: {
    Title: `${l.title} — ${report.device.hostName ?? report.device.name}`,
    Author: 'SalesVault',
    // Plain ASCII in the document information, so a script can check a file without a PDF reader.
    Subject: `device ${report.device.id}; host ${latin(report.device.hostName ?? '')}; ${report.customers.length} customers`,
  } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (font) {
    doc.registerFont('body', font.path, font.family as string);
    doc.font('body');
  } else doc.font('Helvetica');

  const d = report.device;
  doc.fontSize(18).text(t(l.title));
  doc.moveDown(0.3).fontSize(9).fillColor('#555').text(t(`${l.generatedAt}: ${formatTime(report.generatedAt, l)} · ${l.noFieldValues}`));
  if (!cjk) doc.moveDown(0.3).fillColor('#a00').text(l.fontNote);
  doc.fillColor('#000').moveDown(0.8).fontSize(11);

  const wipe = d.wipeConfirmedAt !== null ? l.wipeConfirmed(formatTime(d.wipeConfirmedAt, l))
    : d.status === 'revoked' ? `${l.wipeNotConfirmed} (${l.revokedAt}: ${formatTime(d.revokedAt, l)})` : l.notRevoked;
  const summary: [string, string][] = [
    [l.device, `${d.name} (${d.id})`],
    [l.hostName, d.hostName ?? '—'],
    [l.user, `${report.user.displayName} (${report.user.username})`],
    [l.platform, `${d.platform} ${d.osVersion ?? ''} · app ${d.appVersion}`],
    [l.lastCheckIn, `${formatTime(d.lastCheckInAt, l)}${d.lastIp ? ` · ${d.lastIp}` : ''}`],
    [l.offlineFor, formatDuration(report.offlineForMs, l)],
    [l.status, l.lifecycle[d.lifecycle]],
    [l.wipe, wipe],
    [l.keyStorage, `${l.keyStorageName[d.keyStorage]} · SQLCipher 4`],
    [l.readClearance, report.ledger.readClearance ? l.level[report.ledger.readClearance] : '—'],
    [l.ledgerAsOf, formatTime(report.ledger.appliedAt, l)],
  ];
  for (const [k, v] of summary) doc.text(t(`${k}: ${v}`));
  if (!report.ledger.complete) doc.moveDown(0.3).fillColor('#a00').text(t(l.ledgerIncomplete)).fillColor('#000');
  if (report.ledger.pendingPages > 0) doc.moveDown(0.3).text(t(l.pending(report.ledger.pendingPages)));

  doc.moveDown(0.8).fontSize(13).text(t(l.counts)).fontSize(11);
  for (const entity of ENTITY_TYPES) doc.text(t(`${l.entityPlural[entity]}: ${countText(report, entity, l)}`));

  doc.moveDown(0.8).fontSize(13).text(t(l.fieldsByLevel)).fontSize(10);
  for (const entity of ENTITY_TYPES) {
    const fields = report.fields.filter((f) => f.entity === entity);
    if (fields.length === 0) continue;
    const byLevel = new Map<string, string[]>();
    for (const f of fields) {
      const key = l.level[f.level];
      const list = byLevel.get(key) ?? [];
      list.push(f.status === 'held' ? f.name : `${f.name} (${l.holding.possibly_held})`);
      byLevel.set(key, list);
    }
    doc.moveDown(0.3).text(t(l.entityPlural[entity]), { underline: true });
    for (const [level, names] of byLevel) doc.text(t(`  ${level}: ${names.join(', ')}`));
  }

  // Customers, each with how many of its contacts / opportunities / activities were on the device.
  const children = new Map<string, [number, number, number]>();
  const lists = [report.contacts, report.opportunities, report.activities];
  lists.forEach((list, i) => {
    for (const item of list) {
      const c = children.get(item.customerId) ?? [0, 0, 0];
      c[i as 0 | 1 | 2] += 1;
      children.set(item.customerId, c);
    }
  });
  doc.moveDown(0.8).fontSize(13).text(t(`${l.customers} (${report.customers.length}) — ${l.children}`)).fontSize(9);
  for (const c of report.customers) {
    const [n1, n2, n3] = children.get(c.id) ?? [0, 0, 0];
    const mark = c.status === 'held' ? '' : ` [${l.holding.possibly_held}]`;
    doc.text(t(`${c.name ?? '—'} · ${c.id} · ${n1} / ${n2} / ${n3}${mark}`));
  }
  doc.end();
  return { bytes: await done, cjkFont: cjk };
}
