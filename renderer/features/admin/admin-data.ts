import type { OrgUnitView, RoleView, UserView } from '../../../shared/protocol/routes';

/** Org units as antd tree data (TreeSelect / Tree), children sorted by name. */
export interface UnitNode {
  key: string;
  value: string;
  title: string;
  kind: OrgUnitView['kind'];
  children: UnitNode[];
}

export function buildUnitTree(units: readonly OrgUnitView[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>();
  for (const u of units) nodes.set(u.id, { key: u.id, value: u.id, title: u.name, kind: u.kind, children: [] });
  const roots: UnitNode[] = [];
  for (const u of units) {
    const node = nodes.get(u.id)!;
    const parent = u.parentId ? nodes.get(u.parentId) : undefined;
    // A unit whose parent is missing (should not happen) is still shown, at the top.
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: UnitNode[]) => {
    list.sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function indexById<T extends { id: string }>(items: readonly T[] | null): Map<string, T> {
  return new Map((items ?? []).map((i) => [i.id, i]));
}

export type { OrgUnitView, RoleView, UserView };
