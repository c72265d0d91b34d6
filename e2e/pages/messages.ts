// The UI's own message catalogs, so page objects find controls by the exact visible label in
// either language (a renamed label breaks no spec, and the same page object runs in English).

import type { Locale } from '../../shared/api/desktop-api';
import { en } from '../../renderer/i18n/en';
import { zhCN } from '../../renderer/i18n/zh-CN';

export type Messages = typeof zhCN;

export const MESSAGES: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

/** Fills i18next-style `{{name}}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => String(values[key] ?? `{{${key}}}`));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The accessible name of an antd button by its label. antd puts a space between the two
 * characters of a two-character Chinese label ("保存" renders "保 存"), and an icon adds its own
 * name in front ("edit 编辑客户"): match the label at the end, with optional whitespace.
 */
export function buttonName(label: string): RegExp {
  return new RegExp(`(?:^|\\s)${[...label].map(escape).join('\\s*')}\\s*$`);
}

/** A template with placeholders as a RegExp (placeholders match anything), e.g. for counts. */
export function templatePattern(template: string): RegExp {
  const parts = template.split(/\{\{\s*\w+\s*\}\}/).map(escape);
  return new RegExp(`^${parts.join('(.+?)')}$`);
}
