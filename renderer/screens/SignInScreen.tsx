import { LockOutlined, SafetyOutlined, UserOutlined, CloudServerOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Space, Typography } from 'antd';
import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../shared/api/desktop-api';
import { checkServerUrl, INSECURE_SERVER_URL } from '../../shared/protocol/server-url';
import { useApi, useAppState, useLocale, useSetAppState } from '../app/context';
import { describeError } from '../i18n';
import { AuthFrame } from './AuthFrame';
import { SsoButtons } from './SsoButtons';

const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

function ErrorAlert({ error }: { error: ApiError | null }) {
  const locale = useLocale();
  if (!error) return null;
  const text = describeError(error, locale);
  return <Alert type="error" showIcon title={text.title} description={text.action} role="alert" style={{ marginBottom: 12 }} />;
}

/** Renders the otpauth URI as a QR code on a canvas (no data: URL needed under the CSP). */
function OtpauthQr({ uri }: { uri: string }) {
  const { t } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, uri, { width: 176, margin: 1 });
  }, [uri]);
  return <canvas ref={canvas} className="sv-qr" role="img" aria-label={t('signIn.mfaQrAlt')} />;
}

export function SignInScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const state = useAppState();
  const setState = useSetAppState();
  const [step, setStep] = useState<'password' | 'mfa'>('password');
  const [setup, setSetup] = useState<{ otpauthUri: string | null; required: boolean }>({ otpauthUri: null, required: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [lettersRefused, setLettersRefused] = useState(false);
  const [signInForm] = Form.useForm<{ serverUrl: string; username: string; password: string }>();
  const serverUrl = (Form.useWatch('serverUrl', signInForm) as string | undefined) ?? state.serverUrl ?? DEFAULT_SERVER_URL;

  async function submitPassword(values: { serverUrl: string; username: string; password: string }) {
    setBusy(true);
    setError(null);
    const r = await api.signIn({ serverUrl: values.serverUrl.trim(), username: values.username.trim(), password: values.password });
    setBusy(false);
    if (!r.ok && r.error.code === INSECURE_SERVER_URL) {
      // The core refused the address before connecting: say so on the field itself.
      signInForm.setFields([{ name: 'serverUrl', errors: [t('signIn.serverUrlInsecure')] }]);
      return;
    }
    if (!r.ok) return setError(r.error);
    setSetup({ otpauthUri: r.value.otpauthUri, required: r.value.mfaSetupRequired });
    setStep('mfa');
  }

  async function submitCode(values: { code: string }) {
    setBusy(true);
    setError(null);
    const r = await api.verifyMfa({ code: values.code.trim() });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setState(r.value);
  }

  if (step === 'mfa') {
    return (
      <AuthFrame width={setup.required ? 460 : 420}>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          <SafetyOutlined aria-hidden /> {setup.required ? t('signIn.mfaSetupTitle') : t('signIn.mfaTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{setup.required ? t('signIn.mfaSetupHint') : t('signIn.mfaHint')}</Typography.Paragraph>
        {setup.required && setup.otpauthUri && (
          <div style={{ marginBottom: 16 }}>
            <OtpauthQr uri={setup.otpauthUri} />
            <Typography.Text type="secondary">{t('signIn.mfaSecretUri')}</Typography.Text>
            <Typography.Paragraph copyable={{ text: setup.otpauthUri }} className="sv-uri" data-testid="otpauth-uri">
              {setup.otpauthUri}
            </Typography.Paragraph>
          </div>
        )}
        <ErrorAlert error={error} />
        <Form name="mfa" layout="vertical" onFinish={submitCode} requiredMark={false}>
          <Form.Item
            label={t('signIn.mfaCode')}
            name="code"
            rules={[{ required: true, pattern: /^\d{6}$/, message: t('signIn.mfaCodeInvalid') }]}
            // Digits only: letters never enter the field (and the user is told why); a pasted
            // "123 456" becomes 123456.
            normalize={(value: unknown) => String(value ?? '').replace(/\D/g, '').slice(0, 6)}
            {...(lettersRefused ? { validateStatus: 'warning' as const, help: t('signIn.mfaDigitsOnly') } : {})}
          >
            <Input
              onChange={(e) => setLettersRefused(/[^\d\s-]/.test(e.target.value))}
              maxLength={12}
              autoFocus
              inputMode="numeric"
              autoComplete="one-time-code"
              size="large"
              style={{ letterSpacing: 6, fontFamily: 'ui-monospace, monospace' }}
              placeholder="000000"
            />
          </Form.Item>
          <Space style={{ width: '100%', justifyContent: 'space-between' }}>
            <Button onClick={() => { setStep('password'); setError(null); }}>{t('signIn.back')}</Button>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('signIn.verify')}
            </Button>
          </Space>
        </Form>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('signIn.title')}
      </Typography.Title>
      <ErrorAlert error={error} />
      <Form
        form={signInForm}
        name="sign-in"
        layout="vertical"
        onFinish={submitPassword}
        requiredMark={false}
        initialValues={{ serverUrl: state.serverUrl ?? DEFAULT_SERVER_URL, username: '', password: '' }}
      >
        <Form.Item
          label={t('signIn.serverUrl')}
          name="serverUrl"
          validateFirst
          rules={[
            { required: true, message: t('signIn.serverUrlInvalid') },
            {
              // Same rule as the core applies: https://, or http:// only to this computer.
              validator: async (_rule, value: unknown) => {
                if (typeof value !== 'string' || value.trim() === '') return;
                if (!checkServerUrl(value).ok) throw new Error(t('signIn.serverUrlInsecure'));
              },
            },
            { type: 'url', message: t('signIn.serverUrlInvalid') },
          ]}
        >
          <Input prefix={<CloudServerOutlined aria-hidden />} autoComplete="url" />
        </Form.Item>
        <Form.Item
          label={t('signIn.username')}
          name="username"
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('signIn.username') }) }]}
        >
          <Input prefix={<UserOutlined aria-hidden />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item
          label={t('signIn.password')}
          name="password"
          rules={[{ required: true, message: t('common.required', { field: t('signIn.password') }) }]}
        >
          <Input.Password prefix={<LockOutlined aria-hidden />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('signIn.submit')}
        </Button>
      </Form>
      <SsoButtons
        serverUrl={serverUrl}
        onError={setError}
        onSignedIn={setState}
        onMfa={(s) => {
          setSetup(s);
          setStep('mfa');
        }}
      />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 16, marginBottom: 0 }}>
        {t('signIn.deviceNote')}
      </Typography.Paragraph>
    </AuthFrame>
  );
}
