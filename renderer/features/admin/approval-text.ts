import type { TFunction } from 'i18next';
import type { ApprovalView } from '../../../shared/protocol/routes';

interface Names {
  user: (id: string) => string;
  role: (id: string) => string;
  unit: (id: string) => string;
}

/**
 * One sentence saying what a pending change does, in the interface language. Customers are
 * named by id: an administrator's vault holds no customer data.
 */
export function describeApproval(a: ApprovalView, t: TFunction, names: Names): string {
  const c = a.change;
  switch (c.kind) {
    case 'user.create':
      return t('admin.approvals.what.userCreate', { username: c.user.username, role: names.role(c.user.roleId) });
    case 'user.update': {
      const parts: string[] = [];
      if (c.patch.roleId) parts.push(t('admin.approvals.what.toRole', { role: names.role(c.patch.roleId) }));
      if (c.patch.unitId) parts.push(t('admin.approvals.what.toUnit', { unit: names.unit(c.patch.unitId) }));
      if (c.patch.managedUnitIds) parts.push(t('admin.approvals.what.manages', { count: c.patch.managedUnitIds.length }));
      return t('admin.approvals.what.userUpdate', { user: names.user(c.userId), changes: parts.join(t('admin.approvals.what.separator')) });
    }
    case 'role.update': {
      const parts: string[] = [];
      if (c.patch.actions) parts.push(t('admin.approvals.what.actions', { count: c.patch.actions.length }));
      if (c.patch.dataScope) parts.push(t('admin.approvals.what.scope', { scope: t(`scopes.${c.patch.dataScope}`) }));
      if (c.patch.readClearance) parts.push(t('admin.approvals.what.readClearance', { level: t(`levels.${c.patch.readClearance}`) }));
      if (c.patch.writeClearance) parts.push(t('admin.approvals.what.writeClearance', { level: t(`levels.${c.patch.writeClearance}`) }));
      if (c.patch.offline) parts.push(t('admin.approvals.what.offline'));
      return t('admin.approvals.what.roleUpdate', { role: names.role(c.roleId), changes: parts.join(t('admin.approvals.what.separator')) });
    }
    case 'share.create':
      return t('admin.approvals.what.share', {
        customer: c.share.customerId,
        grantee: c.share.granteeType === 'user' ? names.user(c.share.granteeId) : names.unit(c.share.granteeId),
        access: t(`admin.approvals.access.${c.share.access}`),
      });
    case 'classification.set':
      return t('admin.approvals.what.fieldLevel', { field: `${c.change.entity}.${c.change.field}`, level: t(`levels.${c.change.level}`) });
  }
}
