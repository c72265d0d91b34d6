import { SettingOutlined } from '@ant-design/icons';
import { App, Button, Checkbox, Divider, Drawer, Form, Input, InputNumber, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlertThresholds } from '../../../shared/protocol/alert-thresholds';
import { useApi, useResult } from '../../app/context';

const MINUTE = 60_000;

/** The form's values: windows in minutes (what a person types), the rest as stored. */
interface ThresholdForm {
  volumeWindowMin: number;
  pullRecords: number;
  offlineViews: number;
  offlineExportRecords: number;
  firstSyncGraceMin: number;
  autoSuspend: boolean;
  failedWindowMin: number;
  perUser: number;
  perIp: number;
  newDevice: boolean;
  workingHours: boolean;
  start: string;
  end: string;
  timeZone: string;
  days: number[];
}

function toForm(c: AlertThresholds): ThresholdForm {
  return {
    volumeWindowMin: c.volume.windowMs / MINUTE,
    pullRecords: c.volume.pullRecords,
    offlineViews: c.volume.offlineViews,
    offlineExportRecords: c.volume.offlineExportRecords,
    firstSyncGraceMin: c.volume.firstSyncGraceMs / MINUTE,
    autoSuspend: c.volume.autoSuspend,
    failedWindowMin: c.failedSignIn.windowMs / MINUTE,
    perUser: c.failedSignIn.perUser,
    perIp: c.failedSignIn.perIp,
    newDevice: c.newDevice.enabled,
    workingHours: c.workingHours.enabled,
    start: c.workingHours.start,
    end: c.workingHours.end,
    timeZone: c.workingHours.timeZone,
    days: c.workingHours.days,
  };
}

function fromForm(v: ThresholdForm): AlertThresholds {
  return {
    volume: {
      windowMs: Math.round(v.volumeWindowMin * MINUTE),
      pullRecords: v.pullRecords,
      offlineViews: v.offlineViews,
      offlineExportRecords: v.offlineExportRecords,
      firstSyncGraceMs: Math.round(v.firstSyncGraceMin * MINUTE),
      autoSuspend: v.autoSuspend,
    },
    failedSignIn: { windowMs: Math.round(v.failedWindowMin * MINUTE), perUser: v.perUser, perIp: v.perIp },
    newDevice: { enabled: v.newDevice },
    workingHours: { enabled: v.workingHours, start: v.start.trim(), end: v.end.trim(), timeZone: v.timeZone.trim(), days: [...v.days].sort() },
  };
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The anomaly rules' thresholds in a drawer: IT admins change them (the server validates again
 * and audits the change), auditors read them.
 */
