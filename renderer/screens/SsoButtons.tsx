import { LoginOutlined } from '@ant-design/icons';
import { Button, Divider, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, AppState } from '../../shared/api/desktop-api';
import { useApi } from '../app/context';
import { useDebounced } from '../lib/use-debounced';

/**
 * "Sign in with <provider>" for each identity provider the server offers. The sign-in itself
 * happens in the system browser; this screen waits for it and then continues to the TOTP step
 * (or straight into the app when the provider's MFA is trusted).
 */
export function SsoButtons(props: {
  serverUrl: string;
  onMfa(setup: { otpauthUri: string | null; required: boolean }): void;
  onSignedIn(state: AppState): void;
  onError(error: ApiError | null): void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const serverUrl = useDebounced(props.serverUrl.trim(), 400);
  const [loaded, setLoaded] = useState<{ url: string; list: { id: string; name: string }[] }>({ url: '', list: [] });
  const providers = loaded.url === serverUrl ? loaded.list : [];
  const [waitingFor, setWaitingFor] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    if (!/^https?:\/\/\S+$/.test(serverUrl)) return;
    void api.ssoProviders({ serverUrl }).then((r) => {
      if (current) setLoaded({ url: serverUrl, list: r.ok ? r.value : [] });
    });
    return () => {
      current = false;
    };
  }, [api, serverUrl]);

  if (providers.length === 0) return null;

  async function start(provider: { id: string; name: string }) {
    setWaitingFor(provider.name);
    props.onError(null);
    const r = await api.signInWithSso({ serverUrl, providerId: provider.id });
    setWaitingFor(null);
    if (!r.ok) return props.onError(r.error);
    if (r.value.mfaRequired) props.onMfa({ otpauthUri: r.value.otpauthUri, required: r.value.mfaSetupRequired });
    else props.onSignedIn(r.value.state);
  }

  return (
    <div data-testid="sso">
      <Divider plain>{t('signIn.ssoOr')}</Divider>
      <Space direction="vertical" style={{ width: '100%' }}>
        {providers.map((p) => (
          <Button key={p.id} block icon={<LoginOutlined aria-hidden />} loading={waitingFor === p.name} disabled={waitingFor !== null} onClick={() => void start(p)}>
            {t('signIn.ssoWith', { provider: p.name })}
          </Button>
        ))}
        {waitingFor && (
          <Typography.Text type="secondary" role="status">
            {t('signIn.ssoWaiting', { provider: waitingFor })}
          </Typography.Text>
        )}
      </Space>
    </div>
  );
}
