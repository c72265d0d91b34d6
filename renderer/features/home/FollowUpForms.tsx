import { App as AntApp, DatePicker, Form, Input, Modal, Radio, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FollowUpItem } from '../../../shared/api/desktop-api';
import { useApi, useAppState, useLocale, useResult } from '../../app/context';
import { formatDateTime } from '../../lib/format';

// The two follow-up forms (docs/follow-ups.md): plan one for a customer, complete one (which logs
// it as an activity). Both save through the core into the vault and the outbox, offline too.

const FOLLOW_UP_KINDS = ['visit', 'call', 'note'] as const;
type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** Reminder presets: minutes before the due moment (null = none). */
const REMINDERS = [
  { key: 'none', minutes: null, label: 'followUps.reminderNone' },
  { key: 'due', minutes: 0, label: 'followUps.reminderAtDue' },
  { key: '15m', minutes: 15, label: 'followUps.reminder15m' },
  { key: '1h', minutes: 60, label: 'followUps.reminder1h' },
  { key: '1d', minutes: 24 * 60, label: 'followUps.reminder1d' },
] as const;
type ReminderKey = (typeof REMINDERS)[number]['key'];

const DATE_TIME = 'YYYY-MM-DD HH:mm';

function ModalFooter({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const state = useAppState();
  return (
    <>
      {!state.online && <span className="sv-muted" style={{ marginInlineEnd: 8, fontSize: 12 }}>{t('common.savedOffline')}</span>}
      {children}
    </>
  );
}

/**
 * Plan a follow-up for a customer, or (with `editing`) change one: what, when, the reminder.
 * `ReminderKey` 'keep' holds a reminder that matches no preset as it is.
 */
export function PlanFollowUpForm({
  open,
  customerId,
  customerName,
  editing = null,
  onClose,
  onPlanned,
}: {
  open: boolean;
  customerId: string;
  customerName: string;
  editing?: FollowUpItem | null;
  onClose: () => void;
  onPlanned: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const locale = useLocale();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ kind: FollowUpKind; dueAt: Dayjs; reminder: ReminderKey | 'keep'; text: string }>();
  const [saving, setSaving] = useState(false);
  const keptReminder = editing && editing.reminderAt !== null && !REMINDERS.some((r) => r.minutes !== null && editing.dueAt - r.minutes * 60_000 === editing.reminderAt) ? editing.reminderAt : null;

  useEffect(() => {
    if (!open) return;
    if (editing) {
      const preset = editing.reminderAt === null ? 'none' : REMINDERS.find((r) => r.minutes !== null && editing.dueAt - r.minutes * 60_000 === editing.reminderAt)?.key;
      form.setFieldsValue({
        kind: (FOLLOW_UP_KINDS as readonly string[]).includes(editing.kind ?? '') ? (editing.kind as FollowUpKind) : 'visit',
        dueAt: dayjs(editing.dueAt),
        reminder: preset ?? 'keep',
        text: editing.text ?? '',
      });
    } else {
      // Default: tomorrow at 09:00, reminded an hour before.
      form.setFieldsValue({ kind: 'visit', dueAt: dayjs().add(1, 'day').hour(9).minute(0).second(0).millisecond(0), reminder: '1h', text: '' });
    }
  }, [open, editing, form]);

  async function submit() {
    let values: { kind: FollowUpKind; dueAt: Dayjs; reminder: ReminderKey | 'keep'; text: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const dueAt = values.dueAt.second(0).millisecond(0).valueOf();
    const minutes = REMINDERS.find((r) => r.key === values.reminder)?.minutes ?? null;
    const reminderAt = values.reminder === 'keep' ? keptReminder : minutes === null ? null : dueAt - minutes * 60_000;
    const text = values.text.trim();
    setSaving(true);
    const r = editing
      ? show(await api.updateFollowUp({ id: editing.id, fields: { kind: values.kind, dueAt, reminderAt, ...(text !== editing.text ? { text } : {}) } }))
      : show(await api.planFollowUp({ customerId, kind: values.kind, dueAt, reminderAt, text }));
    setSaving(false);
    if (!r) return;
    message.success(t(editing ? 'followUps.updated' : 'followUps.planned'));
    onPlanned();
    onClose();
  }

  return (
    <Modal
      open={open}
      title={t(editing ? 'followUps.editTitle' : 'followUps.planTitle', { name: customerName })}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      forceRender
      footer={(_, { OkBtn, CancelBtn }) => (
        <ModalFooter>
          <CancelBtn />
          <OkBtn />
        </ModalFooter>
      )}
    >
      <Form form={form} name="plan-follow-up" layout="vertical">
        <Form.Item name="kind" label={t('followUps.kind')} rules={[{ required: true }]}>
          <Radio.Group optionType="button" buttonStyle="solid" options={FOLLOW_UP_KINDS.map((k) => ({ value: k, label: t(`activityKinds.${k}`) }))} />
        </Form.Item>
        <Form.Item name="dueAt" label={t('followUps.dueAt')} rules={[{ required: true, message: t('followUps.dueRequired') }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format={DATE_TIME} needConfirm={false} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reminder" label={t('followUps.reminder')}>
          <Select
            options={[
              ...REMINDERS.map((r) => ({ value: r.key as string, label: t(r.label) })),
              ...(keptReminder !== null ? [{ value: 'keep', label: t('followUps.reminderKeep', { time: formatDateTime(keptReminder, locale) }) }] : []),
            ]}
          />
        </Form.Item>
        <Form.Item
          name="text"
          label={t('followUps.text')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('followUps.text') }) },
            { max: 10_000, message: t('forms.textTooLong', { max: 10_000 }) },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} placeholder={t('followUps.textPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function CompleteFollowUpForm({ followUp, onClose, onCompleted }: { followUp: FollowUpItem | null; onClose: () => void; onCompleted: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ doneAt: Dayjs; text: string }>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (followUp) form.setFieldsValue({ doneAt: dayjs(), text: followUp.text ?? '' });
  }, [followUp, form]);

  async function submit() {
    if (!followUp) return;
    let values: { doneAt: Dayjs; text: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const text = values.text.trim();
    const r = show(
      await api.completeFollowUp({ id: followUp.id, doneAt: values.doneAt.valueOf(), ...(text && text !== followUp.text ? { text } : {}) }),
    );
    setSaving(false);
    if (!r) return;
    message.success(t('followUps.completed'));
    onCompleted();
    onClose();
  }

  return (
    <Modal
      open={followUp !== null}
      title={t('followUps.completeTitle', { name: followUp?.customerName ?? '' })}
      onCancel={onClose}
      onOk={submit}
      okText={t('followUps.complete')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      forceRender
      footer={(_, { OkBtn, CancelBtn }) => (
        <ModalFooter>
          <CancelBtn />
          <OkBtn />
        </ModalFooter>
      )}
    >
      <Form form={form} name="complete-follow-up" layout="vertical">
        <Form.Item name="doneAt" label={t('followUps.doneAt')} rules={[{ required: true, message: t('followUps.doneRequired') }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format={DATE_TIME} needConfirm={false} style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs().endOf('day'))} />
        </Form.Item>
        <Form.Item
          name="text"
          label={t('followUps.outcome')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('followUps.outcome') }) },
            { max: 10_000, message: t('forms.textTooLong', { max: 10_000 }) },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} placeholder={t('followUps.outcomePlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
