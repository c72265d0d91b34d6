import { DownOutlined } from '@ant-design/icons';
import { App, Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import type { UserView } from '../../../shared/protocol/routes';
import { useApi, useResult } from '../../app/context';
import { useIncidentNav } from '../audit/incident-nav';

type UserAction = 'unlock' | 'resetMfa' | 'signOutEverywhere' | 'revokeDevices';
const INCIDENT = 'incident';
const ACTIONS: readonly UserAction[] = ['unlock', 'resetMfa', 'signOutEverywhere', 'revokeDevices'];

/**
 * The help-desk and incident actions on one user, each behind a confirmation. Not offered on
 * one's own account (the server refuses it too: another administrator acts on an administrator).
 */
export function UserActions({ user, onUser, inIncident = false }: { user: UserView; onUser: (user: UserView) => void; inIncident?: boolean }) {
  const { t } = useTranslation();
  // The person's incident view (where the audit trail is offered), unless this is it already.
  const incidentNav = useIncidentNav();
  const offerIncident = !inIncident && incidentNav !== null;
  const api = useApi();
  const show = useResult();
  const { modal, message } = App.useApp();

  async function run(action: UserAction): Promise<void> {
    if (action === 'unlock' || action === 'resetMfa') {
      const updated = show(await (action === 'unlock' ? api.adminUnlockUser({ id: user.id }) : api.adminResetUserMfa({ id: user.id })));
      if (!updated) return;
      onUser(updated);
      void message.success(t(`admin.users.actions.${action}Done`, { name: user.displayName }));
    } else if (action === 'signOutEverywhere') {
      const r = show(await api.adminSignOutUserEverywhere({ id: user.id }));
      if (r) void message.success(t('admin.users.actions.signOutEverywhereDone', { name: user.displayName, count: r.signedOutDevices }));
    } else {
      const r = show(await api.adminRevokeUserDevices({ id: user.id }));
      if (r) void message.success(t('admin.users.actions.revokeDevicesDone', { name: user.displayName, count: r.length }));
    }
  }

  function confirm(action: UserAction): void {
    const danger = action === 'signOutEverywhere' || action === 'revokeDevices';
    modal.confirm({
      title: `${t(`admin.users.actions.${action}`)}: ${user.displayName} (${user.username})`,
      content: t(`admin.users.actions.${action}Confirm`, { name: user.displayName }),
      okText: t(`admin.users.actions.${action}`),
      okButtonProps: { danger },
      cancelText: t('common.cancel'),
      onOk: () => run(action),
    });
  }

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          ...(offerIncident ? [{ key: INCIDENT, label: t('audit.openIncident') }, { type: 'divider' as const }] : []),
          ...ACTIONS.map((a) => ({ key: a, label: t(`admin.users.actions.${a}`), danger: a === 'revokeDevices' || a === 'signOutEverywhere' })),
        ],
        onClick: ({ key }) => (key === INCIDENT ? incidentNav?.open({ kind: 'user', id: user.id }) : confirm(key as UserAction)),
      }}
    >
      <Button type="link" size="small" aria-label={`${t('admin.users.actions.more')}: ${user.displayName}`}>
        {t('admin.users.actions.more')} <DownOutlined />
      </Button>
    </Dropdown>
  );
}
