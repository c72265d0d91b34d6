import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isPendingApproval } from '../../../shared/api/desktop-api';
import type { UserView } from '../../../shared/protocol/routes';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/role-label';
import { useLoad } from '../../lib/use-load';
import { buildUnitTree, indexById } from './admin-data';
import { userMatches } from './device-filter';
import { UserActions } from './UserActions';

const USERNAME_PATTERN = /^[a-z0-9._-]{2,64}$/i;

interface UserFormValues {
  username: string;
  displayName: string;
  password: string;
  unitId: string;
  roleId: string;
  managedUnitIds: string[];
}

export function UsersView() {
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const users = useLoad('users', () => api.adminListUsers());
  const roles = useLoad('roles', () => api.adminListRoles());
  const units = useLoad('units', () => api.adminListUnits());
  const unitTree = useMemo(() => buildUnitTree(units.value ?? []), [units.value]);
  const unitById = indexById(units.value);
  const roleById = indexById(roles.value);
  const [editing, setEditing] = useState<UserView | 'new' | null>(null);
  const [query, setQuery] = useState('');
  const selfId = useAppState().user?.id;
  const replaceUser = (user: UserView) => users.setValue((list) => list?.map((u) => (u.id === user.id ? user : u)) ?? null);

  async function deactivate(user: UserView) {
    const r = show(await api.adminDeactivateUser({ id: user.id }));
    if (!r) return;
    void message.success(t('admin.users.deactivated_done', { count: r.revokedDevices }));
    users.setValue((list) => list?.map((u) => (u.id === r.user.id ? r.user : u)) ?? null);
  }

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('admin.users.title')}</h1>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void users.reload()}>{t('common.refresh')}</Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>{t('admin.users.create')}</Button>
        </Space>
      </div>
      <Input.Search
        allowClear
        style={{ width: 320, marginBottom: 12 }}
        placeholder={t('admin.users.searchPlaceholder')}
        aria-label={t('admin.users.searchPlaceholder')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <Table<UserView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={users.loading}
        dataSource={(users.value ?? []).filter((u) => userMatches(u, query))}
        pagination={{ pageSize: 50, size: 'small', hideOnSinglePage: true }}
        columns={[
          { key: 'displayName', title: t('admin.users.displayName'), dataIndex: 'displayName', sorter: (a, b) => a.displayName.localeCompare(b.displayName, locale) },
          { key: 'username', title: t('admin.users.username'), dataIndex: 'username', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { key: 'unit', title: t('admin.users.unit'), render: (_, u) => unitById.get(u.unitId)?.name ?? u.unitId },
          {
            key: 'role',
            title: t('admin.users.role'),
            render: (_, u) => {
              const role = roleById.get(u.roleId);
              return role ? roleLabel(t, role) : u.roleId;
            },
            filters: (roles.value ?? []).map((r) => ({ text: roleLabel(t, r), value: r.id })),
            onFilter: (value, u) => u.roleId === value,
          },
          {
            key: 'status',
            title: t('admin.users.status'),
            render: (_, u) => (
              <Space size={4}>
                {u.status === 'active' ? <Tag color="green">{t('admin.users.active')}</Tag> : <Tag>{t('admin.users.deactivated')}</Tag>}
                {u.lockedUntil && u.lockedUntil > Date.now() && <Tag color="red">{t('admin.users.lockedUntil', { time: formatDateTime(u.lockedUntil, locale) })}</Tag>}
              </Space>
            ),
          },
          { key: 'mfa', title: t('admin.users.mfa'), render: (_, u) => (u.mfaEnrolled ? t('admin.users.mfaEnrolled') : <Typography.Text type="warning">{t('admin.users.mfaPending')}</Typography.Text>) },
          { key: 'lastSignIn', title: t('admin.users.lastSignIn'), render: (_, u) => (u.lastSignInAt ? formatDateTime(u.lastSignInAt, locale) : t('common.never')) },
          {
            key: 'actions',
            title: t('common.actions'),
            width: 260,
            render: (_, u) =>
              u.status === 'active' ? (
                <Space size={0}>
                  {u.id !== selfId && <UserActions user={u} onUser={replaceUser} />}
                  <Button type="link" size="small" onClick={() => setEditing(u)} aria-label={`${t('admin.users.edit')}: ${u.displayName}`}>
                    {t('admin.users.edit')}
                  </Button>
                  <Popconfirm
                    title={t('admin.users.deactivate')}
                    description={<div style={{ maxWidth: 280 }}>{t('admin.users.deactivateConfirm', { name: u.displayName })}</div>}
                    okText={t('admin.users.deactivate')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('common.cancel')}
                    onConfirm={() => deactivate(u)}
                  >
                    <Button type="link" size="small" danger aria-label={`${t('admin.users.deactivate')}: ${u.displayName}`}>
                      {t('admin.users.deactivate')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : null,
          },
        ]}
      />
      <UserForm
        editing={editing}
        roles={(roles.value ?? []).map((r) => ({ value: r.id, label: roleLabel(t, r) }))}
        unitTree={unitTree}
        onClose={() => setEditing(null)}
        onSaved={(user) => {
          users.setValue((list) => {
            const rest = (list ?? []).filter((u) => u.id !== user.id);
            return [...rest, user];
          });
          setEditing(null);
        }}
      />
    </div>
  );
}

function UserForm({
  editing,
  roles,
  unitTree,
  onClose,
  onSaved,
}: {
  editing: UserView | 'new' | null;
  roles: { value: string; label: string }[];
  unitTree: ReturnType<typeof buildUnitTree>;
  onClose: () => void;
  onSaved: (user: UserView) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserFormValues>();
  const [saving, setSaving] = useState(false);
  const isNew = editing === 'new';

  useEffect(() => {
    if (!editing) return;
    form.resetFields();
    if (editing !== 'new') {
      form.setFieldsValue({ displayName: editing.displayName, unitId: editing.unitId, roleId: editing.roleId, managedUnitIds: editing.managedUnitIds });
    } else {
      form.setFieldsValue({ managedUnitIds: [] });
    }
  }, [editing, form]);

  async function submit() {
    let v: UserFormValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const result =
      editing === 'new'
        ? await api.adminCreateUser({
            username: v.username.trim(),
            displayName: v.displayName.trim(),
            password: v.password,
            unitId: v.unitId,
            roleId: v.roleId,
            managedUnitIds: v.managedUnitIds ?? [],
          })
        : editing
          ? await api.adminUpdateUser({
              id: editing.id,
              patch: { displayName: v.displayName.trim(), unitId: v.unitId, roleId: v.roleId, managedUnitIds: v.managedUnitIds ?? [] },
            })
          : null;
    setSaving(false);
    const user = result ? show(result) : undefined;
    if (user && isPendingApproval(user)) {
      void message.info({ content: t('admin.approvals.sentForApproval'), key: 'sent-for-approval', duration: 6 });
      onClose();
    } else if (user) onSaved(user);
  }

  const title = isNew ? t('admin.users.create') : editing ? t('admin.users.editTitle', { name: editing.displayName }) : '';
  return (
    <Modal open={!!editing} title={title} onCancel={onClose} onOk={submit} confirmLoading={saving} okText={t('common.save')} cancelText={t('common.cancel')} forceRender>
      <Form form={form} name="user-form" layout="vertical">
        {isNew && (
          <Form.Item name="username" label={t('admin.users.username')} rules={[{ required: true, pattern: USERNAME_PATTERN, message: t('admin.users.usernameInvalid') }]}>
            <Input autoComplete="off" />
          </Form.Item>
        )}
        <Form.Item name="displayName" label={t('admin.users.displayName')} rules={[{ required: true, whitespace: true, max: 100, message: t('common.required', { field: t('admin.users.displayName') }) }]}>
          <Input />
        </Form.Item>
        {isNew && (
          <Form.Item name="password" label={t('admin.users.password')} extra={t('admin.users.passwordHint')} rules={[{ required: true, min: 8, max: 256, message: t('admin.users.passwordHint') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="unitId" label={t('admin.users.unit')} rules={[{ required: true, message: t('common.required', { field: t('admin.users.unit') }) }]}>
          <TreeSelect treeData={unitTree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
        </Form.Item>
        <Form.Item name="roleId" label={t('admin.users.role')} rules={[{ required: true, message: t('common.required', { field: t('admin.users.role') }) }]}>
          <Select options={roles} />
        </Form.Item>
        <Form.Item name="managedUnitIds" label={t('admin.users.managedUnits')}>
          <TreeSelect treeData={unitTree} multiple treeDefaultExpandAll showSearch treeNodeFilterProp="title" allowClear />
        </Form.Item>
      </Form>
    </Modal>
  );
}
