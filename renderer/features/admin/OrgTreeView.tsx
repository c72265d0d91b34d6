import { ApartmentOutlined, BankOutlined, ClusterOutlined, TeamOutlined } from '@ant-design/icons';
import { Empty, Skeleton, Space, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';
import { useLoad } from '../../lib/use-load';
import { buildUnitTree, type UnitNode } from './admin-data';

const KIND_ICONS = { company: <BankOutlined />, region: <ClusterOutlined />, branch: <ApartmentOutlined />, team: <TeamOutlined /> };

/** The org tree (company → region → branch → team) with the number of people in each unit. */
export function OrgTreeView() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const canListUsers = capabilitiesOf(state.user).listUsers;
  const units = useLoad('units', () => api.adminListUnits());
  const users = useLoad(`users:${canListUsers}`, async () => (canListUsers ? api.adminListUsers() : { ok: true as const, value: [] }));

  const memberCount = useMemo(() => {
    const counts = new Map<string, number>();
    for (const u of users.value ?? []) if (u.status === 'active') counts.set(u.unitId, (counts.get(u.unitId) ?? 0) + 1);
    return counts;
  }, [users.value]);

  const treeData = useMemo(() => {
    const toData = (nodes: UnitNode[]): DataNode[] =>
      nodes.map((n) => ({
        key: n.key,
        icon: KIND_ICONS[n.kind],
        title: (
          <Space size={6}>
            <span>{n.title}</span>
            <Tag style={{ fontSize: 11 }}>{t(`unitKinds.${n.kind}`)}</Tag>
            {canListUsers && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('admin.org.members', { count: memberCount.get(n.key) ?? 0 })}</Typography.Text>}
          </Space>
        ),
        children: toData(n.children),
      }));
    return toData(buildUnitTree(units.value ?? []));
  }, [units.value, memberCount, canListUsers, t]);

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('admin.org.title')}</h1>
      </div>
      <div className="sv-panel" style={{ padding: 12 }}>
        {units.loading && !units.value ? (
          <Skeleton active />
        ) : treeData.length ? (
          <Tree showIcon defaultExpandAll treeData={treeData} selectable={false} aria-label={t('admin.org.title')} />
        ) : (
          <Empty />
        )}
      </div>
    </div>
  );
}
