import { PlusOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { App, Button, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isPendingApproval } from '../../../shared/api/desktop-api';
import { ADMIN_ACTIONS, DATA_SCOPES, ENTITY_TYPES, FIELD_LEVELS, RECORD_VERBS, type Action } from '../../../shared/domain/model';
import type { RoleView } from '../../../shared/protocol/routes';
import { useApi, useResult } from '../../app/context';
import { roleLabel } from '../../lib/role-label';
import { useLoad } from '../../lib/use-load';

type OfflineNumber = 'leaseHours' | 'wipeAfterHours' | 'maxDevices';
type OfflineFlag = 'offlineAllowed' | 'exportAllowed';

type MatrixRow =
  | { key: string; kind: 'group'; label: string }
  | { key: string; kind: 'action'; label: string; action: Action }
  | { key: string; kind: 'scope' | 'readClearance' | 'writeClearance'; label: string }
  | { key: string; kind: 'flag'; label: string; flag: OfflineFlag }
  | { key: string; kind: 'number'; label: string; field: OfflineNumber; min: number; max: number };

/** Only the changed parts of a role, as the update patch. */
function rolePatch(original: RoleView, draft: RoleView) {
  const patch: Partial<Omit<RoleView, 'id' | 'key'>> = {};
  if (JSON.stringify([...original.actions].sort()) !== JSON.stringify([...draft.actions].sort())) patch.actions = draft.actions;
  if (original.dataScope !== draft.dataScope) patch.dataScope = draft.dataScope;
  if (original.readClearance !== draft.readClearance) patch.readClearance = draft.readClearance;
  if (original.writeClearance !== draft.writeClearance) patch.writeClearance = draft.writeClearance;
  if (JSON.stringify(original.offline) !== JSON.stringify(draft.offline)) patch.offline = draft.offline;
  return patch;
}

/** The editable permission matrix: actions × roles, data scope, clearances and offline policy. */
export function RolesView() {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const { message } = App.useApp();
  const roles = useLoad('roles', () => api.adminListRoles());
  /** Unsaved edits by role id; a role without an entry shows its saved state. */
  const [edits, setEdits] = useState<Record<string, RoleView>>({});
  const [saving, setSaving] = useState(false);
  const [creating, setCreating] = useState(false);
  const draftOf = (role: RoleView): RoleView => edits[role.id] ?? role;

  const dirty = useMemo(
    () => (roles.value ?? []).filter((r) => edits[r.id] && Object.keys(rolePatch(r, edits[r.id]!)).length > 0),
    [roles.value, edits],
  );

  const rows: MatrixRow[] = useMemo(() => {
    const out: MatrixRow[] = [];
    for (const entity of ENTITY_TYPES) {
      out.push({ key: `g-${entity}`, kind: 'group', label: t(`admin.roles.group.${entity}`) });
      for (const verb of RECORD_VERBS) out.push({ key: `${entity}.${verb}`, kind: 'action', label: t(`actions.${verb}`), action: `${entity}.${verb}` });
    }
    out.push({ key: 'g-admin', kind: 'group', label: t('admin.roles.group.admin') });
    for (const a of ADMIN_ACTIONS) out.push({ key: a, kind: 'action', label: t(`actions.${a}`), action: a });
    out.push({ key: 'g-scope', kind: 'group', label: t('admin.roles.scopeAndClearance') });
    out.push({ key: 'scope', kind: 'scope', label: t('admin.roles.dataScope') });
    out.push({ key: 'readClearance', kind: 'readClearance', label: t('admin.roles.readClearance') });
    out.push({ key: 'writeClearance', kind: 'writeClearance', label: t('admin.roles.writeClearance') });
    out.push({ key: 'g-offline', kind: 'group', label: t('admin.roles.offline') });
    out.push({ key: 'offlineAllowed', kind: 'flag', label: t('admin.roles.offlineAllowed'), flag: 'offlineAllowed' });
    out.push({ key: 'leaseHours', kind: 'number', label: t('admin.roles.leaseHours'), field: 'leaseHours', min: 1, max: 24 * 90 });
    out.push({ key: 'wipeAfterHours', kind: 'number', label: t('admin.roles.wipeAfterHours'), field: 'wipeAfterHours', min: 1, max: 24 * 365 });
    out.push({ key: 'exportAllowed', kind: 'flag', label: t('admin.roles.exportAllowed'), flag: 'exportAllowed' });
    out.push({ key: 'maxDevices', kind: 'number', label: t('admin.roles.maxDevices'), field: 'maxDevices', min: 0, max: 50 });
    return out;
  }, [t]);

  function update(roleId: string, change: (r: RoleView) => RoleView) {
    const saved = roles.value?.find((r) => r.id === roleId);
    if (!saved) return;
    setEdits((e) => ({ ...e, [roleId]: change(e[roleId] ?? saved) }));
  }

  function cell(role: RoleView, row: MatrixRow): ReactNode {
    const draft = draftOf(role);
    const name = roleLabel(t, role);
    const aria = `${name}: ${row.label}`;
    switch (row.kind) {
      case 'group':
        return null;
      case 'action':
        return (
          <Checkbox
            aria-label={aria}
            checked={draft.actions.includes(row.action)}
            onChange={(e) =>
              update(role.id, (r) => ({
                ...r,
                actions: e.target.checked ? [...r.actions, row.action] : r.actions.filter((a) => a !== row.action),
              }))
            }
          />
        );
      case 'scope':
        return (
          <Select
            aria-label={aria}
            size="small"
            style={{ width: '100%' }}
            value={draft.dataScope}
            options={DATA_SCOPES.map((s) => ({ value: s, label: t(`scopes.${s}`) }))}
            onChange={(v) => update(role.id, (r) => ({ ...r, dataScope: v }))}
          />
        );
      case 'readClearance':
      case 'writeClearance': {
        const field = row.kind;
        return (
          <Select
            aria-label={aria}
            size="small"
            style={{ width: '100%' }}
            value={draft[field]}
            options={FIELD_LEVELS.map((l) => ({ value: l, label: t(`levels.${l}`) }))}
            onChange={(v) => update(role.id, (r) => ({ ...r, [field]: v }))}
          />
        );
      }
      case 'flag':
        return (
          <Checkbox
            aria-label={aria}
            checked={draft.offline[row.flag]}
            onChange={(e) => update(role.id, (r) => ({ ...r, offline: { ...r.offline, [row.flag]: e.target.checked } }))}
          />
        );
      case 'number':
        return (
          <InputNumber
            aria-label={aria}
            size="small"
            min={row.min}
            max={row.max}
            precision={0}
            style={{ width: '100%' }}
            value={draft.offline[row.field]}
            onChange={(v) => typeof v === 'number' && update(role.id, (r) => ({ ...r, offline: { ...r.offline, [row.field]: v } }))}
          />
        );
    }
  }

  async function save() {
    setSaving(true);
    let saved = 0;
    let pending = 0;
    for (const role of dirty) {
      const updated = show(await api.adminUpdateRole({ id: role.id, patch: rolePatch(role, edits[role.id]!) }));
      if (!updated) break;
      // A change that widens access is not applied yet: it waits for a second administrator,
      // so the matrix keeps showing the role as it is.
      if (isPendingApproval(updated)) pending++;
      else {
        saved++;
        roles.setValue((list) => list?.map((r) => (r.id === updated.id ? updated : r)) ?? null);
      }
      setEdits((e) => {
        const { [role.id]: _saved, ...rest } = e;
        return rest;
      });
    }
    setSaving(false);
    if (saved) void message.success(t('admin.roles.saved', { count: saved }));
    if (pending) void message.info({ content: t('admin.approvals.sentForApproval'), key: 'sent-for-approval', duration: 6 });
  }

  const columns: ColumnsType<MatrixRow> = [
    {
      key: 'label',
      title: t('admin.roles.permission'),
      fixed: 'left',
      width: 180,
      render: (_, row) =>
        row.kind === 'group' ? <Typography.Text strong>{row.label}</Typography.Text> : <span style={{ paddingInlineStart: 12 }}>{row.label}</span>,
    },
    ...(roles.value ?? []).map((role) => ({
      key: role.id,
      width: 132,
      align: 'center' as const,
      title: (
        <Space orientation="vertical" size={0}>
          <span>{roleLabel(t, role)}</span>
          {role.key && <Tag style={{ marginInlineEnd: 0, fontSize: 10 }}>{t('admin.roles.builtIn')}</Tag>}
        </Space>
      ),
      onCell: (row: MatrixRow) => (row.kind === 'group' ? { style: { background: '#fafafa' } } : {}),
      render: (_: unknown, row: MatrixRow) => cell(role, row),
    })),
  ];

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('admin.roles.title')}</h1>
        <Space>
          {dirty.length > 0 && <Typography.Text type="warning">{t('admin.roles.unsaved', { count: dirty.length })}</Typography.Text>}
          <Button icon={<UndoOutlined />} disabled={!dirty.length} onClick={() => setEdits({})}>
            {t('common.cancel')}
          </Button>
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('admin.roles.create')}</Button>
          <Button type="primary" icon={<SaveOutlined />} disabled={!dirty.length} loading={saving} onClick={save}>
            {t('admin.roles.save')}
          </Button>
        </Space>
      </div>
      <Table<MatrixRow>
        className="sv-panel sv-matrix"
        size="small"
        rowKey="key"
        loading={roles.loading}
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        bordered
        aria-label={t('admin.roles.matrix')}
      />
      <CreateRoleModal
        open={creating}
        roles={roles.value ?? []}
        onClose={() => setCreating(false)}
        onCreated={(role) => {
          roles.setValue((list) => [...(list ?? []), role]);
          setCreating(false);
        }}
      />
    </div>
  );
}

