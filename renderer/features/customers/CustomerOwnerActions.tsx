import { DeleteOutlined, SwapOutlined } from '@ant-design/icons';
import { App as AntApp, Alert, Button, Descriptions, Form, Modal, Select, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerDetail } from '../../../shared/api/desktop-api';
import { RECYCLE_BIN_DAYS } from '../../../shared/protocol/recycle-bin';
import { useApi, useAppState, useResult } from '../../app/context';
import { capabilitiesOf } from '../../lib/capabilities';

// The customer detail's reassign and delete actions (docs/reassign-and-delete.md), offered when
// the role holds the action and the customer is writable for the user. Both are local edits
// through the outbox (they work offline); the server re-checks them when they are pushed.

type Person = { id: string; name: string };

/**
 * Picks a new owner from the people in the user's scope the vault knows (the owner directory) and
 * moves the customer, or a single opportunity, to them through the outbox. Answers with the
 * refreshed customer detail.
 */
export function ReassignDialog({ entity, id, name, onClose, onDone }: {
  entity: 'customer' | 'opportunity';
  id: string;
  name: string;
  onClose: () => void;
  onDone: (next: CustomerDetail) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const { message } = AntApp.useApp();
  const [targets, setTargets] = useState<{ owner: Person; people: Person[] } | null>(null);
  const [ownerId, setOwnerId] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    void api.reassignTargets({ id, entity }).then((r) => {
      const value = show(r);
      if (value) setTargets(value);
      else onClose();
    });
  }, [api, id, entity, show, onClose]);

  async function submit() {
    if (!ownerId) return;
    setSaving(true);
    const input = { id, ownerId };
    const next = show(await (entity === 'customer' ? api.reassignCustomer(input) : api.reassignOpportunity(input)));
    setSaving(false);
    if (!next) return;
    void message.success(t('ownership.reassignDone', { name: targets?.people.find((p) => p.id === ownerId)?.name ?? ownerId }));
    onDone(next);
  }

  return (
    <Modal
      open
      title={t('ownership.reassignTitle', { name })}
      okText={t(entity === 'customer' ? 'ownership.reassign' : 'ownership.reassignOpportunity')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: !ownerId, loading: saving, 'data-testid': 'reassign-submit' }}
      onOk={submit}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t(entity === 'customer' ? 'ownership.reassignHelp' : 'ownership.reassignOpportunityHelp')}</Typography.Paragraph>
      <Form layout="vertical">
        <Descriptions size="small" column={1} style={{ marginBottom: 12 }} items={[
          { key: 'owner', label: t('ownership.currentOwner'), children: <span data-testid="reassign-current-owner">{targets?.owner.name ?? '…'}</span> },
        ]} />
        {targets && targets.people.length === 0 ? (
          <Alert type="info" showIcon title={t('ownership.noTargets')} />
        ) : (
          <Form.Item label={t('ownership.newOwner')} required>
            <Select
              data-testid="reassign-owner"
              aria-label={t('ownership.newOwner')}
              loading={!targets}
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('ownership.newOwnerPlaceholder')}
              value={ownerId}
              onChange={setOwnerId}
              options={(targets?.people ?? []).map((p) => ({ value: p.id, label: p.name }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

export function CustomerOwnerActions({ detail, onChanged }: { detail: CustomerDetail; onChanged: (next: CustomerDetail) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const show = useResult();
  const { modal, message } = AntApp.useApp();
  const can = capabilitiesOf(state.user);
  const [reassigning, setReassigning] = useState(false);
  const close = useCallback(() => setReassigning(false), []);
  const name = detail.customer.name ?? '';
  if (!detail.canEdit) return null;

  function confirmDelete() {
    modal.confirm({
      title: t('ownership.deleteTitle', { name }),
      content: t('ownership.deleteHelp', { days: RECYCLE_BIN_DAYS }),
      okText: t('ownership.deleteConfirm'),
      okButtonProps: { danger: true, 'data-testid': 'delete-confirm' },
      cancelText: t('common.cancel'),
      onOk: async () => {
        if (show(await api.deleteCustomer({ id: detail.customer.id }))) void message.success(t('ownership.deleteDone', { name }));
      },
    });
  }

  return (
    <>
      {can.reassignCustomer && (
        <Button icon={<SwapOutlined />} onClick={() => setReassigning(true)} data-testid="reassign-customer">
          {t('ownership.reassign')}
        </Button>
      )}
      {can.deleteCustomer && (
        <Button danger icon={<DeleteOutlined />} onClick={confirmDelete} data-testid="delete-customer">
          {t('ownership.delete')}
        </Button>
      )}
      {reassigning && (
        <ReassignDialog
          entity="customer"
          id={detail.customer.id}
          name={name}
          onClose={close}
          onDone={(next) => {
            setReassigning(false);
            onChanged(next);
          }}
        />
      )}
    </>
  );
}