export function AlertThresholdsButton({ canEdit }: { canEdit: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const show = useResult();
  const { message } = App.useApp();
  const [form] = Form.useForm<ThresholdForm>();
  const [open, setOpen] = useState(false);
  const [saving, setSaving] = useState(false);

  async function openDrawer() {
    const config = show(await api.alertConfigGet());
    if (!config) return;
    form.setFieldsValue(toForm(config));
    setOpen(true);
  }

  async function save(values: ThresholdForm) {
    setSaving(true);
    const saved = show(await api.alertConfigSet(fromForm(values)));
    setSaving(false);
    if (!saved) return;
    form.setFieldsValue(toForm(saved));
    void message.success(t('alerts.thresholds.saved'));
    setOpen(false);
  }

  const count = (name: keyof ThresholdForm, label: string, max = 10_000_000) => (
    <Form.Item name={name} label={label} rules={[{ required: true, type: 'integer', min: 1, max, message: t('alerts.thresholds.countRule', { max }) }]}>
      <InputNumber min={1} max={max} precision={0} style={{ width: 160 }} disabled={!canEdit} />
    </Form.Item>
  );
  const minutes = (name: keyof ThresholdForm, label: string, min: number) => (
    <Form.Item name={name} label={label} rules={[{ required: true, type: 'number', min, max: 7 * 24 * 60, message: t('alerts.thresholds.minutesRule', { min }) }]}>
      <InputNumber min={min} max={7 * 24 * 60} style={{ width: 160 }} disabled={!canEdit} suffix={t('alerts.thresholds.minutes')} />
    </Form.Item>
  );

  return (
    <>
      <Button icon={<SettingOutlined />} onClick={() => void openDrawer()}>{t('alerts.thresholds.open')}</Button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        size={520}
        title={t('alerts.thresholds.title')}
        extra={canEdit && (
          <Space>
            <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            <Button type="primary" loading={saving} onClick={() => form.submit()}>{t('alerts.thresholds.save')}</Button>
          </Space>
        )}
      >
        {!canEdit && <Typography.Paragraph type="secondary">{t('alerts.thresholds.readOnly')}</Typography.Paragraph>}
        <Form form={form} name="alert-thresholds" layout="horizontal" labelCol={{ span: 11 }} wrapperCol={{ span: 13 }} onFinish={(v) => void save(v)}>
          <Divider titlePlacement="start" plain>{t('alerts.thresholds.volume')}</Divider>
          {minutes('volumeWindowMin', t('alerts.thresholds.window'), 1)}
          {count('pullRecords', t('alerts.thresholds.pullRecords'))}
          {count('offlineViews', t('alerts.thresholds.offlineViews'))}
          {count('offlineExportRecords', t('alerts.thresholds.offlineExportRecords'))}
          {minutes('firstSyncGraceMin', t('alerts.thresholds.firstSyncGrace'), 0)}
          <Form.Item name="autoSuspend" label={t('alerts.thresholds.autoSuspend')} valuePropName="checked" extra={t('alerts.thresholds.autoSuspendHint')}>
            <Switch disabled={!canEdit} />
          </Form.Item>
          <Divider titlePlacement="start" plain>{t('alerts.thresholds.failedSignIn')}</Divider>
          {minutes('failedWindowMin', t('alerts.thresholds.window'), 1)}
          {count('perUser', t('alerts.thresholds.perUser'))}
          {count('perIp', t('alerts.thresholds.perIp'))}
          <Divider titlePlacement="start" plain>{t('alerts.thresholds.other')}</Divider>
          <Form.Item name="newDevice" label={t('alerts.rules.new_device')} valuePropName="checked">
            <Switch disabled={!canEdit} />
          </Form.Item>
          <Form.Item name="workingHours" label={t('alerts.rules.off_hours')} valuePropName="checked">
            <Switch disabled={!canEdit} />
          </Form.Item>
          <Form.Item label={t('alerts.thresholds.workingHours')} required>
            <Space>
              <Form.Item name="start" noStyle rules={[{ required: true, pattern: CLOCK, message: t('alerts.thresholds.clockRule') }]}>
                <Input style={{ width: 80 }} placeholder="07:00" maxLength={5} disabled={!canEdit} aria-label={t('alerts.thresholds.start')} />
              </Form.Item>
              <span>–</span>
              <Form.Item name="end" noStyle rules={[{ required: true, pattern: CLOCK, message: t('alerts.thresholds.clockRule') }]}>
                <Input style={{ width: 80 }} placeholder="22:00" maxLength={5} disabled={!canEdit} aria-label={t('alerts.thresholds.end')} />
              </Form.Item>
            </Space>
          </Form.Item>
          <Form.Item
            name="timeZone"
            label={t('alerts.thresholds.timeZone')}
            rules={[{ required: true, validator: async (_, v: string) => { if (!v || !validTimeZone(v.trim())) throw new Error(t('alerts.thresholds.timeZoneRule')); } }]}
          >
            <Input style={{ width: 200 }} maxLength={64} disabled={!canEdit} />
          </Form.Item>
          <Form.Item name="days" label={t('alerts.thresholds.days')} rules={[{ required: true, type: 'array', min: 1, message: t('alerts.thresholds.daysRule') }]}>
            <Checkbox.Group disabled={!canEdit} options={WEEKDAYS.map((day, i) => ({ value: i + 1, label: t(`alerts.thresholds.weekdays.${day}`) }))} />
          </Form.Item>
        </Form>
      </Drawer>
    </>
  );
}
