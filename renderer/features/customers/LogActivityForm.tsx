import { DatePicker, Form, Input, Modal, Radio } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACTIVITY_KINDS, type ActivityKind } from '../../../shared/domain/model';
import { useApi, useAppState, useResult } from '../../app/context';

/** The quick "log a visit" form (visit / call / note / service note). */
export function LogActivityForm({
  open,
  customerId,
  customerName,
  defaultKind,
  onClose,
  onLogged,
}: {
  open: boolean;
  customerId: string;
  customerName: string;
  defaultKind: ActivityKind;
  onClose: () => void;
  onLogged: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const state = useAppState();
  const [form] = Form.useForm<{ kind: ActivityKind; at: Dayjs; text: string }>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (open) form.setFieldsValue({ kind: defaultKind, at: dayjs(), text: '' });
  }, [open, defaultKind, form]);

  async function submit() {
    let values: { kind: ActivityKind; at: Dayjs; text: string };
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    setSaving(true);
    const r = show(await api.logActivity({ customerId, kind: values.kind, at: values.at.valueOf(), text: values.text.trim() }));
    setSaving(false);
    if (!r) return;
    onLogged();
    onClose();
  }

  return (
    <Modal
      open={open}
      title={`${t('forms.logActivity')} · ${customerName}`}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      forceRender
      footer={(_, { OkBtn, CancelBtn }) => (
        <>
          {!state.online && <span className="sv-muted" style={{ marginInlineEnd: 8, fontSize: 12 }}>{t('common.savedOffline')}</span>}
          <CancelBtn />
          <OkBtn />
        </>
      )}
    >
      <Form form={form} name="log-activity" layout="vertical">
        <Form.Item name="kind" label={t('fields.activity.kind')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={ACTIVITY_KINDS.map((k) => ({ value: k, label: t(`activityKinds.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="at" label={t('fields.activity.at')} rules={[{ required: true, message: t('forms.dateInvalid') }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs().endOf('day'))} />
        </Form.Item>
        <Form.Item
          name="text"
          label={t('forms.activityText')}
          rules={[
            { required: true, whitespace: true, message: t('common.required', { field: t('forms.activityText') }) },
            { max: 10_000, message: t('forms.textTooLong', { max: 10_000 }) },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} placeholder={t('forms.activityTextPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
