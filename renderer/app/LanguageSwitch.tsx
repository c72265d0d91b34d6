import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Locale } from '../../shared/api/desktop-api';
import { useApi, useAppState, useResult, useSetAppState } from './context';

const LANGUAGES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
];

/** Switches the UI language; the choice is kept by the core (AppState.locale). */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const show = useResult();
  return (
    <Select<Locale>
      aria-label={t('shell.language')}
      value={state.locale}
      size="small"
      prefix={<GlobalOutlined aria-hidden />}
      style={{ width: 128 }}
      options={LANGUAGES}
      onChange={async (locale) => {
        const next = show(await api.setLocale({ locale }));
        if (next) setState(next);
      }}
    />
  );
}