function CreateRoleModal({ open, roles, onClose, onCreated }: { open: boolean; roles: RoleView[]; onClose: () => void; onCreated: (r: RoleView) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const [form] = Form.useForm<{ name: string; copyFrom: string }>();
  const [saving, setSaving] = useState(false);

  async function submit() {
    let v: { name: string; copyFrom: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const source = roles.find((r) => r.id === v.copyFrom);
    if (!source) return;
    setSaving(true);
    const created = show(
      await api.adminCreateRole({
        name: v.name.trim(),
        actions: source.actions,
        dataScope: source.dataScope,
        readClearance: source.readClearance,
        writeClearance: source.writeClearance,
        offline: source.offline,
      }),
    );
    setSaving(false);
    if (created) {
      form.resetFields();
      onCreated(created);
    }
  }

  return (
    <Modal open={open} title={t('admin.roles.create')} onCancel={onClose} onOk={submit} confirmLoading={saving} okText={t('common.create')} cancelText={t('common.cancel')} forceRender>
      <Form form={form} name="role-form" layout="vertical">
        <Form.Item name="name" label={t('admin.roles.name')} rules={[{ required: true, whitespace: true, max: 64, message: t('common.required', { field: t('admin.roles.name') }) }]}>
          <Input />
        </Form.Item>
        <Form.Item name="copyFrom" label={t('admin.roles.copyFrom')} rules={[{ required: true, message: t('common.required', { field: t('admin.roles.copyFrom') }) }]}>
          <Select options={roles.map((r) => ({ value: r.id, label: roleLabel(t, r) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
