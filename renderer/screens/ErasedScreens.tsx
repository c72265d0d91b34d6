import { DeleteOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Result, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi, useAppState, useLocale, useResult, useSetAppState } from '../app/context';
import { describeReason } from '../i18n';
import { AuthFrame } from './AuthFrame';

/** Leaves an erased state for a fresh sign-in (a new enrollment of this device). */
function useBackToSignIn() {
  const api = useApi();
  const setState = useSetAppState();
  const show = useResult();
  return async () => {
    const next = show(await api.signOut());
    if (next) setState(next);
  };
}

export function RevokedScreen() {
  const { t } = useTranslation();
  const state = useAppState();
  const locale = useLocale();
  const back = useBackToSignIn();
  return (
    <AuthFrame width={520}>
      <Result
        status="error"
        icon={<StopOutlined aria-hidden />}
        title={<span role="heading" aria-level={1}>{t('revoked.title')}</span>}
        subTitle={t('revoked.description')}
        style={{ padding: '8px 0' }}
        extra={<Button onClick={back}>{t('revoked.signInAgain')}</Button>}
      >
        <Space orientation="vertical" size={6}>
          <Typography.Text strong>{t('revoked.what')}</Typography.Text>
          {state.reason && <Typography.Text type="secondary">{t('revoked.reason', { reason: describeReason(state.reason, locale) })}</Typography.Text>}
        </Space>
      </Result>
    </AuthFrame>
  );
}

export function WipedScreen() {
  const { t } = useTranslation();
  const state = useAppState();
  const locale = useLocale();
  const back = useBackToSignIn();
  return (
    <AuthFrame width={520}>
      <Result
        status="warning"
        icon={<DeleteOutlined aria-hidden />}
        title={<span role="heading" aria-level={1}>{t('wiped.title')}</span>}
        subTitle={t('wiped.description')}
        style={{ padding: '8px 0' }}
        extra={<Button type="primary" onClick={back}>{t('wiped.signInAgain')}</Button>}
      >
        <Space orientation="vertical" size={6}>
          <Typography.Text strong>{t('wiped.what')}</Typography.Text>
          {state.reason && <Typography.Text type="secondary">{t('revoked.reason', { reason: describeReason(state.reason, locale) })}</Typography.Text>}
        </Space>
      </Result>
    </AuthFrame>
  );
}
