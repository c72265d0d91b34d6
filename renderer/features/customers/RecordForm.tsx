import { LockOutlined } from '@ant-design/icons';
import { DatePicker, Form, Input, InputNumber, Modal, Select, Tooltip } from 'antd';
import type { Rule } from 'antd/es/form';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldAccess } from '../../../shared/api/desktop-api';
import { FIELD_SPECS, useFieldLabel, type FieldSpec } from './field-specs';
import { ListOrOther } from './ListOrOther';
import { collectChanges, toFormValue, type FormEntity, type FormValues } from './form-values';

export interface RecordFormProps {
  /**
   * The form's name, unique on the page: antd derives the input ids from it (`<name>_<field>`),
   * and several of these forms are rendered at once (forceRender), so a shared name would make
   * every label point at the first form's inputs.
   */
  formName: string;
  open: boolean;
  title: string;
  entity: FormEntity;
  access: FieldAccess;
  /** The record being edited; null to create. */
  initial: FormValues | null;
  /** Defaults for a new record (e.g. type 'company'). */
  defaults?: FormValues;
  /** Returns true when saved (the form closes). */
  onSubmit: (fields: Record<string, unknown>) => Promise<boolean>;
  onClose: () => void;
}

/** Create/edit form for a customer, contact or opportunity, shaped by the user's field access. */
export function RecordForm({ formName, open, title, entity, access, initial, defaults, onSubmit, onClose }: RecordFormProps) {
  const { t } = useTranslation();
  const fieldLabel = useFieldLabel();
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);
  // Fields above the read clearance are absent from the form entirely.
  const specs = useMemo(() => FIELD_SPECS[entity].filter((s) => access.readable.includes(s.name)), [entity, access]);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    const source = initial ?? defaults ?? {};
    form.setFieldsValue(Object.fromEntries(specs.map((s) => [s.name, toFormValue(s, source[s.name])])));
  }, [open, initial, defaults, specs, form]);

  function rulesFor(spec: FieldSpec, label: string): Rule[] {
    const rules: Rule[] = [];
    if (spec.required) rules.push({ required: true, whitespace: spec.kind !== 'select', message: t('common.required', { field: label }) });
    if (spec.max && (spec.kind === 'text' || spec.kind === 'textarea' || spec.kind === 'email' || spec.kind === 'list')) {
      rules.push({ max: spec.max, message: t('forms.textTooLong', { max: spec.max }) });
    }
    if (spec.kind === 'email') rules.push({ type: 'email', message: t('forms.emailInvalid') });
    if (spec.kind === 'money') rules.push({ type: 'number', min: 0, max: 1e12, message: t('forms.numberInvalid') });
    if (spec.kind === 'percent') rules.push({ type: 'number', min: 0, max: 100, message: t('forms.probabilityInvalid') });
    if (spec.kind === 'tags') {
      rules.push({
        validator: async (_rule, value: unknown) => {
          if (Array.isArray(value) && value.some((v) => String(v).trim().length > 40)) throw new Error(t('forms.textTooLong', { max: 40 }));
        },
      });
    }
    return rules;
  }

  function control(spec: FieldSpec, readOnly: boolean) {
    const common = { disabled: readOnly };
    switch (spec.kind) {
      case 'textarea':
        return <Input.TextArea {...common} autoSize={{ minRows: 3, maxRows: 8 }} />;
      case 'select':
        return (
          <Select
            {...common}
            options={(spec.options ?? []).map((o) => ({ value: o, label: t(`${spec.optionKey ?? 'stages'}.${o}` as 'stages.lead') }))}
          />
        );
      case 'money':
        return <InputNumber {...common} min={0} precision={2} prefix="¥" style={{ width: '100%' }} />;
      case 'percent':
        return <InputNumber {...common} min={0} max={100} suffix="%" style={{ width: '100%' }} />;
      case 'date':
        return <DatePicker {...common} style={{ width: '100%' }} />;
      case 'list':
        return <ListOrOther {...common} list={spec.list ?? []} label={fieldLabel(entity, spec.name)} />;
      case 'tags':
        return <Select {...common} mode="tags" tokenSeparators={[',', '，']} placeholder={t('forms.tagsPlaceholder')} open={false} suffixIcon={null} />;
      default:
        return <Input {...common} />;
    }
  }

  async function submit() {
    let values: FormValues;
    try {
      values = await form.validateFields();
    } catch {
      return; // the form shows the validation messages
    }
    const fields = collectChanges(entity, access, values, initial);
    if (initial && Object.keys(fields).length === 0) return onClose();
    setSaving(true);
    const saved = await onSubmit(fields);
    setSaving(false);
    if (saved) onClose();
  }

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      onOk={submit}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      width={entity === 'customer' ? 720 : 520}
      destroyOnHidden
      forceRender
    >
      <Form form={form} name={formName} layout="vertical" requiredMark onFinish={submit} style={{ display: 'grid', gridTemplateColumns: entity === 'customer' ? '1fr 1fr' : '1fr', columnGap: 16 }}>
        {specs.map((spec) => {
          const label = fieldLabel(entity, spec.name);
          const readOnly = !access.writable.includes(spec.name);
          const wide = spec.kind === 'textarea' || spec.name === 'address' || spec.name === 'tags';
          return (
            <Form.Item
              key={spec.name}
              name={spec.name}
              rules={readOnly ? [] : rulesFor(spec, label)}
              style={wide ? { gridColumn: '1 / -1' } : undefined}
              label={
                readOnly ? (
                  <Tooltip title={t('common.readOnlyField')}>
                    <span data-readonly="true">
                      {label} <LockOutlined aria-label={t('common.readOnlyField')} style={{ color: '#9ca3af' }} />
                    </span>
                  </Tooltip>
                ) : (
                  label
                )
              }
            >
              {control(spec, readOnly)}
            </Form.Item>
          );
        })}
        {/* Enter in a text field submits. */}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
