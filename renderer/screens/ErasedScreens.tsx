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

/** The device's data was crypto-shredded: by the server (revoked) or by the lease (wiped). */
function ErasedScreen({ kind }: { kind: 'revoked' | 'wiped' }) {
  const { t } = useTranslation();
  const state = useAppState();
  const locale = useLocale();
  const back = useBackToSignIn();
  return (
    <AuthFrame width={520}>
      <Result
        status={kind === 'revoked' ? 'error' : 'warning'}
        icon={kind === 'revoked' ? <StopOutlined aria-hidden /> : <DeleteOutlined aria-hidden />}
        title={<span role="heading" aria-level={1}>{t(`${kind}.title`)}</span>}
        subTitle={t(`${kind}.description`)}
        style={{ padding: '8px 0' }}
        extra={
          <Button type={kind === 'wiped' ? 'primary' : 'default'} onClick={back}>
            {t(`${kind}.signInAgain`)}
          </Button>
        }
      >
        <Space orientation="vertical" size={6}>
          <Typography.Text strong>{t(`${kind}.what`)}</Typography.Text>
          {state.reason && <Typography.Text type="secondary">{t('revoked.reason', { reason: describeReason(state.reason, locale) })}</Typography.Text>}
        </Space>
      </Result>
    </AuthFrame>
  );
}

export const RevokedScreen = () => <ErasedScreen kind="revoked" />;
export const WipedScreen = () => <ErasedScreen kind="wiped" />;
