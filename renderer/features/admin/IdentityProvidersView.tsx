import { KeyOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tag, TreeSelect, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupRuleView, IdentityProviderView } from '../../../shared/protocol/sso';
import { useApi, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';
import { roleLabel } from '../../lib/role-label';
import { useLoad } from '../../lib/use-load';
import { buildUnitTree, indexById } from './admin-data';

/**
 * IT's single sign-on and provisioning settings: identity providers, each provider's SCIM token
 * (shown once at creation) and the rules that map the provider's groups to a role and a unit.
 */
export function IdentityProvidersView() {
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const show = useResult();
  const { message } = App.useApp();
  const providers = useLoad('identity-providers', () => api.adminListIdentityProviders());
  const roles = useLoad('roles', () => api.adminListRoles());
  const units = useLoad('units', () => api.adminListUnits());
  const [adding, setAdding] = useState(false);
  const [token, setToken] = useState<{ provider: string; token: string; scimBaseUrl: string } | null>(null);
  const roleById = indexById(roles.value);
  const unitById = indexById(units.value);

  async function rotate(p: IdentityProviderView) {
    const issued = show(await api.adminRotateScimToken({ id: p.id }));
    if (!issued) return;
    setToken({ provider: p.name, token: issued.token, scimBaseUrl: issued.scimBaseUrl });
    void providers.reload();
  }

  return (
    <div className="sv-page">
      <div className="sv-page-title">
        <h1>{t('admin.identity.title')}</h1>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void providers.reload()}>{t('common.refresh')}</Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>{t('admin.identity.add')}</Button>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('admin.identity.intro')}</Typography.Paragraph>
      <Table<IdentityProviderView>
        className="sv-panel"
        size="small"
        rowKey="id"
        loading={providers.loading}
        dataSource={providers.value ?? []}
        pagination={false}
        expandable={{ expandedRowRender: (p) => <GroupRules provider={p} roleName={(id) => { const r = roleById.get(id); return r ? roleLabel(t, r) : id; }} unitName={(id) => unitById.get(id)?.name ?? id} /> }}
        columns={[
          { key: 'name', title: t('admin.identity.name'), render: (_, p) => <Space>{p.name}{!p.enabled && <Tag>{t('admin.identity.disabled')}</Tag>}</Space> },
          { key: 'issuer', title: t('admin.identity.issuer'), render: (_, p) => <Typography.Text code>{p.issuer}</Typography.Text> },
          { key: 'client', title: t('admin.identity.clientId'), dataIndex: 'clientId' },
          {
            key: 'mfa', title: t('admin.identity.mfa'),
            render: (_, p) => (p.trustMfa ? <Tag color="green">{t('admin.identity.mfaTrusted', { values: p.mfaValues.join(', ') })}</Tag> : <Tag>{t('admin.identity.mfaTotp')}</Tag>),
          },
          {
            key: 'scim', title: t('admin.identity.scimToken'),
            render: (_, p) => (
              <Space>
                {p.scimTokenHint ? <span>{p.scimTokenHint} · {formatDateTime(p.scimTokenCreatedAt!, locale)}</span> : <Typography.Text type="secondary">{t('admin.identity.noToken')}</Typography.Text>}
                <Popconfirm title={t('admin.identity.rotateConfirm')} onConfirm={() => void rotate(p)} okText={t('admin.identity.rotate')} cancelText={t('common.cancel')}>
                  <Button size="small" icon={<KeyOutlined />}>{p.scimTokenHint ? t('admin.identity.rotate') : t('admin.identity.issue')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <ProviderForm
        open={adding}
        onClose={() => setAdding(false)}
        unitTree={buildUnitTree(units.value ?? [])}
        roles={(roles.value ?? []).map((r) => ({ value: r.id, label: roleLabel(t, r) }))}
        onCreated={(p) => {
          setAdding(false);
          void message.success(t('admin.identity.added', { name: p.name }));
          void providers.reload();
        }}
      />
      <Modal open={!!token} title={t('admin.identity.tokenTitle', { provider: token?.provider ?? '' })} onCancel={() => setToken(null)} footer={<Button type="primary" onClick={() => setToken(null)}>{t('admin.identity.tokenDone')}</Button>}>
        <Typography.Paragraph type="warning">{t('admin.identity.tokenOnce')}</Typography.Paragraph>
        <Typography.Text strong>{t('admin.identity.scimBaseUrl')}</Typography.Text>
        <Typography.Paragraph copyable code data-testid="scim-base-url">{token?.scimBaseUrl}</Typography.Paragraph>
        <Typography.Text strong>{t('admin.identity.scimToken')}</Typography.Text>
        <Typography.Paragraph copyable code className="sv-uri" data-testid="scim-token">{token?.token}</Typography.Paragraph>
      </Modal>
    </div>
  );
}

interface ProviderFormValues {
  name: string;
  issuer: string;
  clientId: string;
  defaultUnitId: string;
  trustMfa: boolean;
  passwordRoleIds: string[];
}

function ProviderForm(props: {
  open: boolean;
  onClose(): void;
  onCreated(p: IdentityProviderView): void;
  unitTree: ReturnType<typeof buildUnitTree>;
  roles: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const [form] = Form.useForm<ProviderFormValues>();
  const [saving, setSaving] = useState(false);

  async function submit() {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setSaving(true);
    const created = show(await api.adminCreateIdentityProvider({
      name: v.name, issuer: v.issuer.trim(), clientId: v.clientId.trim(), defaultUnitId: v.defaultUnitId, trustMfa: v.trustMfa,
      passwordRoleIds: v.passwordRoleIds.length ? v.passwordRoleIds : null,
    }));
    setSaving(false);
    if (!created) return;
    form.resetFields();
    props.onCreated(created);
  }

  const required = (field: string) => ({ required: true, whitespace: true, message: t('common.required', { field }) });
  return (
    <Modal open={props.open} title={t('admin.identity.add')} onCancel={props.onClose} onOk={() => void submit()} confirmLoading={saving} okText={t('common.save')} cancelText={t('common.cancel')}>
      <Form form={form} name="idp-form" layout="vertical" initialValues={{ trustMfa: false, passwordRoleIds: [] }}>
        <Form.Item name="name" label={t('admin.identity.name')} rules={[required(t('admin.identity.name'))]}><Input placeholder="Acme Entra ID" /></Form.Item>
        <Form.Item name="issuer" label={t('admin.identity.issuer')} extra={t('admin.identity.issuerHint')} rules={[{ required: true, type: 'url', message: t('admin.identity.issuerHint') }]}>
          <Input placeholder="https://login.microsoftonline.com/<tenant>/v2.0" />
        </Form.Item>
        <Form.Item name="clientId" label={t('admin.identity.clientId')} extra={t('admin.identity.redirectHint')} rules={[required(t('admin.identity.clientId'))]}><Input /></Form.Item>
        <Form.Item name="defaultUnitId" label={t('admin.identity.defaultUnit')} extra={t('admin.identity.defaultUnitHint')} rules={[{ required: true, message: t('common.required', { field: t('admin.identity.defaultUnit') }) }]}>
          <TreeSelect treeData={props.unitTree} treeDefaultExpandAll />
        </Form.Item>
        <Form.Item name="trustMfa" label={t('admin.identity.trustMfa')} extra={t('admin.identity.trustMfaHint')} valuePropName="checked"><Switch /></Form.Item>
        <Form.Item name="passwordRoleIds" label={t('admin.identity.passwordRoles')} extra={t('admin.identity.passwordRolesHint')}>
          <Select mode="multiple" options={props.roles} allowClear />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function GroupRules(props: { provider: IdentityProviderView; roleName(id: string): string; unitName(id: string): string }) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const rules = useLoad(`rules:${props.provider.id}`, () => api.adminListGroupRules({ id: props.provider.id }));
  const roles = useLoad('roles', () => api.adminListRoles());
  const units = useLoad('units', () => api.adminListUnits());
  const [form] = Form.useForm<{ groupName: string; roleId: string; unitId: string; priority: number; allowAdminRole: boolean }>();

  async function add() {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    if (!show(await api.adminCreateGroupRule({ id: props.provider.id, ...v }))) return;
    form.resetFields();
    void rules.reload();
  }

  async function remove(rule: GroupRuleView) {
    if (show(await api.adminDeleteGroupRule({ id: props.provider.id, ruleId: rule.id }))) void rules.reload();
  }

  return (
    <div data-testid={`group-rules-${props.provider.id}`}>
      <Typography.Text strong>{t('admin.identity.rules')}</Typography.Text>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>{t('admin.identity.rulesHint')}</Typography.Paragraph>
      <Table<GroupRuleView>
        size="small" rowKey="id" pagination={false} loading={rules.loading} dataSource={rules.value ?? []}
        columns={[
          { key: 'group', title: t('admin.identity.group'), dataIndex: 'groupName' },
          { key: 'role', title: t('admin.identity.role'), render: (_, r) => <Space>{props.roleName(r.roleId)}{r.allowAdminRole && <Tag color="orange">{t('admin.identity.adminAllowed')}</Tag>}</Space> },
          { key: 'unit', title: t('admin.identity.unit'), render: (_, r) => props.unitName(r.unitId) },
          { key: 'priority', title: t('admin.identity.priority'), dataIndex: 'priority' },
          { key: 'actions', title: '', render: (_, r) => <Button size="small" danger onClick={() => void remove(r)}>{t('admin.identity.removeRule')}</Button> },
        ]}
      />
      <Form form={form} layout="inline" name={`rule-${props.provider.id}`} style={{ marginTop: 8, rowGap: 8 }} initialValues={{ priority: 100, allowAdminRole: false }}>
        <Form.Item name="groupName" rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('admin.identity.group') }) }]}>
          <Input placeholder={t('admin.identity.group')} style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="roleId" rules={[{ required: true, message: t('common.required', { field: t('admin.identity.role') }) }]}>
          <Select placeholder={t('admin.identity.role')} style={{ width: 160 }} options={(roles.value ?? []).map((r) => ({ value: r.id, label: roleLabel(t, r) }))} />
        </Form.Item>
        <Form.Item name="unitId" rules={[{ required: true, message: t('common.required', { field: t('admin.identity.unit') }) }]}>
          <TreeSelect placeholder={t('admin.identity.unit')} style={{ width: 180 }} treeData={buildUnitTree(units.value ?? [])} treeDefaultExpandAll />
        </Form.Item>
        <Form.Item name="priority"><InputNumber min={0} max={10000} style={{ width: 90 }} /></Form.Item>
        <Form.Item name="allowAdminRole" valuePropName="checked" label={t('admin.identity.allowAdmin')}><Switch size="small" /></Form.Item>
        <Button onClick={() => void add()} icon={<PlusOutlined />}>{t('admin.identity.addRule')}</Button>
      </Form>
    </div>
  );
}
