import type { TFunction } from 'i18next';

const BUILT_IN = new Set(['rep', 'manager', 'director', 'service', 'it_admin', 'auditor']);

/** A role's display name: built-in roles in the UI language, custom roles by their own name. */
export function roleLabel(t: TFunction, role: { key: string | null; name: string }): string {
  if (role.key && BUILT_IN.has(role.key)) return t(`roleNames.${role.key as 'rep'}`);
  return role.name;
}
